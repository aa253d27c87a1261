"""The "Did this help?" question about a done action: on its public page, and on a receipt's status page."""

from __future__ import annotations

from flask_babel import LazyString, format_number, gettext, lazy_gettext
from flask_wtf import FlaskForm
from wtforms import HiddenField, RadioField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length, ValidationError

from feedback import crypto
from feedback.forms.fields import strip
from feedback.sanitize import normalise_text
from feedback.services.actions.answers import ANSWERS, COMMENT_MAX

CHOOSE = lazy_gettext("Choose one answer: it helped, somewhat, no, or too early to say.")
SHORTEN = LazyString(lambda: gettext("Shorten your comment to %(max)s characters or fewer.",
                                     max=format_number(COMMENT_MAX)))


def _number(value: str | None) -> int:
    """The hidden answer-release number as a number; anything else is -1, which matches no release (a stale form)."""
    try:
        return int(value or "")
    except ValueError:
        return -1


def _action_id(value: str | None) -> int:
    """The hidden action id as a number; anything else is -1, which matches no action (a tampered form)."""
    try:
        return int(value or "")
    except ValueError:
        return -1


class HelpForm(FlaskForm):
    # Named so as not to meet the status page's other fields ("answer", "code") in ids.
    helped = RadioField(lazy_gettext("Did this help?"),
                        choices=[SelectChoice(k, lazy_gettext(v)) for k, v in ANSWERS.items()], validate_choice=False)
    help_comment = TextAreaField(
        lazy_gettext("Anything to add?"),
        filters=[normalise_text],
        validators=[Length(max=COMMENT_MAX, message=SHORTEN)],
        render_kw={"maxlength": False, "rows": 3},
    )

    # One-time token: a double click or a retried POST of this form is stored once (answers.give).
    form_token = HiddenField(filters=[strip])

    def validate_helped(self, field) -> None:
        if field.data not in ANSWERS:
            raise ValidationError(CHOOSE)

    def fresh_token(self) -> None:
        """Give the form a one-time token, unless it carries one already (shown back, it keeps it)."""
        if not self.form_token.data:
            self.form_token.data = crypto.new_form_token()


class ReceiptHelpForm(HelpForm):
    """The question on a receipt's status page: the code and the action travel in hidden fields, never the URL."""

    code = HiddenField(filters=[strip])
    action = HiddenField(filters=[_action_id])


class AnswerReleaseForm(FlaskForm):
    """The facilitator's "Release answers" button, and what the page showed when it was sent."""

    # The latest answer release's number when the page was shown (0: none yet). A second press of the same
    # page, or a page shown before someone else released, sends an older number: nothing is released again.
    seen = HiddenField(filters=[_number])
