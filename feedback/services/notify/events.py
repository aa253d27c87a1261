"""What other services call, inside their own write, when something staff may want to be told about happens.

Each call only queues mail (feedback.models.OutgoingMail) in the caller's transaction; nothing is sent
here, and nothing here can fail the caller's request. Only staff actions call these: a row written in a
submitter's request would carry the moment they acted (promise 1).
"""

from __future__ import annotations

import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy import orm

from feedback import audit
from feedback.models import Identity, OutgoingMail, Submission
from feedback.services.notify import due, messages
from feedback.services.notify.messages import Kind
from feedback.services.notify.recipients import queue, queue_for_all


def escalated(session: orm.Session, submission_ids: list[uuid.UUID], *, by: audit.Actor, now: datetime) -> None:
    """Submissions were just escalated (by a staff member, inside the caller's write)."""
    if not submission_ids:
        return
    halls = due.hall_counts(session, Submission.id.in_(submission_ids))
    queue_for_all(session, "escalations", Kind.ESCALATIONS, lambda language: messages.escalations(halls, language),
                  now=now, except_id=by.staff_id)


def reveal_requested(session: orm.Session, *, by: audit.Actor, now: datetime) -> None:
    """A reveal request now waits for a second person (anyone who chose it but the requester)."""
    queue_for_all(session, "reveal_requests", Kind.REVEAL_REQUESTS, messages.reveal_request, now=now,
                  except_id=by.staff_id)


def staff_replied(session: orm.Session, submission_id: uuid.UUID, *, now: datetime) -> None:
    """Staff replied to a submission: a named submitter may be told (whether they allowed it is sealed).

    One row, holding only the submission's id; the sender opens the identity when it sends, and drops
    the row if contact was not allowed or the identity is gone. Replies while one notice still waits add none.
    It is written in the language the submission was written in.
    """
    if session.get(Identity, submission_id) is None:
        return
    waiting = session.scalar(sa.select(OutgoingMail.id).where(
        OutgoingMail.submission_id == submission_id, OutgoingMail.kind == Kind.REPLY_TO_SUBMITTER,
        OutgoingMail.status == "queued").limit(1))
    if waiting is None:
        language = session.scalar(sa.select(Submission.language).where(Submission.id == submission_id))
        queue(session, Kind.REPLY_TO_SUBMITTER, messages.reply_to_submitter(language), now=now,
              submission_id=submission_id)
