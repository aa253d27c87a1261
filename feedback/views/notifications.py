"""Mail notifications: each staff member chooses what to be told; admins see the messages that failed."""

from __future__ import annotations

from flask import Blueprint, abort

from feedback.auth import STAFF, roles
from feedback.models import Role

bp = Blueprint("notifications", __name__)


@bp.route("/account/notifications", methods=["GET", "POST"])
@roles(*STAFF)
def choose():
    abort(404)


@bp.get("/admin/mail")
@roles(Role.ADMIN)
def failures():
    abort(404)


@bp.post("/admin/mail/<int:mail_id>/retry")
@roles(Role.ADMIN)
def retry(mail_id: int):
    abort(404)
