"""The presenter screen of a live session: opened by its link's token on the room's computer, no staff login.

Large type, the question on screen, the queue with its votes, the QR code; never an identity, never text
that was not approved. A revoked or replaced token, or an ended session, sees nothing.
"""

from __future__ import annotations

from flask import Blueprint, abort

bp = Blueprint("presenter", __name__, url_prefix="/present")


@bp.get("/<token>")
def screen(token: str):
    abort(404)


@bp.get("/<token>/feed")
def feed(token: str):
    abort(404)
