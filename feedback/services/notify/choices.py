"""What each staff member chose to be told by email (facilitators and admins; leaders are offered nothing)."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime

from sqlalchemy import orm

from feedback import audit
from feedback.db import writing
from feedback.models import NotificationPreference
from feedback.services.notify.recipients import MAIL_ROLES


class NotOffered(PermissionError):
    """No mail is offered to this role: leaders' numbers come only from releases, never from live counts."""


@dataclass(frozen=True)
class Choices:
    escalations: bool = False
    answers: bool = False
    reveal_requests: bool = False
    daily_digest: bool = False


def offered(role: str) -> bool:
    return role in MAIL_ROLES


def current(session: orm.Session, user_id: int) -> Choices:
    row = session.get(NotificationPreference, user_id)
    if row is None:
        return Choices()
    return Choices(escalations=row.escalations, answers=row.answers, reveal_requests=row.reveal_requests,
                   daily_digest=row.daily_digest)


def choose(session: orm.Session, choices: Choices, *, role: str, by: audit.Actor, now: datetime) -> None:
    """Save this person's choices, audited with what they chose.

    :raises NotOffered: a leader (or any role mail is not offered to).
    """
    if not offered(role) or by.staff_id is None:
        raise NotOffered()
    with writing(session):
        row = session.get(NotificationPreference, by.staff_id)
        if row is None:
            row = NotificationPreference(user_id=by.staff_id)
            session.add(row)
        for name, value in asdict(choices).items():
            setattr(row, name, value)
        audit.record(session, by, audit.Action.NOTIFICATIONS_CHOSEN, now=now, details=asdict(choices))
