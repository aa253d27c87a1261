"""The form of a town hall, for creating and editing one."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import DateField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length

from feedback.forms.fields import strip
from feedback.models import TownHall
from feedback.services.intake.town_halls import DESCRIPTION_MAX, PROMPT_MAX, TITLE_MAX, TownHallValues


def _date(label: str, what: str) -> DateField:
    """A date input whose one message, missing or unreadable, says what to type (browsers send YYYY-MM-DD)."""
    message = f"Enter the {what} as a date, like 2026-12-01."
    return DateField(label, validators=[DataRequired(message)], invalid_value_message=message)


class TownHallForm(FlaskForm):
    # maxlength is left off the inputs: a long entry gets a message, never a silent cut.
    title = StringField("Title", filters=[strip], render_kw={"maxlength": False}, validators=[
        DataRequired("Enter a title for the town hall."),
        Length(max=TITLE_MAX, message=f"Shorten the title to {TITLE_MAX} characters or fewer.")])
    description = TextAreaField("Description", filters=[strip], render_kw={"rows": 3}, validators=[
        Length(max=DESCRIPTION_MAX, message=f"Shorten the description to {DESCRIPTION_MAX:,} characters or fewer.")])
    prompt = TextAreaField("Question asked", filters=[strip], render_kw={"rows": 2}, validators=[
        Length(max=PROMPT_MAX, message=f"Shorten the question to {PROMPT_MAX} characters or fewer.")])
    held_on = _date("Date held", "day the town hall is held")
    intake_opens_on = _date("Intake opens", "first day input is taken")
    intake_closes_on = _date("Intake closes", "last day input is taken")

    @classmethod
    def for_town_hall(cls, town_hall: TownHall) -> TownHallForm:
        """The form filled in with a town hall as stored."""
        return cls(formdata=None, obj=town_hall)

    def values(self) -> TownHallValues:
        return TownHallValues(title=self.title.data or "", description=self.description.data or "",
                              prompt=self.prompt.data or "", held_on=self.held_on.data,
                              intake_opens_on=self.intake_opens_on.data, intake_closes_on=self.intake_closes_on.data)
