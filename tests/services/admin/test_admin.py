"""Admin pages: add accounts, change roles, deactivate (ends sessions at once), reset passwords, settings."""

from __future__ import annotations

import re

import sqlalchemy as sa

from feedback.models import AuditEvent, StaffUser
from feedback.services.admin import settings
from tests.browsing import csrf_for, post_form
from tests.staff import PASSWORD, log_in, make_staff, staff_client


def user_id(db_session, email: str) -> int:
    try:
        return db_session.scalar(sa.select(StaffUser.id).where(StaffUser.email == email))
    finally:
        db_session.rollback()  # end the read, so later reads see what the app writes


def post(client, path: str, **data):
    return post_form(client, path, "/admin/users", **data)


def test_an_admin_adds_a_facilitator_who_can_then_log_in(app, db_session):
    admin = staff_client(app, "admin")
    response = post(admin, "/admin/users", email="New.Person@example.org", display_name="New Person",
                    role="facilitator", password="a long first password")
    assert response.status_code == 302
    assert "Added" in admin.get("/admin/users").get_data(as_text=True)
    assert log_in(app.test_client(), "new.person@example.org", "a long first password").status_code == 302


def test_adding_an_account_with_bad_input_keeps_what_was_typed(app):
    admin = staff_client(app, "admin")
    response = post(admin, "/admin/users", email="not-an-email", display_name="Kept Name", role="leader",
                    password="short")
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Enter an email address like name@example.org." in page
    assert "A password needs at least 12 characters." in page
    assert 'value="Kept Name"' in page and 'value="not-an-email"' in page
    assert 'value="short"' not in page


def test_an_email_can_only_have_one_account(app):
    admin = staff_client(app, "admin")
    make_staff(app, "leader", "lee@example.org")
    response = post(admin, "/admin/users", email="lee@example.org", display_name="Lee", role="leader",
                    password="another long password")
    assert response.status_code == 422
    assert "already exists" in response.get_data(as_text=True)


def test_deactivating_an_account_ends_its_open_sessions_at_once(app, db_session):
    admin = staff_client(app, "admin")
    victim = staff_client(app, "facilitator", "fola@example.org")
    assert victim.get("/staff").status_code == 200
    post(admin, f"/admin/users/{user_id(db_session, 'fola@example.org')}/deactivate")
    response = victim.get("/staff")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert log_in(app.test_client(), "fola@example.org").status_code == 401


def test_an_admin_cannot_deactivate_themself(app, db_session):
    admin = staff_client(app, "admin", "ada@example.org")
    post(admin, f"/admin/users/{user_id(db_session, 'ada@example.org')}/deactivate")
    assert "You cannot deactivate your own account." in admin.get("/admin/users").get_data(as_text=True)


def test_changing_a_role_takes_effect_and_is_audited(app, db_session):
    admin = staff_client(app, "admin", "ada@example.org")
    leader = staff_client(app, "leader", "lee@example.org")
    assert leader.get("/admin/users").status_code == 403
    post(admin, f"/admin/users/{user_id(db_session, 'lee@example.org')}/role", role="admin")
    ended = leader.get("/staff")
    assert ended.status_code == 302 and "/login" in ended.headers["Location"]  # their session ended with the change
    assert log_in(leader, "lee@example.org").status_code == 302
    assert leader.get("/admin/users").status_code == 200
    event = db_session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "role_changed"))
    assert event.actor == "ada@example.org" and '"to": "admin"' in event.details


def test_a_password_reset_shows_a_new_password_once_and_ends_sessions(app, db_session):
    admin = staff_client(app, "admin")
    victim = staff_client(app, "facilitator", "fola@example.org")
    response = post(admin, f"/admin/users/{user_id(db_session, 'fola@example.org')}/reset-password")
    page = response.get_data(as_text=True)
    new_password = re.search(r'<p class="receipt-code">([^<]+)</p>', page).group(1)
    assert victim.get("/staff").status_code == 302
    assert log_in(app.test_client(), "fola@example.org", PASSWORD).status_code == 401
    assert log_in(app.test_client(), "fola@example.org", new_password).status_code == 302
    assert new_password not in admin.get("/admin/users").get_data(as_text=True)


def test_an_admin_turns_on_two_person_approval_of_reveals(app, db_session):
    admin = staff_client(app, "admin")
    token = csrf_for(admin, "/admin/settings")
    admin.post("/admin/settings", data={"csrf_token": token, "reveal_needs_approval": "yes"})
    assert settings.is_on(db_session, settings.REVEAL_NEEDS_APPROVAL)
    admin.post("/admin/settings", data={"csrf_token": token})
    db_session.rollback()
    assert not settings.is_on(db_session, settings.REVEAL_NEEDS_APPROVAL)


def test_create_user_reads_the_password_from_stdin_never_argv(app, runner, db_session):
    result = runner.invoke(args=["create-user", "--email", "cli@example.org", "--name", "Cli Person",
                                 "--role", "facilitator", "--password-stdin"], input="a password from stdin\n")
    assert result.exit_code == 0, result.output
    assert "a password from stdin" not in result.output
    assert log_in(app.test_client(), "cli@example.org", "a password from stdin").status_code == 302


def test_create_user_prompts_for_the_password_with_confirmation(app, runner):
    result = runner.invoke(args=["create-user", "--email", "p@example.org", "--name", "P", "--role", "leader"],
                           input="prompted password!\nprompted password!\n")
    assert result.exit_code == 0, result.output
    assert log_in(app.test_client(), "p@example.org", "prompted password!").status_code == 302


def test_create_user_has_no_password_option(runner):
    help_text = runner.invoke(args=["create-user", "--help"]).output
    assert "--password-stdin" in help_text
    assert not re.search(r"--password(?!-stdin)", help_text)


def test_the_last_admin_can_neither_be_demoted_nor_deactivated(app, db_session):
    admin = staff_client(app, "admin", "ada@example.org")
    ada = user_id(db_session, "ada@example.org")
    post(admin, f"/admin/users/{ada}/role", role="leader")
    assert "This is the last active admin" in admin.get("/admin/users").get_data(as_text=True)
    assert admin.get("/admin/users").status_code == 200  # still an admin
    make_staff(app, "admin", "second@example.org")
    post(admin, f"/admin/users/{user_id(db_session, 'second@example.org')}/deactivate")
    assert log_in(app.test_client(), "second@example.org").status_code == 401  # with two, one may go
