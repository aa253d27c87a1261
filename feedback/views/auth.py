"""Staff login and logout."""

from __future__ import annotations

from flask import Blueprint, current_app, redirect, render_template, request, session, url_for
from flask_babel import lazy_gettext
from flask_limiter.errors import RateLimitExceeded
from flask_login import current_user, login_user, logout_user

from feedback import auth, clock
from feedback.auth import STAFF, roles
from feedback.db import get_db
from feedback.forms.staff import ConfirmForm, LoginForm
from feedback.services.admin import accounts

bp = Blueprint("auth", __name__)

WRONG = lazy_gettext("That email and password do not match an active account.")
TOO_MANY = lazy_gettext("Too many attempts. Wait a few minutes, then try again.")


def _landing(target: str | None, role: str) -> str:
    """Where to go after logging in: the page asked for if this role may see it, else the staff home."""
    return target if target and auth.may_see(role, target) else url_for("auth.home")


@bp.route("/login", methods=["GET", "POST"])
def login():
    form = LoginForm()
    if not form.validate_on_submit():
        return render_template("auth/login.html", form=form), 422 if form.is_submitted() else 200
    db = get_db()
    found = accounts.authenticate(db, auth.hasher(), current_app.extensions["feedback_dummy_hash"],
                                  form.email.data, form.password.data)
    if found is None:
        accounts.record_failed_login(db, form.email.data, clock.now())
        form.password.errors = [WRONG]
        return render_template("auth/login.html", form=form), 401
    if current_user.is_authenticated:  # logging in again ends the previous session for good
        accounts.end_session(db, current_user.token, auth.staff(), clock.now())
    session.clear()  # a new session at login: nothing from before carries over
    token = accounts.start_session(db, found, clock.now())
    login_user(auth.LoggedIn(token, found))
    return redirect(_landing(request.args.get("next"), found.role))


@bp.errorhandler(RateLimitExceeded)
def too_many_attempts(_error):
    form = LoginForm()
    form.password.data = None
    form.password.errors = [TOO_MANY]
    return render_template("auth/login.html", form=form), 429


@bp.post("/logout")
@roles(*STAFF)
def logout():
    if ConfirmForm().validate_on_submit():
        accounts.end_session(get_db(), current_user.token, auth.staff(), clock.now())
    logout_user()
    session.clear()
    return redirect(url_for("auth.login"))


@bp.get("/staff")
@roles(*STAFF)
def home():
    """Where a staff member lands after logging in: what their role lets them do."""
    return render_template("auth/home.html", staff=auth.staff())
