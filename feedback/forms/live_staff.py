"""Forms of the moderator's live queue: one small form per button, each with its CSRF token.

The question a form acts on is in its address (live_staff.act), so the forms hold only what is typed
or chosen: the redacted text, the reason for dismissing, the question to merge into, the presenter note.
"""

from __future__ import annotations

import uuid

from flask_babel import lazy_gettext
from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectField, TextAreaField
from wtforms.validators import Length, ValidationError

from feedback.forms.desk import HIDDEN_REASON_CHOICES, redacted_text_field
from feedback.models import HIDDEN_REASONS
from feedback.sanitize import normalise_text
from feedback.services.live.questions import NOTE_MAX


class ButtonForm(FlaskForm):
    """A button and nothing else but its CSRF token: start, end, presenter link, up, down, show, answered..."""


class ApproveForm(FlaskForm):
    """Approve a pending question, as asked or with the text edited (redacted) first."""

    redacted = redacted_text_field(lazy_gettext("Text the room will see"), rows=3)
    # The text as the page showed it: the question is redacted only when the moderator changed it.
    shown = HiddenField()

    def redacted_body(self) -> str | None:
        """The redacted text to approve with, or None to approve the question as asked."""
        typed = self.redacted.data or ""
        return None if typed == normalise_text(self.shown.data or "") else typed

    def validate_redacted(self, field) -> None:
        if not (field.data or "").strip():
            raise ValidationError(
                lazy_gettext("Write the text the room will see, or put the question's own text back."))


class DismissForm(FlaskForm):
    reason = SelectField(lazy_gettext("Reason for dismissing"), choices=HIDDEN_REASON_CHOICES, default="",
                         validate_choice=False)

    def validate_reason(self, field) -> None:
        if field.data not in HIDDEN_REASONS:
            raise ValidationError(lazy_gettext("Choose why the question is dismissed."))


class MergeForm(FlaskForm):
    """Merge a question into another one of the session; the view checks it is one the page offered."""

    into = SelectField(lazy_gettext("Merge into"), default="", validate_choice=False)

    @property
    def into_id(self) -> uuid.UUID:
        return uuid.UUID(self.into.data)

    def validate_into(self, field) -> None:
        try:
            uuid.UUID(field.data or "")
        except ValueError:
            raise ValidationError(lazy_gettext("Choose the question to merge this one into.")) from None


class NoteForm(FlaskForm):
    note = TextAreaField(
        lazy_gettext("Note to the presenter"),
        filters=[normalise_text],
        validators=[Length(max=NOTE_MAX, message=lazy_gettext("Shorten the note to %(max)s characters or fewer.",
                                                              max=NOTE_MAX))],
        render_kw={"maxlength": False, "rows": 2},
    )


# The form each action posts; the others are a button only.
ACTION_FORMS: dict[str, type[FlaskForm]] = {"approve": ApproveForm, "dismiss": DismissForm, "merge": MergeForm,
                                            "note": NoteForm}


def form_for(action: str) -> FlaskForm:
    """The posted form of this action (live_staff.ACTIONS)."""
    return ACTION_FORMS.get(action, ButtonForm)()
