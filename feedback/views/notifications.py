"""Mail notifications: each staff member chooses what to be told; admins see the messages that failed."""

from __future__ import annotations

from dataclasses import asdict

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import LazyString, gettext, lazy_gettext
from flask_wtf.csrf import CSRFError

from feedback import auth, clock
from feedback.auth import STAFF, roles
from feedback.db import get_db
from feedback.errors import render_error
from feedback.forms.notifications import ChoicesForm
from feedback.forms.staff import ConfirmForm
from feedback.i18n import explain
from feedback.models import Role
from feedback.services.notify import choices, mailroom
from feedback.services.notify.messages import LABELS

bp = Blueprint("notifications", __name__)


EXPIRED_CHOICES = lazy_gettext("This page had been open too long, so the form expired and nothing was saved. Your "
                                "ticks are kept below: press Save my choices again.")
EXPIRED_RETRY = lazy_gettext("This page had been open too long, so the form expired and nothing was changed: press "
                             "Retry again.")


def _choices_page(form: ChoicesForm, status: int = 200, notice: LazyString | None = None):
    me = auth.staff()
    return render_template("notifications/choose.html", form=form, offered=choices.offered(me.role),
                           email=me.email, notice=notice), status


@bp.route("/account/notifications", methods=["GET", "POST"])
@roles(*STAFF)
def choose():
    me = auth.staff()
    if not choices.offered(me.role):
        form = ChoicesForm(formdata=None)
        return _choices_page(form, 409 if form.is_submitted() else 200)  # a leader: nothing to choose
    form = ChoicesForm(data=asdict(choices.current(get_db(), me.id)))  # the request's form data, when sent, wins
    if not form.is_submitted():  # a sent form is always valid: its CSRF token was checked first (form_expired)
        return _choices_page(form)
    chosen = choices.Choices(escalations=form.escalations.data, answers=form.answers.data,
                             reveal_requests=form.reveal_requests.data, daily_digest=form.daily_digest.data)
    choices.choose(get_db(), chosen, role=me.role, by=me.actor, now=clock.now())
    flash(gettext("Your mail choices are saved."))
    return redirect(url_for("notifications.choose"))


@bp.errorhandler(CSRFError)
def form_expired(error: CSRFError):
    """An expired (or missing) CSRF token: the page again, as sent, saying so; nothing is changed."""
    if request.endpoint == "notifications.choose":
        offered = choices.offered(auth.staff().role)
        return _choices_page(ChoicesForm() if offered else ChoicesForm(formdata=None), 400, EXPIRED_CHOICES)
    if request.endpoint == "notifications.retry":
        return _failures_page(EXPIRED_RETRY, 400)
    return render_error(error)


NOT_FAILED = lazy_gettext("That message is no longer failed (it was retried or sent meanwhile): nothing was "
                          "changed.")


def _failures_page(notice: LazyString | None = None, status: int = 200):
    db = get_db()
    labels = {kind: explain(label) for kind, label in LABELS.items()}  # each kind in the reader's language
    return render_template("notifications/failures.html", counts=mailroom.counts(db), failures=mailroom.failures(db),
                           labels=labels, confirm=ConfirmForm(), notice=notice), status


@bp.get("/admin/mail")
@roles(Role.ADMIN)
def failures():
    return _failures_page()


@bp.post("/admin/mail/<int:mail_id>/retry")
@roles(Role.ADMIN)
def retry(mail_id: int):
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        mailroom.retry(get_db(), mail_id, by=auth.staff().actor, now=clock.now())
    except mailroom.NotFailed:
        return _failures_page(NOT_FAILED, 409)
    flash(gettext("The message is queued again: the next run of flask send-mail sends it."))
    return redirect(url_for("notifications.failures"))
