"""An app whose mail goes to a real local SMTP server, with staff who chose what to be told."""

from __future__ import annotations

from datetime import datetime

import pytest

from feedback import clock
from feedback.services.notify import choices, smtp
from feedback.services.notify.sending import drain
from tests.smtp import mail_server  # noqa: F401 - a fixture
from tests.staff import make_staff


@pytest.fixture
def mail_app(make_app, mail_server):  # noqa: F811 - the fixture above
    return make_app(**mail_server.config(), MAIL_MAX_ATTEMPTS=3)


@pytest.fixture
def session(mail_app):
    session = mail_app.extensions["feedback_db"]()
    yield session
    session.close()


def staff_who_chose(app, role: str, email: str, **chosen: bool):
    """A staff account that chose these messages (through the service the page uses)."""
    staff = make_staff(app, role, email)
    if chosen:
        session = app.extensions["feedback_db"]()
        try:
            choices.choose(session, choices.Choices(**chosen), role=role, by=staff.actor, now=clock.now())
        finally:
            session.close()
    return staff


def send_queued(app, at: datetime | None = None):
    """One pass of the drain, as `flask send-mail` makes it (at a given moment)."""
    session = app.extensions["feedback_db"]()
    try:
        return drain(session, app.extensions["feedback_keyring"], smtp.Server.from_config(app.config),
                     now=lambda: at or clock.now(), max_attempts=app.config["MAIL_MAX_ATTEMPTS"])
    finally:
        session.close()
