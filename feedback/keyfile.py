"""The key ring's file: its keys in base64 JSON, readable by its owner only, written whole, read only when sound."""

from __future__ import annotations

import base64
import json
import os
import stat
from pathlib import Path

from feedback import files
from feedback.crypto import KeyRing, KeyRingError, check_keyring


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.b64decode(text.encode("ascii"), validate=True)


def save(ring: KeyRing, path: str | os.PathLike) -> None:
    """Write the ring atomically, readable by its owner only (mode 0600)."""
    data = {
        "version": 1,
        "active_master_key": ring.active_id,
        "master_keys": {k: _b64(v) for k, v in ring.master_keys.items()},
        "blind_index_key": _b64(ring.blind_index_key),
        "receipt_key": _b64(ring.receipt_key),
    }
    # Durable, rename included, before anything (a re-wrap) depends on the new ring.
    with files.replacing(Path(path)) as partial:
        partial.write_text(json.dumps(data, indent=2))


def load(path: str | os.PathLike) -> KeyRing:
    """Read and check the key ring file.

    :raises KeyRingError: missing, readable by group or others, malformed, or a key used twice.
    """
    path = Path(path)
    try:
        mode = stat.S_IMODE(path.stat().st_mode)
    except FileNotFoundError:
        raise KeyRingError(f"the key ring {path} does not exist") from None
    if mode & 0o077:
        raise KeyRingError(f"the key ring {path} is readable by others (mode {mode:o}; it must be 600)")
    try:
        data = json.loads(path.read_text())
        ring = KeyRing(
            master_keys={k: _unb64(v) for k, v in data["master_keys"].items()},
            active_id=data["active_master_key"],
            blind_index_key=_unb64(data["blind_index_key"]),
            receipt_key=_unb64(data["receipt_key"]),
        )
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise KeyRingError(f"the key ring {path} cannot be read ({exc.__class__.__name__})") from None
    check_keyring(ring)
    return ring
