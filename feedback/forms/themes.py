"""Forms of the theme codebook: a theme, a merge, and a CSV file to import."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import BooleanField, ColorField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Regexp, ValidationError

from feedback.forms.fields import strip
from feedback.models import Theme
from feedback.services.themes.codebook_values import (
    COLOUR,
    DEFAULT_COLOUR,
    DEFINITION_MAX,
    EXAMPLE_MAX,
    NAME_MAX,
    ThemeValues,
)

NO_PARENT = SelectChoice("", "None: a top-level theme")


def _choices(themes: list[Theme], first: SelectChoice) -> list[SelectChoice]:
    return [first] + [SelectChoice(str(theme.id), theme.name) for theme in themes]


def _lower(value: str | None) -> str | None:
    return value.lower() if value else value


class ThemeForm(FlaskForm):
    # maxlength is left off the inputs: a long entry gets a message, never a silent cut.
    name = StringField("Name", filters=[strip], render_kw={"maxlength": False}, validators=[
        DataRequired("Enter a name for the theme."),
        Length(max=NAME_MAX, message=f"Shorten the name to {NAME_MAX} characters or fewer.")])
    definition = StringField("Definition", filters=[strip], render_kw={"maxlength": False}, validators=[
        Length(max=DEFINITION_MAX, message=f"Shorten the definition to {DEFINITION_MAX} characters or fewer.")])
    example = TextAreaField("Example", filters=[strip], render_kw={"maxlength": False, "rows": 3}, validators=[
        Length(max=EXAMPLE_MAX, message=f"Shorten the example to {EXAMPLE_MAX:,} characters or fewer.")])
    colour = ColorField("Colour", default=DEFAULT_COLOUR, filters=[strip, _lower], validators=[
        Regexp(COLOUR.pattern + "$", message="Enter the colour as # and six hexadecimal digits, like #4c6a92.")])
    keywords = TextAreaField("Keywords", filters=[strip], render_kw={"rows": 4})
    parent = SelectField("Parent theme", default="", validate_choice=False)

    def __init__(self, *args, parents: list[Theme], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.parent.choices = _choices(parents, NO_PARENT)

    def validate_parent(self, field) -> None:
        if field.data not in {choice.value for choice in field.choices}:
            raise ValidationError("Choose a parent theme from the list.")

    @classmethod
    def for_theme(cls, theme: Theme, parents: list[Theme]) -> ThemeForm:
        """The form filled in with a theme as stored."""
        return cls(formdata=None, parents=parents, name=theme.name, definition=theme.definition,
                   example=theme.example, colour=theme.colour, keywords=theme.keywords,
                   parent=str(theme.parent_id or ""))

    def values(self) -> ThemeValues:
        return ThemeValues(name=self.name.data, definition=self.definition.data or "", example=self.example.data or "",
                           colour=self.colour.data or "", keywords=self.keywords.data or "",
                           parent_id=int(self.parent.data) if self.parent.data else None)


class MergeForm(FlaskForm):
    target = SelectField("Merge into", default="", validate_choice=False)
    confirm = BooleanField("I understand that a merge cannot be undone",
                           validators=[DataRequired("Tick the box to confirm the merge: it cannot be undone.")])

    def __init__(self, *args, targets: list[Theme], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.target.choices = _choices(targets, SelectChoice("", "Choose a theme"))

    def validate_target(self, field) -> None:
        if not field.data or field.data not in {choice.value for choice in field.choices}:
            raise ValidationError("Choose the theme to merge into.")


class ImportForm(FlaskForm):
    file = FileField("Codebook file (CSV)", validators=[
        FileRequired("Choose a CSV file to import."),
        FileAllowed(["csv"], "Choose a file ending in .csv, saved from a spreadsheet as “CSV UTF-8”.")])
