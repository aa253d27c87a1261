"""One submission on the moderation desk: review, redact, publish, hide, escalate, tag and answer it.

Its routes are on the facilitate blueprint (feedback.views.facilitate), under /facilitate/s/<id>.
"""

from __future__ import annotations

import uuid

from flask import abort, current_app, flash, redirect, render_template, url_for

from feedback import auth, clock
from feedback.auth import MODERATORS, roles
from feedback.db import get_db
from feedback.forms.desk import RedactionForm, StaffReplyForm, StatusForm
from feedback.forms.tagging import GroupForm, SuggestionForm, ThemesForm
from feedback.models import Submission
from feedback.services.moderation import desk as moderation
from feedback.services.moderation import identifying, replies
from feedback.services.themes import codebook_listing, duplicates, suggestions, tagging
from feedback.views.facilitate import bp


def find_submission(submission_id: uuid.UUID) -> Submission:
    submission = moderation.get_submission(get_db(), submission_id)
    if submission is None:
        abort(404)
    return submission


def _tagging(submission: Submission, themes_form: ThemesForm | None, suggestion: SuggestionForm | None,
             grouping: GroupForm | None) -> dict:
    """The submission page's themes, suggestions and near-duplicates, with their forms."""
    db = get_db()
    chips = tagging.themes_of(db, [submission.id])[submission.id]
    themes_form = themes_form or ThemesForm(formdata=None, themes=[str(chip.id) for chip in chips])
    return {"codebook": codebook_listing.choices(db), "archived_themes": [chip for chip in chips if chip.archived],
            "themes_form": themes_form, "suggested": suggestions.for_submission(db, submission),
            "suggestion_form": suggestion or SuggestionForm(formdata=None),
            "duplicates": duplicates.panel(db, submission), "group_form": grouping or GroupForm(formdata=None)}


def submission_page(submission: Submission, *, redaction: RedactionForm | None = None,
                    status_form: StatusForm | None = None, reply: StaffReplyForm | None = None,
                    themes_form: ThemesForm | None = None, suggestion: SuggestionForm | None = None,
                    grouping: GroupForm | None = None, status: int = 200):
    """The submission page; the form given (from this blueprint or the tagging one) comes back filled in."""
    names = current_app.config["IDENTIFYING_NAMES"]
    redaction = redaction or RedactionForm(formdata=None, redacted=submission.shown_body)
    status_form = status_form or StatusForm(formdata=None, status=submission.status,
                                            hidden_reason=submission.hidden_reason or "")
    reply = reply or StaffReplyForm(formdata=None)
    extra = _tagging(submission, themes_form, suggestion, grouping)
    forms = (redaction, status_form, reply, extra["themes_form"], extra["suggestion_form"], extra["group_form"])
    failed = next((f for f in forms if f.errors), None)
    return render_template(
        "facilitate/submission.html", submission=submission, town_hall=submission.town_hall,
        body=identifying.segments(submission.body, names),
        redacted=identifying.segments(submission.redacted_body, names) if submission.redacted_body else None,
        labels=identifying.LABELS, thread=replies.thread(get_db(), submission.id),
        redaction=redaction, status_form=status_form, reply=reply, form=failed or redaction, **extra,
    ), status


@bp.get("/s/<uuid:submission_id>")
@roles(*MODERATORS)
def submission(submission_id: uuid.UUID):
    return submission_page(find_submission(submission_id))


@bp.post("/s/<uuid:submission_id>/redaction")
@roles(*MODERATORS)
def redact(submission_id: uuid.UUID):
    found = find_submission(submission_id)
    form = RedactionForm()
    if not form.validate_on_submit():
        return submission_page(found, redaction=form, status=422)
    try:
        changed = moderation.redact(get_db(), found.id, form.redacted.data, by=auth.staff().actor, now=clock.now())
    except moderation.InvalidModeration as error:
        form.redacted.errors = [str(error)]
        return submission_page(found, redaction=form, status=422)
    if not changed:
        flash("Nothing changed.")
    elif found.redacted_body:
        flash("Redaction saved. Everyone but facilitators and admins now sees the redacted text.")
    else:
        flash("Redaction removed. Everyone now sees the original text.")
    return redirect(url_for("facilitate.submission", submission_id=found.id))


@bp.post("/s/<uuid:submission_id>/status")
@roles(*MODERATORS)
def set_status(submission_id: uuid.UUID):
    found = find_submission(submission_id)
    form = StatusForm()
    if not form.validate_on_submit():
        return submission_page(found, status_form=form, status=422)
    try:
        changed = moderation.change_status(get_db(), [found.id], form.status.data,
                                           hidden_reason=form.hidden_reason.data or None, note=form.note.data or "",
                                           by=auth.staff().actor, now=clock.now())
    except moderation.InvalidModeration as error:
        form.status.errors = [str(error)]
        return submission_page(found, status_form=form, status=422)
    flash(f"Status changed to {found.status}." if changed else "Nothing changed.")
    return redirect(url_for("facilitate.submission", submission_id=found.id))


@bp.post("/s/<uuid:submission_id>/reply")
@roles(*MODERATORS)
def reply(submission_id: uuid.UUID):
    found = find_submission(submission_id)
    form = StaffReplyForm()
    if not form.validate_on_submit():
        return submission_page(found, reply=form, status=422)
    replies.add_staff_reply(get_db(), found.id, form.reply.data, by=auth.staff().actor, now=clock.now())
    flash("Reply sent. The submitter sees it when they check their receipt.")
    return redirect(url_for("facilitate.submission", submission_id=found.id))


@bp.post("/s/<uuid:submission_id>/save-and-next")
@roles(*MODERATORS)
def save_and_next(submission_id: uuid.UUID):
    abort(404)
