"""Messages the drain itself makes, from counts, so that no row is written in a submitter's request.

Answers waiting for a reply are told at most once per whole hour (an answer's own moment is never
kept: the mail places it no closer than the hour it was counted in, issue 12); the digest is told once
a day, for the day before. Each staff member's last hour and day told are in NotificationPreference.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy import exc, orm

from feedback.db import writing
from feedback.models import NotificationPreference, Reply, Setting, Submission, TownHall
from feedback.services.moderation import replies
from feedback.services.notify import messages
from feedback.services.notify.messages import HallCount, Kind
from feedback.services.notify.recipients import chosen_by, queue

# How many submitters' answers there were at the start of the last hour counted: "<hour> <count>".
# Answers keep only their date, so the new ones of an hour are the rise of this count.
ANSWERS_COUNTED = "mail.answers_counted"


def whole_hour(now: datetime) -> datetime:
    return now.replace(minute=0, second=0, microsecond=0)


def _due(session: orm.Session, choice: str, told, before):
    """The preferences of those who chose this and were not yet told for this period, locked until commit."""
    query = (sa.select(NotificationPreference)
             .where(NotificationPreference.user_id.in_(chosen_by(choice)), sa.or_(told.is_(None), told < before))
             .order_by(NotificationPreference.user_id).with_for_update())
    return list(session.scalars(query))


def _new_answers(session: orm.Session, hour: datetime) -> int:
    """Answers sent since the last hour counted (0 when this hour was counted already); counts this hour."""
    total = session.scalar(sa.select(sa.func.count()).select_from(Reply).where(Reply.author == replies.SUBMITTER))
    row = session.scalar(sa.select(Setting).where(Setting.key == ANSWERS_COUNTED).with_for_update())
    if row is None:
        session.add(Setting(key=ANSWERS_COUNTED, value=f"{hour.isoformat()} {total}"))
        session.flush()
        return total or 0
    counted_hour, _, before = row.value.partition(" ")
    if counted_hour >= hour.isoformat():
        return 0
    row.value = f"{hour.isoformat()} {total}"
    return max(0, (total or 0) - int(before or 0))


def _waiting_by_hall(session: orm.Session) -> list[HallCount]:
    query = (sa.select(TownHall.slug, TownHall.title, sa.func.count())
             .join(Submission, Submission.town_hall_id == TownHall.id)
             .where(replies.unanswered_condition())
             .group_by(TownHall.slug, TownHall.title).order_by(TownHall.title))
    return [HallCount(slug, title, n) for slug, title, n in session.execute(query)]


def make_answer_notices(session: orm.Session, now: datetime) -> int:
    """Queue this hour's 'answers waiting' message for each who chose it and was not told this hour."""
    hour = whole_hour(now)
    try:
        with writing(session):
            due = _due(session, "answers", NotificationPreference.answers_told_until, hour)
            if not due:
                return 0
            new, waiting = _new_answers(session, hour), _waiting_by_hall(session)
            for choice in due:
                choice.answers_told_until = hour
                if new and waiting:
                    queue(session, Kind.ANSWERS, messages.answers(new, waiting), now=now, user_id=choice.user_id)
            return len(due) if new and waiting else 0
    except exc.IntegrityError:  # another drain counted this hour first (both inserted the count): it tells
        return 0


def _received_by_hall(session: orm.Session, day) -> list[HallCount]:
    query = (sa.select(TownHall.slug, TownHall.title, sa.func.count())
             .join(Submission, Submission.town_hall_id == TownHall.id)
             .where(Submission.received_on == day)
             .group_by(TownHall.slug, TownHall.title).order_by(TownHall.title))
    return [HallCount(slug, title, n) for slug, title, n in session.execute(query)]


def make_digests(session: orm.Session, now: datetime) -> int:
    """Queue yesterday's digest for each who chose it and was not told about yesterday yet."""
    day = now.date() - timedelta(days=1)
    with writing(session):
        due = _due(session, "daily_digest", NotificationPreference.digest_told_for, day)
        halls = _received_by_hall(session, day) if due else []
        for choice in due:
            choice.digest_told_for = day
            if halls:
                queue(session, Kind.DAILY_DIGEST, messages.daily_digest(day.isoformat(), halls), now=now,
                      user_id=choice.user_id)
        return len(due) if halls else 0
