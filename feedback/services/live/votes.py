""""Me too" votes: one per browser per question, stored as a per-question key (crypto.live_voter_key) and
nothing else: no address, no identity, no time, no order.

A burst of votes on one question (more than LIVE_VOTE_BURST in its window, counted by the caller's
`burst` check in the limiter's storage, never in the vote table) flags the question: its shown count
stays where it was, and the vote that made the burst and every one after it are stored held, until a
moderator counts them or discards them (questions.check_votes), instead of moving it.
"""

from __future__ import annotations

import enum
import uuid
from collections.abc import Callable
from typing import cast

import sqlalchemy as sa
from sqlalchemy import orm
from sqlalchemy.dialects import postgresql, sqlite

from feedback.db import writing
from feedback.models import LiveQuestion, LiveSession, LiveVote, Submission, SubmissionStatus
from feedback.sentences import Sentence
from feedback.services.live import sessions
from feedback.services.live.questions import QuestionState


class Voted(enum.StrEnum):
    COUNTED = "counted"
    HELD = "held"  # stored, to count only if a moderator counts the flagged question's held votes
    ALREADY = "already"  # this browser had said "me too" to this question


# Votes are taken for the questions still to answer that the audience sees (with the submission published).
VOTABLE = (QuestionState.APPROVED.value, QuestionState.ON_SCREEN.value)


def vote(session: orm.Session, live_session_id: int, submission_id: uuid.UUID, voter_key: bytes, *,
         burst: Callable[[uuid.UUID], bool]) -> Voted:
    """Count one browser's "me too" for an approved or on-screen question of this running session, once.

    burst(submission_id) is called for a new vote only and says whether the question is in a burst; the first
    time, the question is flagged with its count before the burst. The vote that made the burst and every new
    one on a flagged question are stored held (once per browser all the same), and no page shows them: the
    version stays. Otherwise bumps the version. Commits.

    :raises sessions.NoSuchLiveSession: the session is not running.
    :raises sessions.LiveError: the question is not one the audience can see in this session.
    """
    with writing(session):
        state = session.scalar(sa.select(LiveSession.state).where(LiveSession.id == live_session_id))
        if state != sessions.RUNNING:
            raise sessions.NoSuchLiveSession(Sentence("This live session has ended."))
        question = session.scalar(
            sa.select(LiveQuestion).join(Submission, Submission.id == LiveQuestion.submission_id)
            .where(LiveQuestion.submission_id == submission_id, LiveQuestion.live_session_id == live_session_id,
                   LiveQuestion.state.in_(VOTABLE), Submission.status == SubmissionStatus.PUBLISHED.value)
            .with_for_update(of=LiveQuestion))
        if question is None:
            raise sessions.LiveError(Sentence("This question is not open for votes any more. Reload the page."))
        if question.flagged:  # its shown count stays frozen: no page shows anything new
            return Voted.HELD if _insert(session, submission_id, voter_key, held=True) else Voted.ALREADY
        if not _insert(session, submission_id, voter_key):
            return Voted.ALREADY
        if burst(submission_id):
            session.execute(sa.update(LiveVote).where(LiveVote.submission_id == submission_id,
                                                      LiveVote.voter_key == voter_key).values(held=True))
            counted = session.scalar(sa.select(sa.func.count()).select_from(LiveVote).where(
                LiveVote.submission_id == submission_id, LiveVote.held.is_(False))) or 0
            question.flagged, question.counted_votes = True, counted  # the count before this vote
            sessions.bump(session, live_session_id)  # the moderator's queue shows the flag
            return Voted.HELD
        sessions.bump(session, live_session_id)
    return Voted.COUNTED


def counts(session: orm.Session, submission_ids: list[uuid.UUID]) -> dict[uuid.UUID, int]:
    """The votes of each question as stored (flags aside, held ones too): one grouped count."""
    found = dict.fromkeys(submission_ids, 0)
    if submission_ids:
        query = (sa.select(LiveVote.submission_id, sa.func.count()).where(LiveVote.submission_id.in_(submission_ids))
                 .group_by(LiveVote.submission_id))
        found.update({submission_id: n for submission_id, n in session.execute(query)})
    return found


def voted(session: orm.Session, voter_keys: list[bytes]) -> set[uuid.UUID]:
    """The questions a browser said "me too" to, among those whose keys (crypto.live_voter_key) are given."""
    if not voter_keys:
        return set()
    return set(session.scalars(sa.select(LiveVote.submission_id).where(LiveVote.voter_key.in_(voter_keys))))


def _insert(session: orm.Session, submission_id: uuid.UUID, voter_key: bytes, *, held: bool = False) -> bool:
    """Store the vote unless this browser's is already there; True when it was stored (no error to recover from:
    on PostgreSQL a unique violation would abort the transaction)."""
    table = cast(sa.Table, LiveVote.__table__)
    values = {"submission_id": submission_id, "voter_key": voter_key, "held": held}
    if session.get_bind().dialect.name == "postgresql":
        statement: sa.Insert = postgresql.insert(table).values(values).on_conflict_do_nothing()
    else:
        statement = sqlite.insert(table).values(values).on_conflict_do_nothing()
    # RETURNING says whether it was stored (psycopg's rowcount for this statement is -1)
    return session.execute(statement.returning(table.c.submission_id)).first() is not None
