"""Forms for staff login and account administration."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, RadioField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, Length

from feedback.forms.fields import strip
from feedback.models import Role
from feedback.services.admin.accounts import PASSWORD_MIN, PASSWORD_TOO_SHORT


class LoginForm(FlaskForm):
    email = EmailField("Email", filters=[strip], validators=[DataRequired("Enter your email.")],
                       render_kw={"autocomplete": "username"})
    password = PasswordField("Password", validators=[DataRequired("Enter your password.")],
                             render_kw={"autocomplete": "current-password"})


ROLE_CHOICES = [SelectChoice(role.value, role.value.capitalize())
                for role in (Role.FACILITATOR, Role.LEADER, Role.ADMIN)]


class NewUserForm(FlaskForm):
    email = EmailField("Email", filters=[strip],
                       validators=[DataRequired("Enter an email."),
                                   Email("Enter an email address like name@example.org.")])
    display_name = StringField("Name", filters=[strip], validators=[DataRequired("Enter a name."), Length(max=200)])
    role = RadioField("Role", choices=ROLE_CHOICES,
                      validators=[DataRequired("Choose a role.")])
    password = PasswordField("First password", validators=[DataRequired("Enter a first password."),
                             Length(min=PASSWORD_MIN, message=PASSWORD_TOO_SHORT)],
                             description=f"At least {PASSWORD_MIN} characters. Ask them to keep it private.",
                             render_kw={"autocomplete": "new-password"})


class RoleForm(FlaskForm):
    role = RadioField("Role", choices=ROLE_CHOICES,
                      validators=[DataRequired("Choose a role.")])


class ConfirmForm(FlaskForm):
    """A form with nothing but its CSRF token, for one-button actions."""
