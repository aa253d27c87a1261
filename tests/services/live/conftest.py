"""A running live session of the test town hall, and questions asked in it through the service."""

from __future__ import annotations

import secrets
import uuid

import pytest

from feedback import audit, clock, crypto
from feedback.models import LiveSession
from feedback.services.intake import submitting
from feedback.services.live import questions, sessions, votes

MODERATOR = audit.Actor("facilitator@example.org", staff_id=1)


@pytest.fixture
def live(db_session, hall) -> LiveSession:
    return sessions.start(db_session, hall.id, by=MODERATOR, now=clock.now())


def ask(session, ring, live: LiveSession, body: str = "Why are the rotas posted so late?", *,
        name: str | None = None, token: str | None = None) -> uuid.UUID:
    """A question from the room; its submission's id."""
    identity = crypto.Identity(name=name, email="", contact_ok=False) if name else None
    new = submitting.NewSubmission(body=body, identity=identity)
    return questions.ask(session, ring, live.code, token or crypto.new_form_token(), new, clock.today()).submission_id


def approved(session, ring, live: LiveSession, body: str = "Why are the rotas posted so late?") -> uuid.UUID:
    submission_id = ask(session, ring, live, body)
    questions.approve(session, submission_id, by=MODERATOR, now=clock.now())
    return submission_id


def browser() -> str:
    """A browser's voter secret, as its cookie would carry it."""
    return crypto.new_voter_secret()


def vote(session, ring, live: LiveSession, submission_id: uuid.UUID, secret: str, *, burst: bool = False):
    key = crypto.live_voter_key(ring, secret, submission_id)
    return votes.vote(session, live.id, submission_id, key, burst=lambda _id: burst)


def version(session, live: LiveSession) -> int:
    found = sessions.version(session, live.id)
    assert found is not None
    return found


def text(n: int) -> str:
    return f"Question {n} {secrets.token_hex(3)}"
