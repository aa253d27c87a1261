"""Staff login, roles and deny-by-default: every endpoint is public by name or needs a role."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta
from typing import Any, TypeVar
from urllib.parse import urlsplit

from argon2 import PasswordHasher
from flask import Flask, abort, current_app, redirect, render_template, request, session, url_for
from flask_login import LoginManager, UserMixin, current_user
from werkzeug.exceptions import HTTPException

from feedback import clock
from feedback.db import get_db
from feedback.models import Role
from feedback.services.admin import accounts

# The only endpoints anyone may reach without logging in. Everything else needs a login and a role.
PUBLIC_ENDPOINTS = frozenset({
    "static",
    "public.index",
    "public.town_hall",
    "receipts.check",
    "receipts.reply",
    "receipts.withdraw",
    "receipts.help_question",
    "receipts.did_this_help",
    "plan.index",
    "plan.action",
    "plan.feedback",
    "plan.did_this_help",
    "plan.feed",
    "plan.response",
    "auth.login",
    "language.switch",
    # A live session's audience (by its event code) and presenter screen (by its token).
    "live.join",
    "live.audience",
    "live.ask",
    "live.vote",
    "live.feed",
    "live.qr",
    "presenter.screen",
    "presenter.feed",
})
# Form fields never echoed back on the "session ended" page ("pad": pad-form.js's filler, nobody's words).
NEVER_SHOWN_BACK = frozenset({"csrf_token", "password", "code", "form_token", "leave_empty", "selected", "pad"})
STAFF = (Role.ADMIN, Role.FACILITATOR, Role.LEADER)
MODERATORS = (Role.ADMIN, Role.FACILITATOR)
View = TypeVar("View", bound=Callable[..., Any])
# A path on this site: printable ASCII without spaces or backslashes, not starting "//" (another host).
_LOCAL_PATH = re.compile(r"/(?!/)[!-\[\]-~]*")


class LoggedIn(UserMixin):
    """Flask-Login's view of a staff member; its id is the server-side session token."""

    def __init__(self, token: str, staff: accounts.Staff) -> None:
        self.token = token
        self.staff = staff

    def get_id(self) -> str:
        return self.token


def roles(*allowed: Role) -> Callable[[View], View]:
    """Mark a view as open to these roles (and, by omission, closed to everyone else)."""

    def mark(view: View) -> View:
        # An attribute on the function, read back by enforce_roles (as Flask reads view.methods).
        view.allowed_roles = frozenset(r.value for r in allowed)  # type: ignore[attr-defined]
        return view

    return mark


def hasher() -> PasswordHasher:
    return current_app.extensions["feedback_password_hasher"]


def staff() -> accounts.Staff:
    return current_user.staff


def may_see(role: str, target: str | None) -> bool:
    """Whether target is a page on this site that a staff member with this role may open."""
    if not target or not _LOCAL_PATH.fullmatch(target):
        return False  # control characters, another host, or not a path at all
    path = urlsplit(target).path
    try:
        endpoint, _args = current_app.url_map.bind_to_environ(request.environ).match(path, method="GET")
    except HTTPException:  # no such page, or only a redirect to one
        return False
    return role in getattr(current_app.view_functions[endpoint], "allowed_roles", frozenset())


def _load_user(token: str) -> LoggedIn | None:
    config = current_app.config
    found = accounts.resolve_session(get_db(), token, clock.now(),
                                     idle=timedelta(minutes=config["STAFF_IDLE_MINUTES"]),
                                     absolute=timedelta(hours=config["STAFF_SESSION_HOURS"]))
    return LoggedIn(token, found) if found else None


def enforce_roles():
    """Deny by default: a non-public endpoint needs a login and one of the roles its view names."""
    endpoint = request.endpoint
    if endpoint is None or endpoint in PUBLIC_ENDPOINTS:
        return None
    if not current_user.is_authenticated:
        session.pop("_user_id", None)
        if request.method == "POST":
            # The session ended while they were writing: show their words back rather than lose them.
            typed = [(name, value) for name, value in request.form.items(multi=True)
                     if name not in NEVER_SHOWN_BACK and value.strip()]
            return render_template("auth/session_ended.html", typed=typed), 401
        return redirect(url_for("auth.login", next=request.path))
    allowed: frozenset[str] = getattr(current_app.view_functions[endpoint], "allowed_roles", frozenset())
    if current_user.staff.role not in allowed:
        abort(403)
    return None


def init_app(app: Flask) -> None:
    cost = app.config["ARGON2"]
    password_hasher = PasswordHasher(**cost)
    app.extensions["feedback_password_hasher"] = password_hasher
    app.extensions["feedback_dummy_hash"] = password_hasher.hash("not a real password, for equal timing")
    manager = LoginManager(app)
    # Flask-Login would put a hash of the client address and user agent into the session cookie.
    manager.session_protection = None
    manager._session_identifier_generator = lambda: ""
    manager.user_loader(_load_user)
    app.before_request(enforce_roles)
