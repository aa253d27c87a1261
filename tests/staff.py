"""Staff test helpers: make accounts and log in through the real login form."""

from __future__ import annotations

from feedback import audit, clock
from feedback.services.admin import accounts
from tests.browsing import post_form

PASSWORD = "correct horse battery staple"


def make_staff(app, role: str, email: str | None = None, name: str | None = None) -> accounts.Staff:
    session = app.extensions["feedback_db"]()
    try:
        return accounts.create_user(session, app.extensions["feedback_password_hasher"],
                                    email or f"{role}@example.org", name or role.capitalize(), role, PASSWORD,
                                    by=audit.Actor(audit.SYSTEM), now=clock.now())
    finally:
        session.close()


def log_in(client, email: str, password: str = PASSWORD):
    return post_form(client, "/login", "/login", email=email, password=password)


def log_out(client):
    """Press "Log out" on the staff home."""
    return post_form(client, "/logout", "/staff")


def staff_client(app, role: str, email: str | None = None):
    """A test client logged in as a new account with this role."""
    staff = make_staff(app, role, email)
    client = app.test_client()
    response = log_in(client, staff.email)
    assert response.status_code == 302, response.get_data(as_text=True)
    return client
