"""Tagging on the moderation desk: themes, bulk tagging, suggested themes and near-duplicate groups."""

from __future__ import annotations

import uuid
from collections.abc import Callable

from flask import Blueprint, current_app, flash, redirect, url_for
from flask_babel import gettext, ngettext

from feedback import auth, clock
from feedback.auth import MODERATORS, roles
from feedback.db import get_db
from feedback.forms.desk import BulkForm
from feedback.forms.tagging import BulkTagForm, GroupForm, SuggestionForm, ThemesForm
from feedback.i18n import explain
from feedback.services.themes import duplicates, suggestions, tagging
from feedback.views.facilitate import desk_args, desk_page, find_town_hall
from feedback.views.submission import NOTHING_CHANGED, find_submission, submission_page, themes_changed

bp = Blueprint("tagging", __name__, url_prefix="/facilitate")


def _back(submission_id: uuid.UUID):
    return redirect(url_for("facilitate.submission", submission_id=submission_id))


@bp.post("/s/<uuid:submission_id>/themes")
@roles(*MODERATORS)
def set_themes(submission_id: uuid.UUID):
    found = find_submission(submission_id)
    form = ThemesForm()
    if not form.validate_on_submit():
        return submission_page(found, themes_form=form, status=422)
    try:
        change = tagging.set_themes(get_db(), found.id, form.theme_ids, by=auth.staff().actor, now=clock.now())
    except tagging.InvalidTagging as error:
        form.themes.errors = [explain(error)]
        return submission_page(found, themes_form=form, status=422)
    flash(" ".join(themes_changed(change.added, change.removed)) or str(NOTHING_CHANGED))
    return _back(found.id)


@bp.post("/<slug>/tag")
@roles(*MODERATORS)
def bulk_tag(slug: str):
    hall = find_town_hall(slug)
    form = BulkTagForm()
    if not form.validate_on_submit():
        return desk_page(hall, BulkForm(), 422, tag_form=form)
    try:
        changed = tagging.bulk_tag(get_db(), form.selected_ids, form.theme_ids, town_hall_id=hall.id,
                                   by=auth.staff().actor, now=clock.now(),
                                   undo_minutes=current_app.config["UNDO_MINUTES"])
    except tagging.InvalidTagging as error:
        form.themes.errors = [explain(error)]
        return desk_page(hall, BulkForm(), 422, tag_form=form)
    flash(ngettext("%(num)s submission tagged.", "%(num)s submissions tagged.", changed) if changed
          else gettext("Nothing changed: the selected submissions already had those themes."))
    return redirect(url_for("facilitate.desk", slug=slug, **desk_args()))


def _decide(submission_id: uuid.UUID, theme_id: int, decide, said: Callable[[str], str]):
    found = find_submission(submission_id)
    form = SuggestionForm()
    if not form.validate_on_submit():
        return submission_page(found, suggestion=form, status=422)
    try:
        name = decide(get_db(), found.id, theme_id, by=auth.staff().actor, now=clock.now())
    except tagging.InvalidTagging as error:
        form.suggestion.errors = [explain(error)]
        return submission_page(found, suggestion=form, status=422)
    flash(said(name))
    return _back(found.id)


@bp.post("/s/<uuid:submission_id>/suggestions/<int:theme_id>/accept")
@roles(*MODERATORS)
def accept(submission_id: uuid.UUID, theme_id: int):
    return _decide(submission_id, theme_id, suggestions.accept,
                   lambda name: gettext("Tagged with %(themes)s.", themes=name))


@bp.post("/s/<uuid:submission_id>/suggestions/<int:theme_id>/dismiss")
@roles(*MODERATORS)
def dismiss(submission_id: uuid.UUID, theme_id: int):
    return _decide(submission_id, theme_id, suggestions.dismiss, lambda name: gettext(
        "Suggestion dismissed: %(name)s will not be suggested for this submission again.", name=name))


@bp.post("/s/<uuid:submission_id>/duplicates")
@roles(*MODERATORS)
def group(submission_id: uuid.UUID):
    found = find_submission(submission_id)
    form = GroupForm()
    if not form.validate_on_submit():
        return submission_page(found, grouping=form, status=422)
    try:
        joined = duplicates.group(get_db(), found.id, form.member_id, by=auth.staff().actor, now=clock.now())
    except duplicates.InvalidGrouping as error:
        form.member.errors = [explain(error)]
        return submission_page(found, grouping=form, status=422)
    flash(ngettext("Grouped %(num)s submission under this one; they now carry its themes.",
                   "Grouped %(num)s submissions under this one; they now carry its themes.", joined) if joined
          else gettext("Nothing changed: it is already in this group."))
    return _back(found.id)


@bp.post("/s/<uuid:submission_id>/ungroup")
@roles(*MODERATORS)
def ungroup(submission_id: uuid.UUID):
    found = find_submission(submission_id)
    form = GroupForm()
    if not form.validate_on_submit():
        return submission_page(found, grouping=form, status=422)
    try:
        duplicates.ungroup(get_db(), form.member_id, within=found.id, by=auth.staff().actor, now=clock.now())
    except duplicates.InvalidGrouping as error:
        form.member.errors = [explain(error)]
        return submission_page(found, grouping=form, status=422)
    flash(gettext("Taken out of the group. The themes it received stay until you change them."))
    return _back(found.id)
