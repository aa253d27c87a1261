""""Me too" votes: one per browser per question, stored as a per-question key (crypto.live_voter_key) and
nothing else: no address, no identity, no time, no order.

A burst of votes on one question (more than LIVE_VOTE_BURST in its window, counted by the caller's
`burst` check in the limiter's storage, never in the vote table) flags the question: its shown count
stays where it was until a moderator checks the votes (questions.check_votes), instead of moving it.
"""

from __future__ import annotations

import enum
import uuid
from collections.abc import Callable

from sqlalchemy import orm


class Voted(enum.StrEnum):
    COUNTED = "counted"
    ALREADY = "already"  # this browser had said "me too" to this question


def vote(session: orm.Session, live_session_id: int, submission_id: uuid.UUID, voter_key: bytes, *,
         burst: Callable[[uuid.UUID], bool]) -> Voted:
    """Count one browser's "me too" for an approved or on-screen question of this running session, once.

    burst(submission_id) is called for a counted vote only and says whether the question is in a burst;
    the first time, the question is flagged with its count before the burst. Bumps the version. Commits.

    :raises sessions.NoSuchLiveSession: the session is not running.
    :raises sessions.LiveError: the question is not one the audience can see in this session.
    """
    raise NotImplementedError


def counts(session: orm.Session, submission_ids: list[uuid.UUID]) -> dict[uuid.UUID, int]:
    """The votes of each question as stored (flags aside): one grouped count."""
    raise NotImplementedError
