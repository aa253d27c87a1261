"""Forms of the theme codebook: a theme, a merge, and a CSV file to import."""

from __future__ import annotations

from flask_babel import LazyString, format_number, gettext, lazy_gettext
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import BooleanField, ColorField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Regexp, ValidationError

from feedback.forms.fields import said, strip
from feedback.models import Theme
from feedback.services import content_language
from feedback.services.themes.codebook import VERSIONED
from feedback.services.themes.codebook_values import (
    COLOUR,
    COLOUR_FORMAT,
    DEFAULT_COLOUR,
    DEFINITION_MAX,
    EXAMPLE_MAX,
    NAME_MAX,
    SHORTEN_DEFINITION,
    SHORTEN_EXAMPLE,
    SHORTEN_NAME,
    ThemeValues,
)

NO_PARENT = SelectChoice("", lazy_gettext("None: a top-level theme"))


# The number written as it reads in the reader's language (1,000 or 1000).
SHORTEN_EXAMPLE_WRITTEN = LazyString(lambda: gettext(SHORTEN_EXAMPLE.id, max=format_number(EXAMPLE_MAX)))


def _choices(themes: list[Theme], first: SelectChoice) -> list[SelectChoice]:
    return [first] + [SelectChoice(str(theme.id), theme.name) for theme in themes]


def _lower(value: str | None) -> str | None:
    return value.lower() if value else value


class ThemeForm(FlaskForm):
    # maxlength is left off the inputs: a long entry gets a message, never a silent cut.
    name = StringField(lazy_gettext("Name"), filters=[strip], render_kw={"maxlength": False}, validators=[
        DataRequired(lazy_gettext("Enter a name for the theme.")),
        Length(max=NAME_MAX, message=said(SHORTEN_NAME))])
    # The Spanish version (optional), shown to readers of Spanish pages; lang tells a screen reader its language.
    name_es = StringField(lazy_gettext("Name in Spanish"), filters=[strip],
                          render_kw={"maxlength": False, "lang": "es"},
                          validators=[Length(max=NAME_MAX, message=said(SHORTEN_NAME))])
    definition = StringField(lazy_gettext("Definition"), filters=[strip], render_kw={"maxlength": False}, validators=[
        Length(max=DEFINITION_MAX, message=said(SHORTEN_DEFINITION))])
    example = TextAreaField(lazy_gettext("Example"), filters=[strip], render_kw={"maxlength": False, "rows": 3},
                            validators=[Length(max=EXAMPLE_MAX, message=SHORTEN_EXAMPLE_WRITTEN)])
    colour = ColorField(lazy_gettext("Colour"), default=DEFAULT_COLOUR, filters=[strip, _lower], validators=[
        Regexp(COLOUR.pattern + "$", message=said(COLOUR_FORMAT))])
    keywords = TextAreaField(lazy_gettext("Keywords"), filters=[strip], render_kw={"rows": 4})
    parent = SelectField(lazy_gettext("Parent theme"), default="", validate_choice=False)

    def __init__(self, *args, parents: list[Theme], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.parent.choices = _choices(parents, NO_PARENT)

    def validate_parent(self, field) -> None:
        if field.data not in {choice.value for choice in field.choices}:
            raise ValidationError(gettext("Choose a parent theme from the list."))

    @classmethod
    def for_theme(cls, theme: Theme, parents: list[Theme]) -> ThemeForm:
        """The form filled in with a theme as stored."""
        form = cls(formdata=None, parents=parents, name=theme.name, definition=theme.definition,
                   example=theme.example, colour=theme.colour, keywords=theme.keywords,
                   parent=str(theme.parent_id or ""))
        for name in VERSIONED:
            form[f"{name}_es"].data = content_language.version(theme.versions, "es", name)
        return form

    def values(self) -> ThemeValues:
        return ThemeValues(name=self.name.data, definition=self.definition.data or "", example=self.example.data or "",
                           colour=self.colour.data or "", keywords=self.keywords.data or "",
                           parent_id=int(self.parent.data) if self.parent.data else None)

    def versions(self) -> dict[str, dict[str, str]]:
        """The texts typed in other languages, as codebook.create and update take them (blank: none)."""
        return {"es": {name: self[f"{name}_es"].data or "" for name in VERSIONED}}


class MergeForm(FlaskForm):
    target = SelectField(lazy_gettext("Merge into"), default="", validate_choice=False)
    confirm = BooleanField(lazy_gettext("I understand that a merge cannot be undone"),
                           validators=[DataRequired(lazy_gettext("Tick the box to confirm the merge: it cannot be "
                                                                 "undone."))])

    def __init__(self, *args, targets: list[Theme], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.target.choices = _choices(targets, SelectChoice("", lazy_gettext("Choose a theme")))

    def validate_target(self, field) -> None:
        if not field.data or field.data not in {choice.value for choice in field.choices}:
            raise ValidationError(gettext("Choose the theme to merge into."))


class ImportForm(FlaskForm):
    file = FileField(lazy_gettext("Codebook file (CSV)"), validators=[
        FileRequired(lazy_gettext("Choose a CSV file to import.")),
        FileAllowed(["csv"], lazy_gettext("Choose a file ending in .csv, saved from a spreadsheet as “CSV UTF-8”."))])
