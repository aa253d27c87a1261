"""Helpers shared by the tagging, suggestion and duplicate tests (their fixtures are in conftest)."""

from __future__ import annotations

import json
import re
import uuid
from html import unescape

import sqlalchemy as sa

from feedback.models import AuditEvent, Tagging
from tests.factories import make_submission

CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')
ROW_ID = re.compile(r'name="selected" value="([0-9a-f-]{36})"')
CHECKED_ID = re.compile(r'name="selected" value="([0-9a-f-]{36})"[^>]*\bchecked\b')


def add(db_session, ring, hall, body="A concern.") -> uuid.UUID:
    return make_submission(db_session, ring, hall, body).submission_id


def token(client, path: str) -> str:
    return CSRF.search(client.get(path).get_data(as_text=True)).group(1)


def post(client, path: str, page: str, **fields):
    """Post a form found on page (its CSRF token comes from there)."""
    return client.post(path, data={"csrf_token": token(client, page), **fields})


def text(response) -> str:
    return unescape(response.get_data(as_text=True))


def themes_of(db_session, submission_id) -> set[int]:
    db_session.rollback()  # a fresh read
    return set(db_session.scalars(sa.select(Tagging.theme_id).where(Tagging.submission_id == submission_id)))


def events(db_session, action: str) -> list[AuditEvent]:
    db_session.rollback()
    return list(db_session.scalars(sa.select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)))


def details(event: AuditEvent) -> dict:
    return json.loads(event.details)

