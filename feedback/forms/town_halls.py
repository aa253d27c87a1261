"""The form of a town hall, for creating and editing one."""

from __future__ import annotations

from flask_babel import LazyString, format_number, gettext, lazy_gettext
from flask_wtf import FlaskForm
from wtforms import DateField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length

from feedback.forms.fields import strip
from feedback.models import TownHall
from feedback.services import content_language
from feedback.services.intake.town_halls import DESCRIPTION_MAX, PROMPT_MAX, TITLE_MAX, VERSIONED, TownHallValues

# Worded when shown, with the number written as it reads in the reader's language (2,000 or 2000).
SHORTEN_DESCRIPTION = LazyString(lambda: gettext("Shorten the description to %(max)s characters or fewer.",
                                                 max=format_number(DESCRIPTION_MAX)))


def _date(label: LazyString, message: LazyString) -> DateField:
    """A date input whose one message, missing or unreadable, says what to type (browsers send YYYY-MM-DD)."""
    return DateField(label, validators=[DataRequired(message)], invalid_value_message=message)


class TownHallForm(FlaskForm):
    # maxlength is left off the inputs: a long entry gets a message, never a silent cut.
    title = StringField(lazy_gettext("Title"), filters=[strip], render_kw={"maxlength": False}, validators=[
        DataRequired(lazy_gettext("Enter a title for the town hall.")),
        Length(max=TITLE_MAX, message=lazy_gettext("Shorten the title to %(max)s characters or fewer.",
                                                   max=TITLE_MAX))])
    description = TextAreaField(lazy_gettext("Description"), filters=[strip], render_kw={"rows": 3}, validators=[
        Length(max=DESCRIPTION_MAX, message=SHORTEN_DESCRIPTION)])
    prompt = TextAreaField(lazy_gettext("Question asked"), filters=[strip], render_kw={"rows": 2}, validators=[
        Length(max=PROMPT_MAX, message=lazy_gettext("Shorten the question to %(max)s characters or fewer.",
                                                    max=PROMPT_MAX))])
    # The Spanish version (optional), shown to readers of Spanish pages; lang tells a screen reader its language.
    title_es = StringField(lazy_gettext("Title in Spanish"), filters=[strip],
                           render_kw={"maxlength": False, "lang": "es"}, validators=[
        Length(max=TITLE_MAX, message=lazy_gettext("Shorten the title to %(max)s characters or fewer.",
                                                   max=TITLE_MAX))])
    description_es = TextAreaField(lazy_gettext("Description in Spanish"), filters=[strip],
                                   render_kw={"rows": 3, "lang": "es"}, validators=[
        Length(max=DESCRIPTION_MAX, message=SHORTEN_DESCRIPTION)])
    prompt_es = TextAreaField(lazy_gettext("Question asked in Spanish"), filters=[strip],
                              render_kw={"rows": 2, "lang": "es"}, validators=[
        Length(max=PROMPT_MAX, message=lazy_gettext("Shorten the question to %(max)s characters or fewer.",
                                                    max=PROMPT_MAX))])
    held_on = _date(lazy_gettext("Date held"),
                    lazy_gettext("Enter the day the town hall is held as a date, like 2026-12-01."))
    intake_opens_on = _date(lazy_gettext("Intake opens"),
                            lazy_gettext("Enter the first day input is taken as a date, like 2026-12-01."))
    intake_closes_on = _date(lazy_gettext("Intake closes"),
                             lazy_gettext("Enter the last day input is taken as a date, like 2026-12-01."))

    @classmethod
    def for_town_hall(cls, town_hall: TownHall) -> TownHallForm:
        """The form filled in with a town hall as stored."""
        form = cls(formdata=None, obj=town_hall)
        for name in VERSIONED:
            form[f"{name}_es"].data = content_language.version(town_hall.versions, "es", name)
        return form

    def values(self) -> TownHallValues:
        return TownHallValues(title=self.title.data or "", description=self.description.data or "",
                              prompt=self.prompt.data or "", held_on=self.held_on.data,
                              intake_opens_on=self.intake_opens_on.data, intake_closes_on=self.intake_closes_on.data,
                              versions={"es": {name: self[f"{name}_es"].data or "" for name in VERSIONED}})
