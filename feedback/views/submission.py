"""One submission on the moderation desk: review, redact, publish, hide, escalate, tag and answer it.

One "Moderate" form saves the themes, the redaction and the status in one POST, then shows this page
again or the next pending submission ("Save and next"); the separate routes for each part still work.

Its routes are on the facilitate blueprint (feedback.views.facilitate), under /facilitate/s/<id>.
"""

from __future__ import annotations

import uuid

from flask import abort, current_app, flash, get_flashed_messages, redirect, render_template, url_for
from flask_babel import gettext, lazy_gettext
from flask_wtf import FlaskForm

from feedback import auth, clock
from feedback.auth import MODERATORS, roles
from feedback.db import get_db
from feedback.forms.desk import HIDDEN_REASON_LABELS, STATUS_LABELS, RedactionForm, StaffReplyForm, StatusForm
from feedback.forms.moderate import ModerateForm
from feedback.forms.tagging import GroupForm, SuggestionForm, ThemesForm
from feedback.i18n import explain
from feedback.models import Submission
from feedback.services.moderation import desk as moderation
from feedback.services.moderation import identifying, next_pending, one_step, replies
from feedback.services.themes import codebook_listing, duplicates, suggestions, tagging
from feedback.views.facilitate import bp

REDACTION_SAVED = lazy_gettext("Redaction saved. Everyone but facilitators and admins now sees the redacted text.")
REDACTION_REMOVED = lazy_gettext("Redaction removed. Everyone now sees the original text.")
NOTHING_CHANGED = lazy_gettext("Nothing changed.")
# What a status change says, one whole sentence for each status.
STATUS_CHANGED = {
    "pending": lazy_gettext("Status changed to pending."),
    "published": lazy_gettext("Status changed to published."),
    "hidden": lazy_gettext("Status changed to hidden."),
    "escalated": lazy_gettext("Status changed to escalated."),
}
# A likely identifying detail, as its highlight's title and as its entry in the list of them.
FLAG_TITLES = {
    identifying.EMAIL: lazy_gettext("Possible email address"),
    identifying.PHONE: lazy_gettext("Possible phone number"),
    identifying.HANDLE: lazy_gettext("Possible social media handle"),
    identifying.NAME: lazy_gettext("Possible personal name"),
    identifying.TITLE: lazy_gettext("Possible title and name"),
    identifying.DATE: lazy_gettext("Possible date"),
    identifying.YEAR: lazy_gettext("Possible year"),
    identifying.COHORT: lazy_gettext("Possible cohort or year of training"),
    identifying.ONLY: lazy_gettext("Possible 'the only ...' phrase"),
}
FLAG_NAMES = {
    identifying.EMAIL: lazy_gettext("Email address"),
    identifying.PHONE: lazy_gettext("Phone number"),
    identifying.HANDLE: lazy_gettext("Social media handle"),
    identifying.NAME: lazy_gettext("Personal name"),
    identifying.TITLE: lazy_gettext("Title and name"),
    identifying.DATE: lazy_gettext("Date"),
    identifying.YEAR: lazy_gettext("Year"),
    identifying.COHORT: lazy_gettext("Cohort or year of training"),
    identifying.ONLY: lazy_gettext("'the only ...' phrase"),
}
OPENED_BY_NEXT = "opened-by-next"  # the category of the message "Save and next" leaves for the page it opens


def find_submission(submission_id: uuid.UUID) -> Submission:
    submission = moderation.get_submission(get_db(), submission_id)
    if submission is None:
        abort(404)
    return submission


def _moderate_form(submission: Submission, theme_ids: list[str], given: ModerateForm | None,
                   parts: tuple[FlaskForm | None, ...]) -> ModerateForm:
    """The Moderate form: as posted, or filled from the submission with a separate form's fields laid over it.

    The separate themes, redaction and status forms still post to their own routes; their fields have
    the same names as the Moderate form's, so when one is refused it comes back inside this form as typed.
    """
    if given is not None:
        return given
    form = ModerateForm(formdata=None, themes=theme_ids, redacted=submission.shown_body, status=submission.status,
                        hidden_reason=submission.hidden_reason or "")
    form.show(one_step.shown(get_db(), submission))
    for part in parts:
        for field in part or ():
            if field.name in form and field.type != "CSRFTokenField":
                form[field.name].data, form[field.name].errors = field.data, list(field.errors)
    return form


def _tagging(submission: Submission, suggestion: SuggestionForm | None, grouping: GroupForm | None) -> dict:
    """The submission page's codebook, suggestions and near-duplicates, with their forms."""
    db = get_db()
    chips = tagging.themes_of(db, [submission.id])[submission.id]
    return {"codebook": codebook_listing.choices(db), "chips": chips,
            "archived_themes": [chip for chip in chips if chip.archived],
            "suggested": suggestions.for_submission(db, submission),
            "suggestion_form": suggestion or SuggestionForm(formdata=None),
            "duplicates": duplicates.panel(db, submission), "group_form": grouping or GroupForm(formdata=None)}


def submission_page(submission: Submission, *, moderate: ModerateForm | None = None,
                    redaction: RedactionForm | None = None, status_form: StatusForm | None = None,
                    reply: StaffReplyForm | None = None, themes_form: ThemesForm | None = None,
                    suggestion: SuggestionForm | None = None, grouping: GroupForm | None = None, status: int = 200):
    """The submission page; the form given (from this blueprint or the tagging one) comes back filled in."""
    names = current_app.config["IDENTIFYING_NAMES"]
    reply = reply or StaffReplyForm(formdata=None)
    extra = _tagging(submission, suggestion, grouping)
    moderate = _moderate_form(submission, [str(chip.id) for chip in extra.pop("chips")], moderate,
                              (themes_form, redaction, status_form))
    forms = (moderate, reply, extra["suggestion_form"], extra["group_form"])
    failed = next((f for f in forms if f.errors), None)
    return render_template(
        "facilitate/submission.html", submission=submission, town_hall=submission.town_hall,
        body=identifying.segments(submission.body, names),
        redacted=identifying.segments(submission.redacted_body, names) if submission.redacted_body else None,
        flag_titles=FLAG_TITLES, flag_names=FLAG_NAMES, status_labels=STATUS_LABELS,
        hidden_reason_labels=HIDDEN_REASON_LABELS, explain=explain, thread=replies.thread(get_db(), submission.id),
        opened_by_next=bool(get_flashed_messages(category_filter=[OPENED_BY_NEXT])),
        moderate=moderate, reply=reply, form=failed or moderate, **extra,
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
        form.redacted.errors = [explain(error)]
        return submission_page(found, redaction=form, status=422)
    if not changed:
        flash(str(NOTHING_CHANGED))
    elif found.redacted_body:
        flash(str(REDACTION_SAVED))
    else:
        flash(str(REDACTION_REMOVED))
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
        form.status.errors = [explain(error)]
        return submission_page(found, status_form=form, status=422)
    flash(str(STATUS_CHANGED[found.status] if changed else NOTHING_CHANGED))
    return redirect(url_for("facilitate.submission", submission_id=found.id))


@bp.post("/s/<uuid:submission_id>/reply")
@roles(*MODERATORS)
def reply(submission_id: uuid.UUID):
    found = find_submission(submission_id)
    form = StaffReplyForm()
    if not form.validate_on_submit():
        return submission_page(found, reply=form, status=422)
    replies.add_staff_reply(get_db(), found.id, form.reply.data, by=auth.staff().actor, now=clock.now())
    flash(gettext("Reply sent. The submitter sees it when they check their receipt."))
    return redirect(url_for("facilitate.submission", submission_id=found.id))


@bp.post("/s/<uuid:submission_id>/save-and-next")
@roles(*MODERATORS)
def save_and_next(submission_id: uuid.UUID):
    """Save the Moderate form in one POST; then this page again, or the next pending submission."""
    found = find_submission(submission_id)
    form = ModerateForm()
    if not form.validate_on_submit():
        return submission_page(found, moderate=form, status=422)
    hall = found.town_hall
    try:
        outcome = one_step.save(get_db(), found, form.decision, by=auth.staff().actor, now=clock.now())
    except one_step.Gone as error:
        flash(explain(error))
        return redirect(url_for("facilitate.desk", slug=hall.slug))
    except one_step.Conflict as error:
        current = find_submission(submission_id)
        _as_now(form, current, error)
        return submission_page(current, moderate=form, status=409)
    except one_step.Refused as error:
        form[error.field].errors = [explain(error)]
        return submission_page(find_submission(submission_id), moderate=form, status=422)
    said = _said(outcome, found)
    if not form.goes_next:
        flash(said)
        return redirect(url_for("facilitate.submission", submission_id=found.id))
    following = next_pending.after(get_db(), found)
    if following is None:
        flash(said)
        flash(gettext("No more pending submissions in %(title)s.", title=hall.title))
        return redirect(url_for("facilitate.desk", slug=hall.slug))
    flash(said, OPENED_BY_NEXT)  # the next page puts focus in its form (static/js/submission.js)
    return redirect(url_for("facilitate.submission", submission_id=following))


def _as_now(form: ModerateForm, submission: Submission, conflict: one_step.Conflict) -> None:
    """After a conflict: the parts this person changed as they typed them, the others as they are now.

    The hidden fields then say the page shows the submission as it is now, so saving again is a choice
    made knowing what the colleague did, and it still leaves alone the parts this person did not change.
    """
    changed = form.decision.changed_parts()
    if "redacted" not in changed:
        form.redacted.data = submission.shown_body
    if "themes" not in changed:
        form.themes.data = [str(i) for i in sorted(conflict.now.theme_ids)]
    if "status" not in changed:
        form.status.data, form.hidden_reason.data = submission.status, submission.hidden_reason or ""
    form.show(conflict.now)
    form[conflict.field].errors = [" ".join(explain(sentence) for sentence in conflict.sentences)]


def themes_changed(added: list[str], removed: list[str]) -> list[str]:
    """What tagging did, in words: the themes gained, then those lost (the themes form and this one alike)."""
    said = [gettext("Tagged with %(themes)s.", themes=", ".join(added))] if added else []
    if removed:
        said.append(gettext("No longer tagged with %(themes)s.", themes=", ".join(removed)))
    return said


def _said(outcome: one_step.Outcome, submission: Submission) -> str:
    """The sentences the separate forms say, for the parts that changed."""
    said = themes_changed(outcome.themes.added, outcome.themes.removed)
    if outcome.redaction:
        said.append(str(REDACTION_SAVED if submission.redacted_body else REDACTION_REMOVED))
    if outcome.status:
        said.append(str(STATUS_CHANGED[submission.status]))
    return " ".join(said) or str(NOTHING_CHANGED)
