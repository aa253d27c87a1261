"""Who is told what: active facilitators and admins who chose it (leaders are never sent mail)."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy import orm

from feedback.models import NotificationPreference, OutgoingMail, Role, StaffUser
from feedback.services.notify.messages import Message

MAIL_ROLES = (Role.ADMIN.value, Role.FACILITATOR.value)
CHOICES = ("escalations", "answers", "reveal_requests", "daily_digest")


def chosen_by(choice: str):
    """SQL: the staff ids who may be and chose to be told this (choice is a NotificationPreference column)."""
    return (sa.select(StaffUser.id)
            .join(NotificationPreference, NotificationPreference.user_id == StaffUser.id)
            .where(StaffUser.is_active.is_(True), StaffUser.role.in_(MAIL_ROLES),
                   getattr(NotificationPreference, choice).is_(True)))


def still_wants(session: orm.Session, user_id: int, choice: str) -> bool:
    """At send time: the account is still active, a facilitator or admin, and still chose this."""
    return session.scalar(chosen_by(choice).where(StaffUser.id == user_id)) is not None


def queue(session: orm.Session, kind: str, message: Message, *, now: datetime, user_id: int | None = None,
          submission_id=None) -> OutgoingMail:
    """Add one row to the queue, in the caller's transaction."""
    row = OutgoingMail(kind=kind, user_id=user_id, submission_id=submission_id, subject=message.subject,
                       body=message.body, status="queued", attempts=0, send_after=now)
    session.add(row)
    return row


def queue_for_all(session: orm.Session, choice: str, kind: str, message: Message, *, now: datetime,
                  except_id: int | None) -> int:
    """Queue one message for everyone who chose this, except the person whose action it tells about."""
    ids = [i for i in session.scalars(chosen_by(choice)) if i != except_id]
    for user_id in ids:
        queue(session, kind, message, now=now, user_id=user_id)
    return len(ids)
