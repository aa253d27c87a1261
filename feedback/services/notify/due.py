"""Messages the drain itself makes, from counts, so that no row is written in a submitter's request.

Answers waiting for a reply are told at most once per whole hour, and counted at least an hour apart
(an answer's own moment is never kept: a message places it only within a window of an hour or more,
never seconds wide across an hour's boundary, issue 12); the digest is told once a day, for the day
before. Each staff member's last hour and day told are in NotificationPreference.
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
from feedback.services.notify.recipients import chosen_by, language_of, queue

# How many submitters' answers there were when they were last counted, and the drain's time then
# (staff-side: when the sender ran, not when anyone answered): "<time> <count>". Answers keep only their
# date, so the new ones are the rise of this count; it is taken again only an hour or more later.
ANSWERS_COUNTED = "mail.answers_counted"
COUNT_EVERY = timedelta(hours=1)


def whole_hour(now: datetime) -> datetime:
    return now.replace(minute=0, second=0, microsecond=0)


def _due(session: orm.Session, choice: str, told, before):
    """The preferences of those who chose this and were not yet told for this period, locked until commit."""
    query = (sa.select(NotificationPreference)
             .where(NotificationPreference.user_id.in_(chosen_by(choice)), sa.or_(told.is_(None), told < before))
             .order_by(NotificationPreference.user_id).with_for_update())
    return list(session.scalars(query))


def _new_answers(session: orm.Session, now: datetime) -> int | None:
    """Answers sent since the last count, counting now; None (and no count) when that was less than an hour ago."""
    row = session.scalar(sa.select(Setting).where(Setting.key == ANSWERS_COUNTED).with_for_update())
    counted_at, _, before = row.value.partition(" ") if row is not None else ("", "", "0")
    if row is not None and now - datetime.fromisoformat(counted_at) < COUNT_EVERY:
        return None
    total = session.scalar(sa.select(sa.func.count()).select_from(Reply)
                           .where(Reply.author == replies.SUBMITTER)) or 0
    if row is None:
        session.add(Setting(key=ANSWERS_COUNTED, value=f"{now.isoformat()} {total}"))
        session.flush()
    elif total != int(before or 0):  # unchanged, the last count still bounds the next window
        row.value = f"{now.isoformat()} {total}"
    return max(0, total - int(before or 0))


def hall_counts(session: orm.Session, which: sa.ColumnElement[bool]) -> list[HallCount]:
    """How many of the submissions `which` selects each town hall has, by title (halls with none left out)."""
    query = (sa.select(TownHall.slug, TownHall.title, sa.func.count())
             .join(Submission, Submission.town_hall_id == TownHall.id).where(which)
             .group_by(TownHall.slug, TownHall.title).order_by(TownHall.title))
    return [HallCount(slug, title, n) for slug, title, n in session.execute(query)]


def make_answer_notices(session: orm.Session, now: datetime) -> int:
    """Queue this hour's 'answers waiting' message for each who chose it and was not told this hour,
    once the answers can be counted again (an hour after the last count)."""
    hour = whole_hour(now)
    try:
        with writing(session):
            due = _due(session, "answers", NotificationPreference.answers_told_until, hour)
            if not due:
                return 0
            new = _new_answers(session, now)
            if new is None:  # counted less than an hour ago: those due are told at a later drain
                return 0
            waiting = hall_counts(session, replies.unanswered_condition())
            for choice in due:
                choice.answers_told_until = hour
                if new and waiting:
                    queue(session, Kind.ANSWERS, messages.answers(new, waiting, language_of(session, choice.user_id)),
                          now=now, user_id=choice.user_id)
            return len(due) if new and waiting else 0
    except exc.IntegrityError:  # another drain counted this hour first (both inserted the count): it tells
        return 0


def make_digests(session: orm.Session, now: datetime) -> int:
    """Queue yesterday's digest for each who chose it and was not told about yesterday yet."""
    day = now.date() - timedelta(days=1)
    with writing(session):
        due = _due(session, "daily_digest", NotificationPreference.digest_told_for, day)
        halls = hall_counts(session, Submission.received_on == day) if due else []
        for choice in due:
            choice.digest_told_for = day
            if halls:
                message = messages.daily_digest(day.isoformat(), halls, language_of(session, choice.user_id))
                queue(session, Kind.DAILY_DIGEST, message, now=now, user_id=choice.user_id)
        return len(due) if halls else 0
