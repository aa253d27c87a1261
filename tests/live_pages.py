"""Use a live session's public pages as the room does: the audience's phone and the presenter screen."""

from __future__ import annotations

import re
import uuid
from html import unescape

import sqlalchemy as sa

from feedback import audit, clock
from feedback.models import LiveSession, Submission
from feedback.services.live import questions, sessions
from tests.browsing import hidden_fields

MODERATOR = audit.Actor("facilitator@example.org")


def start(session, hall) -> LiveSession:
    return sessions.start(session, hall.id, by=MODERATOR, now=clock.now())


def ask(client, code: str, question: str = "Why are the rotas posted so late?", **fields):
    """Open the audience page and send its ask form (anonymous unless fields say otherwise)."""
    page = client.get(f"/live/{code}")
    assert page.status_code == 200, page.status_code
    data = {"comment": question, "identity_choice": "anonymous", **hidden_fields(page.get_data(as_text=True)),
            **fields}
    return client.post(f"/live/{code}/ask", data=data)


def asked(session, question: str) -> uuid.UUID:
    """The submission a question became."""
    session.rollback()  # a new snapshot: the question was stored by another connection
    found = session.scalar(sa.select(Submission.id).where(Submission.body == question))
    assert found is not None, "the question was not stored"
    return found


def ask_and_approve(session, client, code: str, question: str = "Why are the rotas posted so late?") -> uuid.UUID:
    assert ask(client, code, question).status_code == 200
    submission_id = asked(session, question)
    questions.approve(session, submission_id, by=MODERATOR, now=clock.now())
    return submission_id


def me_too(client, code: str, submission_id: uuid.UUID, *, script: bool = False):
    """Press "Me too" on the question, from the page as this browser has it (without or with live.js)."""
    page = client.get(f"/live/{code}").get_data(as_text=True)
    path = f"/live/{code}/q/{submission_id}/vote"
    if not script:
        return client.post(path, data=hidden_fields(page))
    # live.js: no form fields, the page's CSRF token in a header, JSON back
    token = re.search(r'<meta name="csrf-token" content="([^"]+)">', page)
    assert token, "no CSRF token on the page"
    return client.post(path, headers={"Accept": "application/json", "X-CSRFToken": unescape(token.group(1))})
