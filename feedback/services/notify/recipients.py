"""Who is told what: active facilitators and admins who chose it (leaders are never sent mail)."""

from __future__ import annotations

from collections.abc import Callable
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


def language_of(session: orm.Session, user_id: int) -> str | None:
    """The language a staff member chose for their pages and mail (None: English mail)."""
    return session.scalar(sa.select(StaffUser.language).where(StaffUser.id == user_id))


def queue_for_all(session: orm.Session, choice: str, kind: str, message: Callable[[str | None], Message], *,
                  now: datetime, except_id: int | None) -> int:
    """Queue one message for everyone who chose this, except the person whose action it tells about, each written
    in their own language (message(language) writes it)."""
    query = (sa.select(StaffUser.id, StaffUser.language).where(StaffUser.id.in_(chosen_by(choice)))
             .order_by(StaffUser.id))
    recipients = [(i, language) for i, language in session.execute(query) if i != except_id]
    written: dict[str | None, Message] = {}
    for user_id, language in recipients:
        if language not in written:
            written[language] = message(language)
        queue(session, kind, written[language], now=now, user_id=user_id)
    return len(recipients)
