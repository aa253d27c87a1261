"""The moderation desk: facilitators and admins review, redact, hide, escalate and answer submissions."""

from __future__ import annotations

import uuid
from typing import Any

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for

from feedback import auth, clock
from feedback.auth import MODERATORS, roles
from feedback.db import get_db
from feedback.forms.desk import (
    BULK_ACTIONS,
    STATUS_LABELS,
    BulkForm,
    DeskFilterForm,
    RedactionForm,
    StaffReplyForm,
    StatusForm,
)
from feedback.forms.tagging import UNTAGGED, BulkTagForm, GroupForm, SuggestionForm, ThemesForm, theme_filter_choices
from feedback.models import Submission, TownHall
from feedback.services.moderation import desk as moderation
from feedback.services.moderation import identifying, replies
from feedback.services.themes import codebook_listing, duplicates, suggestions, tagging

bp = Blueprint("facilitate", __name__, url_prefix="/facilitate")

FILTER_ARGS = ("status", "affiliation", "q", "unanswered", "theme", "page")


@bp.get("")
@roles(*MODERATORS)
def index():
    return render_template("facilitate/index.html", town_halls=moderation.town_halls_with_counts(get_db()))


def find_town_hall(slug: str) -> TownHall:
    hall = moderation.town_hall(get_db(), slug)
    if hall is None:
        abort(404)
    return hall


def desk_args() -> dict[str, Any]:
    """The desk's query arguments, to carry through a bulk action and back."""
    # Values are strings; typed Any so that url_for(**desk_args()) checks against its _external etc.
    return {name: request.args[name] for name in FILTER_ARGS if request.args.get(name)}


def _wanted(filters: DeskFilterForm) -> moderation.DeskFilter:
    """The filters as chosen, leaving out any that is not valid (its message is shown instead)."""

    def valid(field) -> str:
        return "" if field.errors else field.data or ""

    theme = valid(filters.theme)
    return moderation.DeskFilter(status=valid(filters.status), affiliation=valid(filters.affiliation),
                                 search=valid(filters.q), unanswered=filters.unanswered.data,
                                 untagged=theme == UNTAGGED, theme_id=int(theme) if theme.isdigit() else None)


def desk_page(hall: TownHall, bulk: BulkForm, status: int = 200, tag_form: BulkTagForm | None = None):
    """The desk; bulk (or tag_form, from the tagging blueprint) comes back filled in when it failed."""
    db = get_db()
    choices = codebook_listing.choices(db)
    filters = DeskFilterForm(formdata=request.args, affiliations=moderation.affiliations(db, hall.id),
                             themes=theme_filter_choices(choices))
    if not filters.validate():
        status = max(status, 422)
    wanted = _wanted(filters)
    page = moderation.desk(db, hall.id, wanted, request.args.get("page", 1, type=int),
                           current_app.config["DESK_PAGE_SIZE"])
    tag_form = tag_form or BulkTagForm(formdata=None)
    form = next((f for f in (bulk, tag_form) if f.errors), filters)
    return render_template("facilitate/desk.html", town_hall=hall, desk=page, filters=filters, bulk=bulk,
                           form=form, wanted=wanted, filtered=wanted != moderation.DeskFilter(), args=desk_args(),
                           select_all=request.args.get("select") == "all", status_labels=STATUS_LABELS,
                           codebook=choices, tag_form=tag_form,
                           row_themes=tagging.themes_of(db, [row.id for row in page.rows])), status


@bp.get("/<slug>")
@roles(*MODERATORS)
def desk(slug: str):
    return desk_page(find_town_hall(slug), BulkForm(formdata=None))


@bp.post("/<slug>/bulk")
@roles(*MODERATORS)
def bulk(slug: str):
    hall = find_town_hall(slug)
    form = BulkForm()
    if not form.validate_on_submit():
        return desk_page(hall, form, 422)
    try:
        changed = moderation.change_status(get_db(), form.selected_ids, BULK_ACTIONS[form.action.data],
                                           hidden_reason=form.hidden_reason.data or None, note=form.note.data or "",
                                           town_hall_id=hall.id,
                                           by=auth.staff().actor, now=clock.now())
    except moderation.InvalidModeration as error:
        form.selected.errors = [str(error)]
        return desk_page(hall, form, 422)
    flash(f"{changed} submission{'' if changed == 1 else 's'} {BULK_ACTIONS[form.action.data].value}.")
    return redirect(url_for("facilitate.desk", slug=slug, **desk_args()))


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
