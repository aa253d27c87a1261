"""Loading the key ring into the app and refusing to start without sound secrets."""

from __future__ import annotations

from flask import Flask, current_app

from feedback import crypto

FIX = "Run `flask --app feedback init` to create them, or see README.md, 'Keys'."


class StartupError(RuntimeError):
    """A secret or key is missing or unsafe; the message names the command that fixes it."""


def problems(app: Flask) -> list[str]:
    """What is wrong with the app's SECRET_KEY and key ring (empty when all is well)."""
    found = []
    secret = app.config.get("SECRET_KEY")
    if not secret or len(str(secret)) < 32:
        found.append("SECRET_KEY is missing or shorter than 32 characters")
    try:
        ring = crypto.load_keyring(app.config["KEYRING_PATH"])
        crypto.check_keyring(ring, *([str(secret).encode()] if secret else []))
    except crypto.KeyRingError as exc:
        found.append(str(exc))
    return found


def init_app(app: Flask) -> None:
    """Load the key ring; outside testing, refuse to start when a secret or key is unsound.

    :raises StartupError: naming every problem and the command that fixes it.
    """
    if not app.testing:
        found = problems(app)
        if found:
            raise StartupError("Town Hall Feedback cannot start: " + "; ".join(found) + ". " + FIX)
    app.extensions["feedback_keyring_path"] = app.config["KEYRING_PATH"]
    app.extensions["feedback_keyring"] = crypto.load_keyring(app.config["KEYRING_PATH"])


def keyring() -> crypto.KeyRing:
    return current_app.extensions["feedback_keyring"]


def reload(app: Flask) -> crypto.KeyRing:
    """Read the key ring file again (after a rotation) and return it."""
    ring = crypto.load_keyring(app.config["KEYRING_PATH"])
    app.extensions["feedback_keyring"] = ring
    return ring
