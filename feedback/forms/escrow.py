"""Forms for revealing an identity, and for the submitter's answer and withdrawal."""

from __future__ import annotations

from flask_babel import LazyString, format_number, gettext, lazy_gettext
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, TextAreaField
from wtforms.validators import DataRequired, Length

from feedback.forms.fields import strip
from feedback.sanitize import normalise_text
from feedback.services.moderation.escrow import REASON_MAX, REASON_MIN

ANSWER_MAX = 5000
SHORTEN_ANSWER = LazyString(lambda: gettext("Shorten your answer to %(max)s characters or fewer.",
                                            max=format_number(ANSWER_MAX)))


def _request_id(value: str | None) -> int:
    """The hidden request id as a number; anything else is -1, which matches no request (a stale form)."""
    try:
        return int(value or "")
    except ValueError:
        return -1


class RevealForm(FlaskForm):
    # The sender's latest request id when the form was shown (escrow.latest_id): a refresh sends it again.
    seen = HiddenField(filters=[_request_id])
    reason = TextAreaField(
        lazy_gettext("Why do you need to know who wrote this?"),
        filters=[normalise_text],
        validators=[
            DataRequired(lazy_gettext("Write the reason for revealing this identity.")),
            Length(min=REASON_MIN, max=REASON_MAX,
                   message=lazy_gettext("Write a reason of %(min)s to %(max)s characters: it goes into the audit "
                                        "log.", min=REASON_MIN, max=REASON_MAX)),
        ],
        render_kw={"maxlength": False, "minlength": False, "rows": 4},
    )


class AnswerForm(FlaskForm):
    """The submitter's answer to a facilitator, carrying the receipt code in a hidden field (never the URL)."""

    code = HiddenField(filters=[strip])
    answer = TextAreaField(
        lazy_gettext("Your answer"),
        filters=[normalise_text],
        validators=[
            DataRequired(lazy_gettext("Write your answer before sending it.")),
            Length(max=ANSWER_MAX, message=SHORTEN_ANSWER),
        ],
        render_kw={"maxlength": False, "rows": 5},
    )


class WithdrawForm(FlaskForm):
    code = HiddenField(filters=[strip])
    confirm = BooleanField(
        lazy_gettext("I understand that my submission, my name if I gave it, and all replies will be deleted for good"),
        validators=[DataRequired(lazy_gettext("Tick the box to confirm that you want to withdraw your submission."))],
    )
