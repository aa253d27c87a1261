"""Forms on the public pages: the submission form and the receipt check."""

from __future__ import annotations

from flask_babel import LazyString, format_number, gettext, lazy_gettext
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, HiddenField, RadioField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, Length, Optional, Regexp, ValidationError

from feedback.forms.fields import strip
from feedback.sanitize import normalise_text

COMMENT_MAX = 5000
NAME_MAX = 200
EMAIL_MAX = 254
ANONYMOUS, NAMED = "anonymous", "named"
FORM_TOKEN_PATTERN = r"^[A-Za-z0-9_-]{43}$"
# Worded when shown, in the reader's language, with the number written as it reads there (5,000 or 5000).
SHORTEN_CONCERN = LazyString(lambda: gettext("Shorten your concern to %(max)s characters or fewer.",
                                             max=format_number(COMMENT_MAX)))


class SubmissionForm(FlaskForm):
    comment = TextAreaField(
        lazy_gettext("Your concern"),
        filters=[normalise_text],
        validators=[
            DataRequired(lazy_gettext("Write your concern before sending it.")),
            Length(max=COMMENT_MAX, message=SHORTEN_CONCERN),
        ],
        # No maxlength attribute: a browser would silently cut pasted text; the server explains instead.
        render_kw={"maxlength": False},
    )
    affiliation = RadioField(lazy_gettext("Your connection to the organisation (optional)"), validators=[Optional()])
    identity_choice = RadioField(
        lazy_gettext("Send anonymously or with your name"),
        choices=[SelectChoice(ANONYMOUS, lazy_gettext("Send it anonymously")),
                 SelectChoice(NAMED, lazy_gettext("Add my name and email"))],
        default=ANONYMOUS,
        validators=[DataRequired(lazy_gettext("Choose whether to send it anonymously or with your name."))],
    )
    name = StringField(
        lazy_gettext("Your name"),
        filters=[strip],
        validators=[Length(max=NAME_MAX, message=lazy_gettext("Shorten your name to %(max)s characters or fewer.",
                                                              max=NAME_MAX))],
    )
    email = EmailField(
        lazy_gettext("Your email (optional)"),
        filters=[strip],
        validators=[
            Optional(),
            Length(max=EMAIL_MAX, message=lazy_gettext("Shorten your email address.")),
            Email(lazy_gettext("Enter an email address like name@example.org.")),
        ],
    )
    contact_ok = BooleanField(lazy_gettext("A facilitator may contact me about this"))
    # A field people never see; bots fill it in. Its name is one that form fillers do not recognise.
    leave_empty = StringField(lazy_gettext("Leave this field empty"),
                              render_kw={"tabindex": "-1", "autocomplete": "off"})
    form_token = HiddenField(
        validators=[Regexp(FORM_TOKEN_PATTERN,
                           message=lazy_gettext("This form had expired. Check your text and send it again."))]
    )

    def __init__(self, *args, affiliations: list[str], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # A default affiliation reads in the reader's language; one of the instance's own as written.
        self.affiliation.choices = [SelectChoice(a, gettext(a).capitalize()) for a in affiliations]

    @property
    def is_named(self) -> bool:
        return self.identity_choice.data == NAMED

    def validate_name(self, field) -> None:
        if self.is_named and not field.data:
            raise ValidationError(gettext("Write your name, or choose to send it anonymously."))

    def validate(self, extra_validators=None) -> bool:
        super().validate(extra_validators)
        if not self.is_named:
            # The name fields are hidden and ignored when sending anonymously: so are their errors.
            for field in (self.name, self.email, self.contact_ok):
                field.errors = []
        elif self.contact_ok.data and not self.email.data and not self.email.errors:
            self.email.errors = [gettext("Add your email so a facilitator can contact you, or untick the contact box.")]
        return not self.errors


class ReceiptForm(FlaskForm):
    code = StringField(
        lazy_gettext("Your receipt code"),
        filters=[strip],
        validators=[DataRequired(lazy_gettext("Enter your receipt code."))],
        render_kw={"autocomplete": "off", "spellcheck": "false", "autocapitalize": "characters"},
    )
