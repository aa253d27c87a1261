"""The moderation desk: facilitators and admins list a town hall's submissions and act on many at once.

One submission's page (review, redact, hide, escalate, answer) is in feedback.views.submission.
"""

from __future__ import annotations

import uuid
from typing import Any

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext, ngettext

from feedback import auth, clock
from feedback.auth import MODERATORS, roles
from feedback.db import get_db
from feedback.forms.desk import (
    BULK_ACTIONS,
    HIDDEN_REASON_LABELS,
    STATUS_LABELS,
    BulkForm,
    DeskFilterForm,
    UndoForm,
)
from feedback.forms.tagging import UNTAGGED, BulkTagForm, theme_filter_choices
from feedback.i18n import explain
from feedback.models import TownHall
from feedback.services.moderation import desk as moderation
from feedback.services.moderation import undo as undoing
from feedback.services.themes import codebook_listing, tagging

bp = Blueprint("facilitate", __name__, url_prefix="/facilitate")

FILTER_ARGS = ("status", "affiliation", "q", "unanswered", "named", "theme", "page")


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
                                 named=filters.named.data, untagged=theme == UNTAGGED,
                                 theme_id=int(theme) if theme.isdigit() else None)


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
    offer = undoing.offer(db, user_id=auth.staff().id, town_hall_id=hall.id, now=clock.now(),
                          minutes=current_app.config["UNDO_MINUTES"])
    return render_template("facilitate/desk.html", town_hall=hall, desk=page, filters=filters, bulk=bulk,
                           form=form, wanted=wanted, filtered=wanted != moderation.DeskFilter(), args=desk_args(),
                           select_all=request.args.get("select") == "all", status_labels=STATUS_LABELS,
                           hidden_reason_labels=HIDDEN_REASON_LABELS,
                           codebook=choices, tag_form=tag_form, undo_offer=offer, undo_form=UndoForm(formdata=None),
                           undo_minutes=current_app.config["UNDO_MINUTES"],
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
                                           town_hall_id=hall.id, by=auth.staff().actor, now=clock.now(),
                                           undo_minutes=current_app.config["UNDO_MINUTES"])
    except moderation.InvalidModeration as error:
        form.selected.errors = [explain(error)]
        return desk_page(hall, form, 422)
    flash(bulk_done(form.action.data, changed))
    return redirect(url_for("facilitate.desk", slug=slug, **desk_args()))


@bp.post("/<slug>/undo/<uuid:change_id>")
@roles(*MODERATORS)
def undo(slug: str, change_id: uuid.UUID):
    """Undo a bulk action of one's own (the desk offers it for UNDO_MINUTES after the action)."""
    hall = find_town_hall(slug)
    if not UndoForm().validate_on_submit():
        abort(400)
    try:
        done = undoing.undo(get_db(), change_id, town_hall_id=hall.id, by=auth.staff().actor, now=clock.now(),
                            minutes=current_app.config["UNDO_MINUTES"])
    except undoing.CannotUndo as error:
        flash(explain(error), "error")
        return desk_page(hall, BulkForm(formdata=None), 409)
    flash(undone_message(done))
    return redirect(url_for("facilitate.desk", slug=slug, **desk_args()))


def bulk_done(action: str, n: int) -> str:
    """What a bulk action did, one whole sentence for each action."""
    if action == "publish":
        return ngettext("%(num)s submission published.", "%(num)s submissions published.", n)
    if action == "hide":
        return ngettext("%(num)s submission hidden.", "%(num)s submissions hidden.", n)
    return ngettext("%(num)s submission escalated.", "%(num)s submissions escalated.", n)


def undone_message(done: undoing.Undone) -> str:
    """What undoing did, in words: how many were put back and how many were left alone."""
    if not done.restored:
        said = gettext("Nothing was undone.")
    elif done.kind == undoing.STATUS:
        said = ngettext("Undone: %(num)s submission back to the status it had.",
                        "Undone: %(num)s submissions back to the status they had.", done.restored)
    else:
        said = ngettext("Undone: %(num)s submission without the themes the bulk tag gave it.",
                        "Undone: %(num)s submissions without the themes the bulk tag gave them.", done.restored)
    if done.skipped:
        said += " " + ngettext("%(num)s submission left alone: it was changed by someone since the bulk action.",
                               "%(num)s submissions left alone: they were changed by someone since the bulk "
                               "action.", done.skipped)
    return said


# The submission page's routes are on this blueprint too, in their own module.
from feedback.views import submission  # noqa: E402, F401
