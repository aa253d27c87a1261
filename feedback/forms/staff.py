"""Forms for staff login and account administration."""

from __future__ import annotations

from flask_babel import LazyString, lazy_gettext
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, RadioField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, Length

from feedback.forms.fields import strip
from feedback.i18n import explain
from feedback.models import Role
from feedback.services.admin.accounts import PASSWORD_MIN, PASSWORD_TOO_SHORT


class LoginForm(FlaskForm):
    email = EmailField(lazy_gettext("Email"), filters=[strip],
                       validators=[DataRequired(lazy_gettext("Enter your email."))],
                       render_kw={"autocomplete": "username"})
    password = PasswordField(lazy_gettext("Password"),
                             validators=[DataRequired(lazy_gettext("Enter your password."))],
                             render_kw={"autocomplete": "current-password"})


# A role's name as people read it; the stored value stays English.
ROLE_LABELS = {Role.FACILITATOR: lazy_gettext("Facilitator"), Role.LEADER: lazy_gettext("Leader"),
               Role.ADMIN: lazy_gettext("Admin")}
ROLE_CHOICES = [SelectChoice(role.value, label) for role, label in ROLE_LABELS.items()]


class NewUserForm(FlaskForm):
    email = EmailField(lazy_gettext("Email"), filters=[strip],
                       validators=[DataRequired(lazy_gettext("Enter an email.")),
                                   Email(lazy_gettext("Enter an email address like name@example.org."))])
    display_name = StringField(lazy_gettext("Name"), filters=[strip],
                               validators=[DataRequired(lazy_gettext("Enter a name.")), Length(max=200)])
    role = RadioField(lazy_gettext("Role"), choices=ROLE_CHOICES,
                      validators=[DataRequired(lazy_gettext("Choose a role."))])
    password = PasswordField(lazy_gettext("First password"),
                             validators=[DataRequired(lazy_gettext("Enter a first password.")),
                                         Length(min=PASSWORD_MIN,
                                                message=LazyString(lambda: explain(PASSWORD_TOO_SHORT)))],
                             description=lazy_gettext("At least %(min)s characters. Ask them to keep it private.",
                                                      min=PASSWORD_MIN),
                             render_kw={"autocomplete": "new-password"})


class RoleForm(FlaskForm):
    role = RadioField(lazy_gettext("Role"), choices=ROLE_CHOICES,
                      validators=[DataRequired(lazy_gettext("Choose a role."))])


class ConfirmForm(FlaskForm):
    """A form with nothing but its CSRF token, for one-button actions."""
