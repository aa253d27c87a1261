"""The app's key ring: loaded at start, refused when unsound, re-read when the file changes."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from flask import Flask, current_app

from feedback import crypto, keyfile

FIX = "Run `flask --app feedback init` to create them, or see README.md, 'Keys'."


class StartupError(RuntimeError):
    """A secret or key is missing or unsafe; the message names the command that fixes it."""


def problems(app: Flask) -> list[str]:
    """What is wrong with the app's SECRET_KEY, instance config and key ring (empty when all is well)."""
    found = []
    secret = app.config.get("SECRET_KEY")
    if not secret or len(str(secret)) < 32:
        found.append("SECRET_KEY is missing or shorter than 32 characters")
    config_file = Path(app.instance_path) / "config.py"
    if config_file.exists() and stat.S_IMODE(config_file.stat().st_mode) & 0o077:
        found.append(f"{config_file} holds the SECRET_KEY and is readable by others (chmod 600 it)")
    try:
        ring = keyfile.load(app.config["KEYRING_PATH"])
        crypto.check_keyring(ring, *([str(secret).encode()] if secret else []))
    except crypto.KeyRingError as exc:
        found.append(str(exc))
    return found


def _load(app: Flask) -> None:
    path = app.config["KEYRING_PATH"]
    app.extensions["feedback_keyring_mtime"] = os.stat(path).st_mtime_ns
    app.extensions["feedback_keyring"] = keyfile.load(path)


def init_app(app: Flask) -> None:
    """Load the key ring; outside testing, refuse to start when a secret or key is unsound.

    :raises StartupError: naming every problem and the command that fixes it.
    """
    if not app.testing:
        found = problems(app)
        if found:
            raise StartupError("Town Hall Feedback cannot start: " + "; ".join(found) + ". " + FIX)
    _load(app)


def current() -> crypto.KeyRing:
    """The key ring, re-read if the file changed (so a rotation reaches running workers)."""
    app = current_app
    if os.stat(app.config["KEYRING_PATH"]).st_mtime_ns != app.extensions["feedback_keyring_mtime"]:
        _load(app)
    return app.extensions["feedback_keyring"]
