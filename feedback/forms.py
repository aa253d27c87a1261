"""Flask-WTF forms for the public pages."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, HiddenField, PasswordField, RadioField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, Length, Optional, Regexp, ValidationError

from feedback.sanitize import normalise_text

COMMENT_MAX = 5000
NAME_MAX = 200
EMAIL_MAX = 254
ANONYMOUS, NAMED = "anonymous", "named"
FORM_TOKEN_PATTERN = r"^[A-Za-z0-9_-]{43}$"


def _strip(value: str | None) -> str | None:
    return normalise_text(value) if value is not None else None


class SubmissionForm(FlaskForm):
    comment = TextAreaField(
        "Your concern",
        filters=[normalise_text],
        validators=[
            DataRequired("Write your concern before sending it."),
            Length(max=COMMENT_MAX, message=f"Shorten your concern to {COMMENT_MAX:,} characters or fewer."),
        ],
        # No maxlength attribute: a browser would silently cut pasted text; the server explains instead.
        render_kw={"maxlength": False},
    )
    affiliation = RadioField("Your connection to the organisation (optional)", validators=[Optional()])
    identity_choice = RadioField(
        "Send anonymously or with your name",
        choices=[SelectChoice(ANONYMOUS, "Send it anonymously"), SelectChoice(NAMED, "Add my name and email")],
        default=ANONYMOUS,
        validators=[DataRequired("Choose whether to send it anonymously or with your name.")],
    )
    name = StringField(
        "Your name",
        filters=[_strip],
        validators=[Length(max=NAME_MAX, message=f"Shorten your name to {NAME_MAX} characters or fewer.")],
    )
    email = EmailField(
        "Your email (optional)",
        filters=[_strip],
        validators=[
            Optional(),
            Length(max=EMAIL_MAX, message="Shorten your email address."),
            Email("Enter an email address like name@example.org."),
        ],
    )
    contact_ok = BooleanField("A facilitator may contact me about this")
    # A field people never see; bots fill it in. Its name is one that form fillers do not recognise.
    leave_empty = StringField("Leave this field empty", render_kw={"tabindex": "-1", "autocomplete": "off"})
    form_token = HiddenField(
        validators=[Regexp(FORM_TOKEN_PATTERN, message="This form had expired. Check your text and send it again.")]
    )

    def __init__(self, *args, affiliations: list[str], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.affiliation.choices = [SelectChoice(a, a.capitalize()) for a in affiliations]

    @property
    def is_named(self) -> bool:
        return self.identity_choice.data == NAMED

    def validate_name(self, field) -> None:
        if self.is_named and not field.data:
            raise ValidationError("Write your name, or choose to send it anonymously.")

    def validate(self, extra_validators=None) -> bool:
        super().validate(extra_validators)
        if not self.is_named:
            # The name fields are hidden and ignored when sending anonymously: so are their errors.
            for field in (self.name, self.email, self.contact_ok):
                field.errors = []
        elif self.contact_ok.data and not self.email.data and not self.email.errors:
            self.email.errors = ["Add your email so a facilitator can contact you, or untick the contact box."]
        return not self.errors


class ReceiptForm(FlaskForm):
    code = StringField(
        "Your receipt code",
        filters=[_strip],
        validators=[DataRequired("Enter your receipt code.")],
        render_kw={"autocomplete": "off", "spellcheck": "false", "autocapitalize": "characters"},
    )


class LoginForm(FlaskForm):
    email = EmailField("Email", filters=[_strip], validators=[DataRequired("Enter your email.")],
                       render_kw={"autocomplete": "username"})
    password = PasswordField("Password", validators=[DataRequired("Enter your password.")],
                             render_kw={"autocomplete": "current-password"})


class NewUserForm(FlaskForm):
    email = EmailField("Email", filters=[_strip],
                       validators=[DataRequired("Enter an email."), Email("Enter an email address like name@example.org.")])
    display_name = StringField("Name", filters=[_strip], validators=[DataRequired("Enter a name."), Length(max=200)])
    role = RadioField("Role", choices=[SelectChoice("facilitator", "Facilitator"), SelectChoice("leader", "Leader"),
                                       SelectChoice("admin", "Admin")],
                      validators=[DataRequired("Choose a role.")])
    password = PasswordField("First password", validators=[DataRequired("Enter a first password."),
                             Length(min=12, message="A password needs at least 12 characters.")],
                             render_kw={"autocomplete": "new-password"})


class RoleForm(FlaskForm):
    role = RadioField("Role", choices=[SelectChoice("facilitator", "Facilitator"), SelectChoice("leader", "Leader"),
                                       SelectChoice("admin", "Admin")],
                      validators=[DataRequired("Choose a role.")])


class ConfirmForm(FlaskForm):
    """A form with nothing but its CSRF token, for one-button actions."""


# --- identity escrow, and the submitter's side of replies and withdrawal ---

REVEAL_REASON_MIN = 10
REVEAL_REASON_MAX = 1000
ANSWER_MAX = 5000


class RevealForm(FlaskForm):
    reason = TextAreaField(
        "Why do you need to know who wrote this?",
        filters=[normalise_text],
        validators=[
            DataRequired("Write the reason for revealing this identity."),
            Length(min=REVEAL_REASON_MIN, max=REVEAL_REASON_MAX,
                   message=f"Write a reason of {REVEAL_REASON_MIN} to {REVEAL_REASON_MAX} characters: "
                           "it goes into the audit log."),
        ],
        render_kw={"maxlength": False, "minlength": False, "rows": 4},
    )


class AnswerForm(FlaskForm):
    """The submitter's answer to a facilitator, carrying the receipt code in a hidden field (never the URL)."""

    code = HiddenField(filters=[_strip])
    answer = TextAreaField(
        "Your answer",
        filters=[normalise_text],
        validators=[
            DataRequired("Write your answer before sending it."),
            Length(max=ANSWER_MAX, message=f"Shorten your answer to {ANSWER_MAX:,} characters or fewer."),
        ],
        render_kw={"maxlength": False, "rows": 5},
    )


class WithdrawForm(FlaskForm):
    code = HiddenField(filters=[_strip])
    confirm = BooleanField(
        "I understand that my submission, my name if I gave it, and all replies will be deleted for good",
        validators=[DataRequired("Tick the box to confirm that you want to withdraw your submission.")],
    )


# --- moderation desk ---
# (Imported here, with the forms that use them, so that this section can grow on its own.)

import uuid  # noqa: E402

from wtforms import SearchField, SelectField, SelectMultipleField  # noqa: E402

from feedback.models import HiddenReason, SubmissionStatus  # noqa: E402
from feedback.services.moderation import NOT_GIVEN, NOTE_MAX, REDACTED_MAX, SEARCH_MAX  # noqa: E402
from feedback.services.replies import REPLY_MAX  # noqa: E402

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
    q = SearchField("Search the text", filters=[_strip], validators=[
        Length(max=SEARCH_MAX, message=f"Shorten the search to {SEARCH_MAX} characters or fewer.")])
    unanswered = BooleanField("Only threads waiting for our answer")

    def __init__(self, *args, affiliations: list[str], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.affiliation.choices = ([SelectChoice("", "Any affiliation"), SelectChoice(NOT_GIVEN, "Not given")]
                                    + [SelectChoice(a, a.capitalize()) for a in affiliations])

    def validate_status(self, field) -> None:
        if field.data not in {choice.value for choice in field.choices}:
            raise ValidationError("Choose a status from the list.")

    def validate_affiliation(self, field) -> None:
        if field.data not in {choice.value for choice in field.choices}:
            raise ValidationError("Choose an affiliation from the list.")


class BulkForm(FlaskForm):
    """Several submissions (checkboxes named "selected") and the action of the button pressed."""

    selected = SelectMultipleField("Submissions", validate_choice=False)
    action = StringField("Action")
    hidden_reason = SelectField("Reason for hiding", choices=HIDDEN_REASON_CHOICES, default="",
                                validate_choice=False)
    note = StringField("Why (for the audit log; needed to escalate)", filters=[_strip],
                       validators=[Length(max=NOTE_MAX, message=f"Shorten the note to {NOTE_MAX} characters or fewer.")])

    @property
    def selected_ids(self) -> list[uuid.UUID]:
        return [uuid.UUID(value) for value in self.selected.data or []]

    def validate_selected(self, field) -> None:
        if not field.data:
            raise ValidationError("Select at least one submission first.")
        try:
            self.selected_ids
        except ValueError:
            raise ValidationError("Some of the selected submissions are not valid. Reload the page.") from None

    def validate_action(self, field) -> None:
        if field.data not in BULK_ACTIONS:
            raise ValidationError("Choose what to do with the selected submissions.")

    def validate_hidden_reason(self, field) -> None:
        if self.action.data == "hide" and field.data not in {r.value for r in HiddenReason}:
            raise ValidationError("Choose why the selected submissions are hidden.")


class StatusForm(FlaskForm):
    status = RadioField("Status", choices=[SelectChoice(s.value, label) for s, label in STATUS_LABELS.items()],
                        validate_choice=False)
    hidden_reason = SelectField("Reason for hiding", choices=HIDDEN_REASON_CHOICES, default="",
                                validate_choice=False)
    note = StringField("Note for the audit log (optional)", filters=[_strip], validators=[
        Length(max=NOTE_MAX, message=f"Shorten the note to {NOTE_MAX} characters or fewer.")])

    def validate_status(self, field) -> None:
        if field.data not in {s.value for s in SubmissionStatus}:
            raise ValidationError("Choose a status.")

    def validate_hidden_reason(self, field) -> None:
        if self.status.data == SubmissionStatus.HIDDEN and field.data not in {r.value for r in HiddenReason}:
            raise ValidationError("Choose why the submission is hidden.")


class RedactionForm(FlaskForm):
    redacted = TextAreaField(
        "Redacted text",
        filters=[normalise_text],
        validators=[Length(max=REDACTED_MAX,
                           message=f"Shorten the redacted text to {REDACTED_MAX:,} characters or fewer.")],
        render_kw={"maxlength": False, "rows": 10},
    )


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
