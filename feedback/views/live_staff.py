"""The moderator's side of a live session: start and end it, the presenter link, and the question queue
(approve with redaction, dismiss, merge, reorder, show on screen, answered, a note to the presenter)."""

from __future__ import annotations

import uuid

from flask import Blueprint, abort

from feedback.auth import MODERATORS, roles

bp = Blueprint("live_staff", __name__, url_prefix="/facilitate/live")

ACTIONS = ("approve", "dismiss", "merge", "up", "down", "show", "answered", "note", "check-votes")


@bp.get("/<slug>")
@roles(*MODERATORS)
def index(slug: str):
    abort(404)


@bp.post("/<slug>/start")
@roles(*MODERATORS)
def start(slug: str):
    abort(404)


@bp.post("/<int:live_id>/end")
@roles(*MODERATORS)
def end(live_id: int):
    abort(404)


@bp.get("/<int:live_id>/feed")
@roles(*MODERATORS)
def queue_feed(live_id: int):
    abort(404)


@bp.get("/<int:live_id>/print")
@roles(*MODERATORS)
def print_code(live_id: int):
    abort(404)


@bp.post("/<int:live_id>/presenter-link")
@roles(*MODERATORS)
def presenter_link(live_id: int):
    abort(404)


@bp.post("/<int:live_id>/presenter-link/revoke")
@roles(*MODERATORS)
def revoke_presenter_link(live_id: int):
    abort(404)


@bp.post("/q/<uuid:submission_id>/<any(" + ", ".join(f'"{a}"' for a in ACTIONS) + "):action>")
@roles(*MODERATORS)
def act(submission_id: uuid.UUID, action: str):
    abort(404)
