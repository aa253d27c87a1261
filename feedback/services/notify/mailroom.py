"""What admins see of the queue: counts by status, the messages that failed, and sending one again."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import cast

import sqlalchemy as sa
from sqlalchemy import orm

from feedback import audit
from feedback.db import writing
from feedback.models import OutgoingMail
from feedback.services.notify.sending import FAILED, QUEUED, SENT


class NotFailed(LookupError):
    """No failed message has that id (sent meanwhile, retried already, or never there)."""


@dataclass(frozen=True)
class Failure:
    """A failed message as the admin page shows it: never its address, recipient or submission."""

    id: int
    kind: str
    attempts: int
    last_error: str
    failed_at: datetime


def counts(session: orm.Session) -> dict[str, int]:
    query = sa.select(OutgoingMail.status, sa.func.count()).group_by(OutgoingMail.status)
    found = {status: n for status, n in session.execute(query)}
    return {status: found.get(status, 0) for status in (QUEUED, SENT, FAILED)}


def failures(session: orm.Session) -> list[Failure]:
    """Failed messages, latest failure first."""
    query = (sa.select(OutgoingMail.id, OutgoingMail.kind, OutgoingMail.attempts, OutgoingMail.last_error,
                       OutgoingMail.send_after)
             .where(OutgoingMail.status == FAILED).order_by(OutgoingMail.send_after.desc(), OutgoingMail.id))
    return [Failure(i, kind, attempts, error or "", when) for i, kind, attempts, error, when in session.execute(query)]


def retry(session: orm.Session, mail_id: int, *, by: audit.Actor, now: datetime) -> None:
    """Queue a failed message again, with a fresh count of attempts (audited).

    :raises NotFailed: it is not a failed message (any more).
    """
    with writing(session):
        changed = cast(sa.CursorResult, session.execute(
            sa.update(OutgoingMail).where(OutgoingMail.id == mail_id, OutgoingMail.status == FAILED)
            .values(status=QUEUED, attempts=0, send_after=now).execution_options(synchronize_session=False)
        )).rowcount
        if changed != 1:
            raise NotFailed()
        kind = session.scalar(sa.select(OutgoingMail.kind).where(OutgoingMail.id == mail_id))
        audit.record(session, by, audit.Action.MAIL_RETRIED, now=now, details={"mail": mail_id, "kind": kind})
