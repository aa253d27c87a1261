"""Withdrawal by the submitter, and erasure of every identity of an email: the data is gone, not hidden.

Rows are deleted (secure_delete zeroes them in the SQLite file) and the WAL is checkpointed and
truncated afterwards, so the text no longer sits in the database file or its -wal.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy import orm

from feedback import audit, crypto, db
from feedback.db import writing
from feedback.models import HelpAnswer, Identity, LiveQuestion, OutgoingMail, Submission
from feedback.services.actions import answers
from feedback.services.live import sessions as live_sessions


def withdraw(session: orm.Session, ring: crypto.KeyRing, code: str) -> bool:
    """Delete the submission a receipt code belongs to, with its identity, replies and reveal requests (and, for
    a question asked in a live session, its place there and its votes), and the answers to "did this help?"
    given with the receipt (they are the person's words too).

    No audit event is written: even one without a time would, by its place among the timed staff
    events of the chain, tell roughly when the person acted. Returns False for an unknown code.
    """
    digest = crypto.receipt_hash(ring, code)
    if digest is None:
        return False
    with writing(session):
        submission_id = session.scalar(sa.select(Submission.id).where(Submission.receipt_hash == digest))
        if submission_id is None:
            return False
        # Identity, replies and reveal requests go with it (ON DELETE CASCADE). Its answers share nothing stored
        # with it: their hashes are made again from the typed code, for each action answered with a receipt.
        given = answers.answered_with(session, ring, code)
        if given:
            session.execute(sa.delete(HelpAnswer).where(HelpAnswer.receipt_hash.in_(given))
                            .execution_options(synchronize_session=False))
        # A question asked in a live session goes with its votes (ON DELETE CASCADE): its pages poll again.
        live_session_id = session.scalar(sa.select(LiveQuestion.live_session_id)
                                         .where(LiveQuestion.submission_id == submission_id))
        session.execute(sa.delete(Submission).where(Submission.id == submission_id)
                        .execution_options(synchronize_session=False))
        if live_session_id is not None:
            live_sessions.bump(session, live_session_id)
    db.checkpoint(session)
    return True


def erase_email(session: orm.Session, ring: crypto.KeyRing, email: str, *, by: audit.Actor,
                now: datetime) -> int:
    """Delete every identity sealed with this email (found by its blind index); return how many.

    The submissions stay, now unnamed; notices still waiting to be mailed to them go too (their rows
    would otherwise outlast the identity). The audit event records the count, never the email.
    """
    index = crypto.blind_index(ring, email)
    with writing(session):
        ids = list(session.scalars(sa.select(Identity.submission_id).where(Identity.email_index == index)))
        if ids:
            session.execute(sa.delete(Identity).where(Identity.submission_id.in_(ids))
                            .execution_options(synchronize_session=False))
            session.execute(sa.update(Submission).where(Submission.id.in_(ids))
                            .values(is_named=False, identity_deleted=True)
                            .execution_options(synchronize_session=False))
            session.execute(sa.delete(OutgoingMail).where(OutgoingMail.submission_id.in_(ids))
                            .execution_options(synchronize_session=False))
            live_sessions.bump_for_submissions(session, ids)  # a moderator's queue marks named questions
        audit.record(session, by, audit.Action.IDENTITIES_ERASED, now=now, details={"count": len(ids)})
    db.checkpoint(session)
    return len(ids)
