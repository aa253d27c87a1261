"""Read what the app stored, as an attacker with the files (or a test checking a promise) would."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import sqlalchemy as sa

from feedback.models import AuditEvent, Submission, Tagging


def database_bytes(app) -> bytes:
    """Every byte of the app's SQLite database: the main file and its write-ahead log."""
    url = app.config["DATABASE_URL"]
    path = Path(url.removeprefix("sqlite:///"))
    return b"".join(p.read_bytes() for p in (path, Path(f"{path}-wal")) if p.exists())


def events(db_session, action: str) -> list[AuditEvent]:
    """The audit events with this action, oldest first, read afresh."""
    db_session.rollback()  # a fresh read: end the session's snapshot and forget what it loaded
    return list(db_session.scalars(sa.select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)))


def details(event: AuditEvent) -> dict:
    return json.loads(event.details)


def themes_of(db_session, submission_id: uuid.UUID) -> set[int]:
    """The ids of the themes a submission is tagged with, read afresh."""
    db_session.rollback()
    return set(db_session.scalars(sa.select(Tagging.theme_id).where(Tagging.submission_id == submission_id)))


def submissions(db_session) -> list[Submission]:
    """Every stored submission, read afresh."""
    db_session.expire_all()
    return list(db_session.scalars(sa.select(Submission)))
