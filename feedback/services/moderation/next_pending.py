"""Which submission a facilitator moderates next: the pending one after this one in the desk's order."""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from sqlalchemy import orm

from feedback.models import Submission, SubmissionStatus


def after(session: orm.Session, current: Submission) -> uuid.UUID | None:
    """The next pending submission of the same town hall, by day received then id (the desk's order).

    It follows this one, wrapping round to the first, so a submission kept pending is passed over rather
    than offered again at once; None when no other submission of the town hall is pending.
    """
    pending = (sa.select(Submission.id)
               .where(Submission.town_hall_id == current.town_hall_id,
                      Submission.status == SubmissionStatus.PENDING.value, Submission.id != current.id)
               .order_by(Submission.received_on, Submission.id).limit(1))
    later = sa.or_(Submission.received_on > current.received_on,
                   sa.and_(Submission.received_on == current.received_on, Submission.id > current.id))
    return session.scalar(pending.where(later)) or session.scalar(pending)
