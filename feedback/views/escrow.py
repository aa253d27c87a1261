"""Revealing a named submitter's identity: a separate page, a typed reason, shown once, always audited.

An identity is shown only in the response to the POST that opened it: it is never stored in clear,
never put in a URL or a flash message, and the page is not cached (Cache-Control: no-store). The form
carries its sender's latest request id, so a refresh (the same form sent again) shows and records nothing.
"""

from __future__ import annotations

import uuid

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import LazyString, gettext, lazy_gettext

from feedback import auth, clock, keyring
from feedback.auth import MODERATORS, roles
from feedback.db import get_db
from feedback.forms.desk import STATUS_LABELS
from feedback.forms.escrow import RevealForm
from feedback.forms.staff import ConfirmForm
from feedback.services.moderation import escrow

bp = Blueprint("escrow", __name__, url_prefix="/facilitate")

REQUEST_SENT = lazy_gettext("Your request was sent. Another facilitator or admin must approve it; then open the "
                            "identity from this page.")
NO_APPROVED_REQUEST = lazy_gettext("You have no approved request to open for this submission. An approved request "
                                   "opens once; ask again if you need to.")
ALREADY_REVEALED = lazy_gettext("You already revealed this identity with this form, so it is not shown again and no "
                                "new reveal was recorded. To reveal it again, give your reason below: that is a new, "
                                "recorded reveal.")
ALREADY_ASKED = lazy_gettext("Your request was already sent: it is waiting for another facilitator or admin to "
                             "approve it.")
UNREADABLE = lazy_gettext("This identity cannot be opened with the current keys. An admin should check the key ring "
                          "(was an old master key retired too early?).")
NOT_YOURS_TO_DECIDE = lazy_gettext("You cannot decide that request: it is your own, or it was already decided.")


def _submission(submission_id: uuid.UUID) -> escrow.SubmissionFacts:
    return escrow.facts(get_db(), submission_id) or abort(404)


def _nothing_to_reveal(submission: escrow.SubmissionFacts):
    return render_template("escrow/nothing.html", submission=submission), 404


def _desk_url(submission_id: uuid.UUID) -> str:
    """The submission's page on the moderation desk."""
    return url_for("facilitate.submission", submission_id=submission_id)


def _reveal_page(submission: escrow.SubmissionFacts, form: RevealForm | None = None, *, identity=None,
                 notice: LazyString | None = None, status: int = 200):
    db = get_db()
    form = form or RevealForm(formdata=None)
    form.seen.data = escrow.latest_id(db, submission.id, auth.staff().id)  # what sending this form again is checked by
    return render_template(
        "escrow/reveal.html",
        submission=submission,
        form=form,
        identity=identity,
        needs_approval=escrow.needs_approval(db),
        my_request=escrow.latest_request(db, submission.id, auth.staff().id),
        confirm=ConfirmForm(),
        notice=notice,
        desk_url=_desk_url(submission.id),
        status_labels=STATUS_LABELS,
    ), status


@bp.route("/s/<uuid:submission_id>/reveal", methods=["GET", "POST"])
@roles(*MODERATORS)
def reveal(submission_id: uuid.UUID):
    submission = _submission(submission_id)
    if not submission.is_named:
        return _nothing_to_reveal(submission)
    form = RevealForm()
    if not form.validate_on_submit():
        return _reveal_page(submission, form, status=422 if form.is_submitted() else 200)
    db, me = get_db(), auth.staff()
    try:
        identity = escrow.reveal(db, keyring.current(), submission_id, form.reason.data, by=me.actor,
                                 now=clock.now(), seen=form.seen.data)
    except escrow.ApprovalRequired:
        return _ask_for_approval(submission, form)
    except escrow.AlreadySent:
        return _reveal_page(submission, notice=ALREADY_REVEALED)
    except escrow.NothingToReveal:
        return _nothing_to_reveal(submission)
    except escrow.Unreadable:
        return _reveal_page(submission, notice=UNREADABLE, status=500)
    return _reveal_page(submission, identity=identity)


def _ask_for_approval(submission: escrow.SubmissionFacts, form: RevealForm):
    try:
        escrow.request_reveal(get_db(), submission.id, form.reason.data, by=auth.staff().actor, now=clock.now(),
                              seen=form.seen.data)
    except escrow.AlreadySent:
        return _reveal_page(submission, notice=ALREADY_ASKED)
    except escrow.NothingToReveal:
        return _nothing_to_reveal(submission)
    return _reveal_page(submission, notice=REQUEST_SENT)


@bp.post("/s/<uuid:submission_id>/reveal/open")
@roles(*MODERATORS)
def open_approved(submission_id: uuid.UUID):
    submission = _submission(submission_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        identity = escrow.open_approved(get_db(), keyring.current(), submission_id, by=auth.staff().actor,
                                        now=clock.now())
    except escrow.NotAllowed:
        return _reveal_page(submission, notice=NO_APPROVED_REQUEST, status=409)
    except escrow.NothingToReveal:
        return _nothing_to_reveal(submission)
    except escrow.Unreadable:
        return _reveal_page(submission, notice=UNREADABLE, status=500)
    return _reveal_page(submission, identity=identity)


def _requests_page(notice: LazyString | None = None, status: int = 200):
    db, me = get_db(), auth.staff()
    return render_template("escrow/requests.html", pending=escrow.pending(db), mine=escrow.approved_for(db, me.id),
                           needs_approval=escrow.needs_approval(db), me=me, confirm=ConfirmForm(),
                           notice=notice), status


@bp.get("/reveals")
@roles(*MODERATORS)
def requests():
    return _requests_page()


def _decide(request_id: int, approve: bool):
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        escrow.decide(get_db(), request_id, approve, by=auth.staff().actor, now=clock.now())
    except escrow.NotAllowed:
        return _requests_page(NOT_YOURS_TO_DECIDE, 403)
    flash(gettext("Request approved: the requester can now open the identity once.") if approve
          else gettext("Request denied."))
    return redirect(url_for("escrow.requests"))


@bp.post("/reveals/<int:request_id>/approve")
@roles(*MODERATORS)
def approve(request_id: int):
    return _decide(request_id, True)


@bp.post("/reveals/<int:request_id>/deny")
@roles(*MODERATORS)
def deny(request_id: int):
    return _decide(request_id, False)
