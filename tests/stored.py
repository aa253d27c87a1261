"""Read what the app stored, as an attacker with the files (or a test checking a promise) would."""

from __future__ import annotations

from pathlib import Path


def database_bytes(app) -> bytes:
    """Every byte of the app's SQLite database: the main file and its write-ahead log."""
    url = app.config["DATABASE_URL"]
    path = Path(url.removeprefix("sqlite:///"))
    return b"".join(p.read_bytes() for p in (path, Path(f"{path}-wal")) if p.exists())
