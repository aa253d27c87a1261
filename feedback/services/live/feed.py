"""What the audience, the presenter screen and the moderator queue show of a live session, read in one place.

The audience and the presenter see only approved text (the redacted one when there is one) of questions
still published, never an identity, never a pending or dismissed question; the presenter also sees the
moderator's notes. The moderator queue sees every state, with near-duplicate candidates for pending ones.
A flagged question shows its count from before the burst.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy import orm

from feedback.models import (
    LiveQuestion,
    LiveSession,
    LiveVote,
    SimilarityBucket,
    Submission,
    SubmissionStatus,
    TownHall,
    shown_text,
)
from feedback.services import content_language
from feedback.services.live.questions import VISIBLE, QuestionState
from feedback.services.themes import duplicates, similarity, similarity_index


@dataclass(frozen=True)
class Item:
    submission_id: uuid.UUID
    text: str  # the shown text: redacted when redacted
    state: str  # questions.QuestionState
    votes: int  # as shown: frozen at counted_votes while flagged
    raised_by: int  # 1 + the questions merged into it
    flagged: bool = False
    note: str = ""  # presenter and moderator only
    is_named: bool = False  # moderator only (never who)


@dataclass(frozen=True)
class Feed:
    """The audience's and the presenter's view."""

    version: int
    code: str
    town_hall_title: str  # a content_language.Versioned: the room reads it in its language
    on_screen: Item | None
    queue: list[Item]  # approved, in the moderator's order
    answered: list[Item]


@dataclass(frozen=True)
class Queue:
    """The moderator's view: every state."""

    version: int
    code: str
    town_hall_title: str
    pending: list[Item]
    on_screen: Item | None
    approved: list[Item]
    answered: list[Item]
    dismissed: list[Item]
    merged: list[tuple[Item, uuid.UUID]]  # and the question each was merged into
    similar: dict[uuid.UUID, list[uuid.UUID]]  # pending question -> others of the session it nearly repeats


def audience(session: orm.Session, live: LiveSession) -> Feed:
    """The audience's view: no notes."""
    return _feed(session, live, notes=False)


def presenter(session: orm.Session, live: LiveSession) -> Feed:
    """The presenter screen's view: the audience's, with the moderator's notes."""
    return _feed(session, live, notes=True)


def moderator(session: orm.Session, live: LiveSession) -> Queue:
    """The moderator queue."""
    rows = list(session.execute(_questions(live.id)))
    ids = [row.submission_id for row in rows]
    items = _items(session, live, rows, notes=True, named=True)
    by_state: dict[str, list[Item]] = {state.value: [] for state in QuestionState}
    for item in items:
        by_state[item.state].append(item)
    merged = by_state[QuestionState.MERGED]
    into = duplicates.representatives_of(session, [item.submission_id for item in merged])
    pending = [row for row in rows if row.state == QuestionState.PENDING]
    targets = [row for row in rows if row.state not in (QuestionState.DISMISSED, QuestionState.MERGED)]
    on_screen = by_state[QuestionState.ON_SCREEN]
    return Queue(version=live.version, code=live.code, town_hall_title=_title(session, live),
                 pending=by_state[QuestionState.PENDING], on_screen=on_screen[0] if on_screen else None,
                 approved=by_state[QuestionState.APPROVED], answered=by_state[QuestionState.ANSWERED],
                 dismissed=by_state[QuestionState.DISMISSED],
                 merged=[(item, into.get(item.submission_id, item.submission_id)) for item in merged],
                 similar=_similar(session, live.town_hall_id, pending, targets) if ids else {})


def _questions(live_session_id: int, *, visible_only: bool = False) -> sa.Select:
    """The session's questions with what a page shows of their submission, in queue order (pending ones,
    which have no place yet, by their random id: nothing keeps when they came)."""
    query = (sa.select(LiveQuestion.submission_id, LiveQuestion.state, LiveQuestion.position,
                       LiveQuestion.presenter_note, LiveQuestion.flagged, LiveQuestion.counted_votes,
                       Submission.body, Submission.redacted_body, Submission.is_named, Submission.status)
             .join(Submission, Submission.id == LiveQuestion.submission_id)
             .where(LiveQuestion.live_session_id == live_session_id)
             .order_by(LiveQuestion.position, LiveQuestion.submission_id))
    if visible_only:
        query = query.where(LiveQuestion.state.in_(VISIBLE), Submission.status == SubmissionStatus.PUBLISHED.value)
    return query


def _vote_counts(session: orm.Session, live_session_id: int) -> dict[uuid.UUID, int]:
    """Every question's stored votes in the session: one grouped count."""
    query = (sa.select(LiveVote.submission_id, sa.func.count())
             .join(LiveQuestion, LiveQuestion.submission_id == LiveVote.submission_id)
             .where(LiveQuestion.live_session_id == live_session_id).group_by(LiveVote.submission_id))
    return dict(session.execute(query).all())


def _items(session: orm.Session, live: LiveSession, rows: Sequence[sa.Row], *, notes: bool,
           named: bool) -> list[Item]:
    ids = [row.submission_id for row in rows]
    stored = _vote_counts(session, live.id) if ids else {}
    sizes = duplicates.group_sizes(session, ids)
    return [Item(submission_id=row.submission_id, text=shown_text(row.body, row.redacted_body), state=row.state,
                 votes=(row.counted_votes or 0) if row.flagged else stored.get(row.submission_id, 0),
                 raised_by=sizes[row.submission_id], flagged=row.flagged,
                 note=row.presenter_note if notes else "", is_named=row.is_named if named else False)
            for row in rows]


def _feed(session: orm.Session, live: LiveSession, *, notes: bool) -> Feed:
    rows = list(session.execute(_questions(live.id, visible_only=True)))
    items = _items(session, live, rows, notes=notes, named=False)
    on_screen = [item for item in items if item.state == QuestionState.ON_SCREEN]
    return Feed(version=live.version, code=live.code, town_hall_title=_title(session, live),
                on_screen=on_screen[0] if on_screen else None,
                queue=[item for item in items if item.state == QuestionState.APPROVED],
                answered=[item for item in items if item.state == QuestionState.ANSWERED])


def _title(session: orm.Session, live: LiveSession) -> content_language.Versioned:
    """The town hall's title with its versions, so each page shows it in its reader's language."""
    return content_language.of(session.get_one(TownHall, live.town_hall_id), "title")


_MINE, _THEIRS = orm.aliased(SimilarityBucket), orm.aliased(SimilarityBucket)


def _similar(session: orm.Session, town_hall_id: int, pending: list[sa.Row],
             targets: list[sa.Row]) -> dict[uuid.UUID, list[uuid.UUID]]:
    """For each pending question, the session's other questions (not dismissed or merged) it nearly repeats,
    most similar first: the candidates sharing DUPLICATE_BANDS of the similarity index's bands (one statement
    for all of them, within the session), each checked with the desk's exact similarity (DUPLICATE_AT)."""
    if not pending or len(targets) < 2:
        return {}
    shared = sa.func.count().label("bands")
    query = (sa.select(_MINE.submission_id, _THEIRS.submission_id.label("other"), shared)
             .join(_THEIRS, sa.and_(_THEIRS.town_hall_id == _MINE.town_hall_id, _THEIRS.band == _MINE.band,
                                    _THEIRS.bucket == _MINE.bucket, _THEIRS.submission_id != _MINE.submission_id))
             .where(_MINE.town_hall_id == town_hall_id,
                    _MINE.submission_id.in_([row.submission_id for row in pending]),
                    _THEIRS.submission_id.in_([row.submission_id for row in targets]))
             .group_by(_MINE.submission_id, _THEIRS.submission_id)
             .having(shared >= similarity_index.DUPLICATE_BANDS))
    words = {row.submission_id: similarity.words(row.body) for row in targets}
    found: dict[uuid.UUID, list[tuple[float, uuid.UUID]]] = {}
    for mine, other, _bands in session.execute(query):
        score = similarity.jaccard(words[mine], words[other])
        if score >= similarity.DUPLICATE_AT:
            found.setdefault(mine, []).append((score, other))
    return {mine: [other for _score, other in sorted(scored, key=lambda pair: (-pair[0], pair[1]))]
            for mine, scored in found.items()}
