"""Forms for tagging: a submission's themes, bulk tagging, suggestions and near-duplicate groups."""

from __future__ import annotations

import uuid

from flask_babel import lazy_gettext
from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectMultipleField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import ValidationError

from feedback.forms.fields import said
from feedback.services import selection
from feedback.services.themes.codebook_listing import Choice

UNTAGGED = "untagged"  # the desk's theme filter value for "not tagged yet"


def theme_filter_choices(options: list[Choice]) -> list[SelectChoice]:
    """The desk's theme filter: any, not tagged yet, then each theme (sub-themes under their parent's name)."""
    choices = [SelectChoice("", lazy_gettext("Any theme")), SelectChoice(UNTAGGED, lazy_gettext("Not tagged yet"))]
    for option in options:
        choices.append(SelectChoice(str(option.id), option.name))
        choices += [SelectChoice(str(child.id), f"{option.name}: {child.name}") for child in option.children]
    return choices


THEME_ID_LIMIT = 2**31  # a theme id is a 32-bit integer on both databases: anything larger is no theme


def _theme_ids(field) -> list[int]:
    """The chosen theme ids; anything but a whole number from 1 to below THEME_ID_LIMIT is not a theme."""
    try:
        ids = [int(value) for value in field.data or []]
    except ValueError:
        ids = [0]
    if not all(1 <= theme_id < THEME_ID_LIMIT for theme_id in ids):
        raise ValidationError(lazy_gettext("Some of the chosen themes are not in the codebook. Reload the page."))
    return ids


def _submission_ids(values) -> list[uuid.UUID]:
    return [uuid.UUID(value) for value in values or []]


class ThemesForm(FlaskForm):
    """A submission's themes: a checkbox per theme (none ticked removes them all)."""

    themes = SelectMultipleField(lazy_gettext("Themes"), validate_choice=False)

    @property
    def theme_ids(self) -> list[int]:
        return [int(value) for value in self.themes.data or []]

    def validate_themes(self, field) -> None:
        _theme_ids(field)


class BulkTagForm(FlaskForm):
    """The desk's selected submissions (checkboxes named "selected") and the themes to tag them with."""

    selected = SelectMultipleField(lazy_gettext("Submissions"), validate_choice=False)
    themes = SelectMultipleField(lazy_gettext("Tag selected with"), validate_choice=False)

    @property
    def selected_ids(self) -> list[uuid.UUID]:
        return _submission_ids(self.selected.data)

    @property
    def theme_ids(self) -> list[int]:
        return [int(value) for value in self.themes.data or []]

    def validate_selected(self, field) -> None:
        if not field.data:
            raise ValidationError(said(selection.NOTHING_SELECTED))
        try:
            _submission_ids(field.data)
        except ValueError:
            raise ValidationError(said(selection.NOT_VALID)) from None

    def validate_themes(self, field) -> None:
        if not field.data:
            raise ValidationError(lazy_gettext("Choose at least one theme to tag the selected submissions with."))
        _theme_ids(field)


class SuggestionForm(FlaskForm):
    """Accept or dismiss a suggested theme: the theme is in the URL; the field only carries an error back."""

    suggestion = HiddenField(lazy_gettext("Suggested themes"))


class GroupForm(FlaskForm):
    """Group a similar submission under this one, or take one out of its group (the button's value)."""

    member = StringField(lazy_gettext("Near-duplicates"))

    @property
    def member_id(self) -> uuid.UUID:
        return uuid.UUID(self.member.data)

    def validate_member(self, field) -> None:
        try:
            uuid.UUID(field.data or "")
        except ValueError:
            raise ValidationError(lazy_gettext("Choose a submission from the list. Reload the page and try "
                                               "again.")) from None
