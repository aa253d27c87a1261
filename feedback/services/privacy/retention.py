"""Retention: named identities are purged a number of days after their town hall's intake closes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import cast

import sqlalchemy as sa
from sqlalchemy import orm

from feedback import audit, db
from feedback.db import writing
from feedback.models import Identity, OutgoingMail, Submission, TownHall


@dataclass(frozen=True)
class Due:
    """Identities of one town hall that are past retention."""

    town_hall_title: str
    intake_closes_on: date
    identities: int


def cutoff(today: date, days: int) -> date:
    """Town halls whose intake closed before this day are past retention."""
    return today - timedelta(days=days)


def _expired_submissions(today: date, days: int) -> sa.Select:
    return (sa.select(Submission.id).join(TownHall, TownHall.id == Submission.town_hall_id)
            .where(TownHall.intake_closes_on < cutoff(today, days)))


def due(session: orm.Session, today: date, days: int) -> list[Due]:
    """What a purge would delete today, per town hall (for --dry-run)."""
    query = (
        sa.select(TownHall.title, TownHall.intake_closes_on, sa.func.count(Identity.submission_id))
        .join(Submission, Submission.town_hall_id == TownHall.id)
        .join(Identity, Identity.submission_id == Submission.id)
        .where(TownHall.intake_closes_on < cutoff(today, days))
        .group_by(TownHall.id, TownHall.title, TownHall.intake_closes_on)
        .order_by(TownHall.intake_closes_on, TownHall.title)
    )
    return [Due(title, closed, count) for title, closed, count in session.execute(query)]


def purge(session: orm.Session, today: date, days: int, *, by: audit.Actor, now: datetime) -> int:
    """Delete the identities past retention (their submissions stay, unnamed) and the notices still
    waiting to be mailed to them; return how many identities.

    Idempotent: a second run the same day deletes nothing more. Every run is an audit event, so the
    log shows that retention is enforced.
    """
    expired = _expired_submissions(today, days)
    with writing(session):
        count = cast(sa.CursorResult, session.execute(  # a DELETE's result is a CursorResult, which counts
            sa.delete(Identity).where(Identity.submission_id.in_(expired))
            .execution_options(synchronize_session=False))).rowcount
        session.execute(sa.update(Submission).where(Submission.id.in_(expired), Submission.is_named.is_(True))
                        .values(is_named=False, identity_deleted=True)
                        .execution_options(synchronize_session=False))
        session.execute(sa.delete(OutgoingMail).where(OutgoingMail.submission_id.in_(expired))
                        .execution_options(synchronize_session=False))
        audit.record(session, by, audit.Action.IDENTITIES_PURGED, now=now,
                     details={"count": count, "retention_days": days, "closed_before": cutoff(today, days).isoformat()})
    if count:
        db.checkpoint(session)
    return count
