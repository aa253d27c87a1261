"""The audience's pages of a live session (phone first, no login): join by event code, ask a question, see the
approved ones and say "me too"; the feed the page's script polls; the QR code to the page.

Built by issue 15: each view below is filled in by its owner; until then it answers 404.
"""

from __future__ import annotations

import uuid

from flask import Blueprint, abort

bp = Blueprint("live", __name__, url_prefix="/live")


@bp.get("")
def join():
    abort(404)


@bp.get("/<code>")
def audience(code: str):
    abort(404)


@bp.post("/<code>/ask")
def ask(code: str):
    abort(404)


@bp.post("/<code>/q/<uuid:submission_id>/vote")
def vote(code: str, submission_id: uuid.UUID):
    abort(404)


@bp.get("/<code>/feed")
def feed(code: str):
    abort(404)


@bp.get("/<code>/qr.svg")
def qr(code: str):
    abort(404)
