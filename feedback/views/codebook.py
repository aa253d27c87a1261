"""The theme codebook: facilitators and admins add, edit, merge, archive, export and import themes."""

from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, render_template, url_for
from flask_babel import gettext, ngettext
from flask_wtf import FlaskForm

from feedback import auth, clock
from feedback.auth import MODERATORS, roles
from feedback.db import get_db
from feedback.forms.staff import ConfirmForm
from feedback.forms.themes import ImportForm, MergeForm, ThemeForm
from feedback.i18n import explain
from feedback.models import Theme
from feedback.services.themes import codebook, codebook_csv, codebook_listing

bp = Blueprint("codebook", __name__, url_prefix="/facilitate/themes")


def _show(form: FlaskForm, error: codebook.CodebookError) -> None:
    """Put a service's message on the field it is about (the first field when it names none)."""
    field = form._fields.get(error.field) or next(f for f in form if f.type != "CSRFTokenField")
    field.errors = [*field.errors, explain(error)]


def _index_page(form: ThemeForm | None = None, upload: ImportForm | None = None,
                line_errors: list[codebook_csv.LineError] | None = None, status: int = 200):
    db = get_db()
    form = form or ThemeForm(formdata=None, parents=codebook_listing.parent_options(db))
    upload = upload or ImportForm(formdata=None)
    problems = [(problem.line, explain(problem.message)) for problem in line_errors or []]
    return render_template("codebook/index.html", codebook=codebook_listing.codebook(db), theme_form=form,
                           upload=upload, line_errors=problems, confirm=ConfirmForm(),
                           form=upload if upload.errors else form), status


@bp.get("")
@roles(*MODERATORS)
def index():
    return _index_page()


@bp.post("")
@roles(*MODERATORS)
def create():
    form = ThemeForm(parents=codebook_listing.parent_options(get_db()))
    if not form.validate_on_submit():
        return _index_page(form, status=422)
    try:
        theme = codebook.create(get_db(), form.values(), by=auth.staff().actor, now=clock.now(),
                                versions=form.versions())
    except codebook.CodebookError as error:
        _show(form, error)
        return _index_page(form, status=422)
    flash(gettext("Added the theme “%(name)s”.", name=theme.name))
    return redirect(url_for("codebook.index"))


def _theme(theme_id: int) -> Theme:
    theme = codebook.get(get_db(), theme_id)
    if theme is None:
        abort(404)
    return theme


def _edit_page(theme: Theme, form: ThemeForm | None = None, merge_form: MergeForm | None = None, status: int = 200):
    db = get_db()
    form = form or ThemeForm.for_theme(theme, codebook_listing.parent_options(db, theme.id))
    merge_form = merge_form or MergeForm(formdata=None, targets=codebook_listing.merge_targets(db, theme.id))
    return render_template("codebook/edit.html", theme=theme, theme_form=form, merge_form=merge_form,
                           confirm=ConfirmForm(), form=merge_form if merge_form.errors else form), status


@bp.get("/<int:theme_id>")
@roles(*MODERATORS)
def edit(theme_id: int):
    return _edit_page(_theme(theme_id))


@bp.post("/<int:theme_id>")
@roles(*MODERATORS)
def update(theme_id: int):
    theme = _theme(theme_id)
    form = ThemeForm(parents=codebook_listing.parent_options(get_db(), theme.id))
    if not form.validate_on_submit():
        return _edit_page(theme, form, status=422)
    try:
        changed = codebook.update(get_db(), theme.id, form.values(), by=auth.staff().actor, now=clock.now(),
                                  versions=form.versions())
    except codebook.CodebookError as error:
        _show(form, error)
        return _edit_page(theme, form, status=422)
    flash(gettext("Saved “%(name)s”.", name=form.name.data) if changed else gettext("Nothing changed."))
    return redirect(url_for("codebook.index"))


@bp.post("/<int:theme_id>/merge")
@roles(*MODERATORS)
def merge(theme_id: int):
    theme = _theme(theme_id)
    form = MergeForm(targets=codebook_listing.merge_targets(get_db(), theme.id))
    if not form.validate_on_submit():
        return _edit_page(theme, merge_form=form, status=422)
    try:
        result = codebook.merge(get_db(), theme.id, int(form.target.data), by=auth.staff().actor, now=clock.now())
    except codebook.CodebookError as error:
        _show(form, error)
        return _edit_page(theme, merge_form=form, status=422)
    flash(ngettext("Merged “%(source)s” into “%(target)s”: %(num)s tagging moved; %(both)s already had both themes.",
                   "Merged “%(source)s” into “%(target)s”: %(num)s taggings moved; %(both)s already had both themes.",
                   result.moved, source=result.source, target=result.target, both=result.already_tagged))
    return redirect(url_for("codebook.index"))


def _set_archived(theme_id: int, archived: bool):
    if not ConfirmForm().validate_on_submit():
        abort(400)
    theme = _theme(theme_id)
    try:
        changed = codebook.set_archived(get_db(), theme.id, archived, by=auth.staff().actor, now=clock.now())
    except codebook.CodebookError as error:
        flash(explain(error), "error")
        return redirect(url_for("codebook.index"))
    if not changed:
        flash(gettext("Nothing changed."))
    elif archived:
        flash(gettext("Archived “%(name)s”: it is no longer offered for tagging; its taggings still count.",
                      name=theme.name))
    else:
        flash(gettext("“%(name)s” is back in use.", name=theme.name))
    return redirect(url_for("codebook.index"))


@bp.post("/<int:theme_id>/archive")
@roles(*MODERATORS)
def archive(theme_id: int):
    return _set_archived(theme_id, True)


@bp.post("/<int:theme_id>/unarchive")
@roles(*MODERATORS)
def unarchive(theme_id: int):
    return _set_archived(theme_id, False)


@bp.get("/codebook.csv")
@roles(*MODERATORS)
def export():
    text = codebook_csv.export_csv(get_db(), by=auth.staff().actor, now=clock.now())
    return Response(text, mimetype="text/csv", headers={"Content-Disposition": "attachment; filename=codebook.csv"})


@bp.post("/import")
@roles(*MODERATORS)
def import_csv():
    upload = ImportForm()
    if not upload.validate_on_submit():
        return _index_page(upload=upload, status=422)
    data = upload.file.data.read(codebook_csv.IMPORT_BYTES_MAX + 1)
    try:
        result = codebook_csv.import_csv(get_db(), data, by=auth.staff().actor, now=clock.now())
    except codebook_csv.ImportRefused as refused:
        _show(upload, refused)
        return _index_page(upload=upload, line_errors=refused.errors, status=422)
    flash(gettext("Imported the codebook: %(added)s added, %(updated)s updated, %(unchanged)s unchanged.",
                  added=len(result.created), updated=len(result.updated), unchanged=result.unchanged))
    return redirect(url_for("codebook.index"))
