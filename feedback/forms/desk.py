"""Forms of the moderation desk."""

from __future__ import annotations

import uuid

from flask_wtf import FlaskForm
from wtforms import BooleanField, RadioField, SearchField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, ValidationError

from feedback.forms.fields import strip
from feedback.models import HIDDEN_REASONS, HiddenReason, SubmissionStatus
from feedback.sanitize import normalise_text
from feedback.services import selection
from feedback.services.moderation.desk import NOT_GIVEN, NOTE_MAX, REDACTED_MAX, SEARCH_MAX
from feedback.services.moderation.replies import REPLY_MAX

STATUS_LABELS = {
    SubmissionStatus.PENDING: "Pending",
    SubmissionStatus.PUBLISHED: "Published",
    SubmissionStatus.HIDDEN: "Hidden",
    SubmissionStatus.ESCALATED: "Escalated",
}
HIDDEN_REASON_CHOICES = [SelectChoice("", "Choose a reason")] + [
    SelectChoice(r.value, r.value.capitalize().replace("-", " ")) for r in HiddenReason
]
BULK_ACTIONS = {"publish": SubmissionStatus.PUBLISHED, "hide": SubmissionStatus.HIDDEN,
                "escalate": SubmissionStatus.ESCALATED}


class DeskFilterForm(FlaskForm):
    """The desk's filters, read from the query string: a GET form, so it carries no CSRF token."""

    class Meta:
        csrf = False

    status = SelectField("Status", choices=[SelectChoice("", "Any status")]
                         + [SelectChoice(s.value, label) for s, label in STATUS_LABELS.items()],
                         default="", validate_choice=False)
    affiliation = SelectField("Affiliation", default="", validate_choice=False)
    q = SearchField("Search the text", filters=[strip], validators=[
        Length(max=SEARCH_MAX, message=f"Shorten the search to {SEARCH_MAX} characters or fewer.")])
    unanswered = BooleanField("Only threads waiting for our answer")
    named = BooleanField("Named only")
    theme = SelectField("Theme", default="", validate_choice=False)

    def __init__(self, *args, affiliations: list[str], themes: list[SelectChoice] | None = None,
                 **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.affiliation.choices = ([SelectChoice("", "Any affiliation"), SelectChoice(NOT_GIVEN, "Not given")]
                                    + [SelectChoice(a, a.capitalize()) for a in affiliations])
        self.theme.choices = themes or [SelectChoice("", "Any theme")]

    def validate_status(self, field) -> None:
        if field.data not in {choice.value for choice in field.choices}:
            raise ValidationError("Choose a status from the list.")

    def validate_affiliation(self, field) -> None:
        if field.data not in {choice.value for choice in field.choices}:
            raise ValidationError("Choose an affiliation from the list.")

    def validate_theme(self, field) -> None:
        if field.data not in {choice.value for choice in field.choices}:
            raise ValidationError("Choose a theme from the list.")


class BulkForm(FlaskForm):
    """Several submissions (checkboxes named "selected") and the action of the button pressed."""

    selected = SelectMultipleField("Submissions", validate_choice=False)
    action = StringField("Action")
    hidden_reason = SelectField("Reason for hiding", choices=HIDDEN_REASON_CHOICES, default="",
                                validate_choice=False)
    note = StringField("Why (for the audit log; needed to escalate)", filters=[strip],
                       validators=[Length(max=NOTE_MAX,
                                          message=f"Shorten the note to {NOTE_MAX} characters or fewer.")])

    @property
    def selected_ids(self) -> list[uuid.UUID]:
        return [uuid.UUID(value) for value in self.selected.data or []]

    def validate_selected(self, field) -> None:
        try:
            ids = self.selected_ids
        except ValueError:
            raise ValidationError(selection.NOT_VALID) from None
        if not ids:
            raise ValidationError(selection.NOTHING_SELECTED)

    def validate_action(self, field) -> None:
        if field.data not in BULK_ACTIONS:
            raise ValidationError("Choose what to do with the selected submissions.")

    def validate_hidden_reason(self, field) -> None:
        if self.action.data == "hide" and field.data not in HIDDEN_REASONS:
            raise ValidationError("Choose why the selected submissions are hidden.")


class UndoForm(FlaskForm):
    """The "Undo" button after a bulk action: nothing but its CSRF token (the action is in the address)."""


class StatusForm(FlaskForm):
    status = RadioField("Status", choices=[SelectChoice(s.value, label) for s, label in STATUS_LABELS.items()],
                        validate_choice=False)
    hidden_reason = SelectField("Reason for hiding", choices=HIDDEN_REASON_CHOICES, default="",
                                validate_choice=False)
    note = StringField("Note for the audit log (optional)", filters=[strip], validators=[
        Length(max=NOTE_MAX, message=f"Shorten the note to {NOTE_MAX} characters or fewer.")])

    def validate_status(self, field) -> None:
        if field.data not in {s.value for s in SubmissionStatus}:
            raise ValidationError("Choose a status.")

    def validate_hidden_reason(self, field) -> None:
        if self.status.data == SubmissionStatus.HIDDEN and field.data not in HIDDEN_REASONS:
            raise ValidationError("Choose why the submission is hidden.")


def redacted_text_field(label: str, rows: int) -> TextAreaField:
    """The field of a redacted text, the desk's and a live question's: one rule for its length and its message."""
    return TextAreaField(
        label,
        filters=[normalise_text],
        validators=[Length(max=REDACTED_MAX,
                           message=f"Shorten the redacted text to {REDACTED_MAX:,} characters or fewer.")],
        render_kw={"maxlength": False, "rows": rows},
    )


class RedactionForm(FlaskForm):
    redacted = redacted_text_field("Redacted text", rows=10)


class StaffReplyForm(FlaskForm):
    reply = TextAreaField(
        "Your reply",
        filters=[normalise_text],
        validators=[
            DataRequired("Write your reply before sending it."),
            Length(max=REPLY_MAX, message=f"Shorten your reply to {REPLY_MAX:,} characters or fewer."),
        ],
        render_kw={"maxlength": False, "rows": 5},
    )
