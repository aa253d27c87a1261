"""Forms of the moderation desk."""

from __future__ import annotations

import uuid

from flask_babel import LazyString, format_number, gettext, lazy_gettext
from flask_wtf import FlaskForm
from wtforms import BooleanField, RadioField, SearchField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, ValidationError

from feedback.forms.fields import said, strip
from feedback.models import HIDDEN_REASONS, HiddenReason, SubmissionStatus
from feedback.sanitize import normalise_text
from feedback.services import selection
from feedback.services.moderation.desk import NOT_GIVEN, NOTE_MAX, REDACTED_MAX, REDACTED_TOO_LONG, SEARCH_MAX
from feedback.services.moderation.replies import REPLY_MAX

STATUS_LABELS = {
    SubmissionStatus.PENDING: lazy_gettext("Pending"),
    SubmissionStatus.PUBLISHED: lazy_gettext("Published"),
    SubmissionStatus.HIDDEN: lazy_gettext("Hidden"),
    SubmissionStatus.ESCALATED: lazy_gettext("Escalated"),
}
# Why a submission is hidden, as shown (the stored value stays the English code).
HIDDEN_REASON_LABELS = {
    HiddenReason.OFF_TOPIC: lazy_gettext("Off topic"),
    HiddenReason.ABUSIVE: lazy_gettext("Abusive"),
    HiddenReason.SPAM: lazy_gettext("Spam"),
    HiddenReason.DUPLICATE: lazy_gettext("Duplicate"),
    HiddenReason.IDENTIFYING: lazy_gettext("Identifying"),
    HiddenReason.OTHER: lazy_gettext("Other"),
}
HIDDEN_REASON_CHOICES = [SelectChoice("", lazy_gettext("Choose a reason"))] + [
    SelectChoice(r.value, HIDDEN_REASON_LABELS[r]) for r in HiddenReason
]


# Length messages, worded when shown, with the number written as it reads in that language (5,000 or 5000).
SHORTEN_SEARCH = LazyString(lambda: gettext("Shorten the search to %(max)s characters or fewer.",
                                            max=format_number(SEARCH_MAX)))
SHORTEN_NOTE = LazyString(lambda: gettext("Shorten the note to %(max)s characters or fewer.",
                                          max=format_number(NOTE_MAX)))
SHORTEN_REPLY = LazyString(lambda: gettext("Shorten your reply to %(max)s characters or fewer.",
                                           max=format_number(REPLY_MAX)))
BULK_ACTIONS = {"publish": SubmissionStatus.PUBLISHED, "hide": SubmissionStatus.HIDDEN,
                "escalate": SubmissionStatus.ESCALATED}


class DeskFilterForm(FlaskForm):
    """The desk's filters, read from the query string: a GET form, so it carries no CSRF token."""

    class Meta:
        csrf = False

    status = SelectField(lazy_gettext("Status"), choices=[SelectChoice("", lazy_gettext("Any status"))]
                         + [SelectChoice(s.value, label) for s, label in STATUS_LABELS.items()],
                         default="", validate_choice=False)
    affiliation = SelectField(lazy_gettext("Affiliation"), default="", validate_choice=False)
    q = SearchField(lazy_gettext("Search the text"), filters=[strip], validators=[
        Length(max=SEARCH_MAX, message=SHORTEN_SEARCH)])
    unanswered = BooleanField(lazy_gettext("Only threads waiting for our answer"))
    named = BooleanField(lazy_gettext("Named only"))
    theme = SelectField(lazy_gettext("Theme"), default="", validate_choice=False)

    def __init__(self, *args, affiliations: list[str], themes: list[SelectChoice] | None = None,
                 **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.affiliation.choices = ([SelectChoice("", lazy_gettext("Any affiliation")),
                                     SelectChoice(NOT_GIVEN, lazy_gettext("Not given"))]
                                    + [SelectChoice(a, gettext(a).capitalize()) for a in affiliations])
        self.theme.choices = themes or [SelectChoice("", lazy_gettext("Any theme"))]

    def validate_status(self, field) -> None:
        if field.data not in {choice.value for choice in field.choices}:
            raise ValidationError(lazy_gettext("Choose a status from the list."))

    def validate_affiliation(self, field) -> None:
        if field.data not in {choice.value for choice in field.choices}:
            raise ValidationError(lazy_gettext("Choose an affiliation from the list."))

    def validate_theme(self, field) -> None:
        if field.data not in {choice.value for choice in field.choices}:
            raise ValidationError(lazy_gettext("Choose a theme from the list."))


class BulkForm(FlaskForm):
    """Several submissions (checkboxes named "selected") and the action of the button pressed."""

    selected = SelectMultipleField(lazy_gettext("Submissions"), validate_choice=False)
    action = StringField(lazy_gettext("Action"))
    hidden_reason = SelectField(lazy_gettext("Reason for hiding"), choices=HIDDEN_REASON_CHOICES, default="",
                                validate_choice=False)
    note = StringField(lazy_gettext("Why (for the audit log; needed to escalate)"), filters=[strip],
                       validators=[Length(max=NOTE_MAX, message=SHORTEN_NOTE)])

    @property
    def selected_ids(self) -> list[uuid.UUID]:
        return [uuid.UUID(value) for value in self.selected.data or []]

    def validate_selected(self, field) -> None:
        try:
            ids = self.selected_ids
        except ValueError:
            raise ValidationError(said(selection.NOT_VALID)) from None
        if not ids:
            raise ValidationError(said(selection.NOTHING_SELECTED))

    def validate_action(self, field) -> None:
        if field.data not in BULK_ACTIONS:
            raise ValidationError(lazy_gettext("Choose what to do with the selected submissions."))

    def validate_hidden_reason(self, field) -> None:
        if self.action.data == "hide" and field.data not in HIDDEN_REASONS:
            raise ValidationError(lazy_gettext("Choose why the selected submissions are hidden."))


class UndoForm(FlaskForm):
    """The "Undo" button after a bulk action: nothing but its CSRF token (the action is in the address)."""


class StatusForm(FlaskForm):
    status = RadioField(lazy_gettext("Status"),
                        choices=[SelectChoice(s.value, label) for s, label in STATUS_LABELS.items()],
                        validate_choice=False)
    hidden_reason = SelectField(lazy_gettext("Reason for hiding"), choices=HIDDEN_REASON_CHOICES, default="",
                                validate_choice=False)
    note = StringField(lazy_gettext("Note for the audit log (optional)"), filters=[strip], validators=[
        Length(max=NOTE_MAX, message=SHORTEN_NOTE)])

    def validate_status(self, field) -> None:
        if field.data not in {s.value for s in SubmissionStatus}:
            raise ValidationError(lazy_gettext("Choose a status."))

    def validate_hidden_reason(self, field) -> None:
        if self.status.data == SubmissionStatus.HIDDEN and field.data not in HIDDEN_REASONS:
            raise ValidationError(lazy_gettext("Choose why the submission is hidden."))


def redacted_text_field(label: str | LazyString, rows: int) -> TextAreaField:
    """The field of a redacted text, the desk's and a live question's: one rule for its length and its message."""
    return TextAreaField(
        label,
        filters=[normalise_text],
        validators=[Length(max=REDACTED_MAX, message=said(REDACTED_TOO_LONG))],
        render_kw={"maxlength": False, "rows": rows},
    )


class RedactionForm(FlaskForm):
    redacted = redacted_text_field(lazy_gettext("Redacted text"), rows=10)


class StaffReplyForm(FlaskForm):
    reply = TextAreaField(
        lazy_gettext("Your reply"),
        filters=[normalise_text],
        validators=[
            DataRequired(lazy_gettext("Write your reply before sending it.")),
            Length(max=REPLY_MAX, message=SHORTEN_REPLY),
        ],
        render_kw={"maxlength": False, "rows": 5},
    )
