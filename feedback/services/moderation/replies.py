"""Conversations between facilitators and a submitter, through the receipt."""

from __future__ import annotations

import uuid
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy import orm

from feedback import audit
from feedback.db import writing
from feedback.models import Reply, Submission
from feedback.services.notify import events

STAFF, SUBMITTER = "staff", "submitter"
REPLY_MAX = 5000


class EmptyReply(ValueError):
    """A reply with no text."""


def thread(session: orm.Session, submission_id: uuid.UUID) -> list[Reply]:
    """The replies on a submission, oldest first."""
    query = sa.select(Reply).where(Reply.submission_id == submission_id).order_by(Reply.position)
    return list(session.scalars(query))


def _next_position(session: orm.Session, submission_id: uuid.UUID) -> int:
    last = session.scalar(sa.select(sa.func.max(Reply.position)).where(Reply.submission_id == submission_id))
    return (last or 0) + 1


def add_staff_reply(session: orm.Session, submission_id: uuid.UUID, body: str, *, by: audit.Actor,
                    now: datetime) -> Reply:
    """:raises EmptyReply: nothing to send."""
    if not body:
        raise EmptyReply()
    with writing(session):
        reply = Reply(submission_id=submission_id, author=STAFF, body=body, written_on=now.date(),
                      position=_next_position(session, submission_id))
        session.add(reply)
        audit.record(session, by, audit.Action.REPLY_SENT, now=now, submission_id=submission_id)
        events.staff_replied(session, submission_id, now=now)  # a named submitter may be told (a staff action)
    return reply


def add_submitter_reply(session: orm.Session, submission_id: uuid.UUID, body: str, today: date) -> Reply:
    """A submitter's answer; only its date is kept, and no audit event ties a time to it.

    :raises EmptyReply: nothing to send.
    """
    if not body:
        raise EmptyReply()
    with writing(session):
        reply = Reply(submission_id=submission_id, author=SUBMITTER, body=body, written_on=today,
                      position=_next_position(session, submission_id))
        session.add(reply)
    return reply


def unanswered_condition():
    """SQL condition: the submission's latest reply is the submitter's (it waits for an answer)."""
    latest = (sa.select(Reply.author).where(Reply.submission_id == Submission.id)
              .order_by(Reply.position.desc()).limit(1).correlate(Submission).scalar_subquery())
    return latest == SUBMITTER
