"""Questions asked in a live session: each one is a submission of the town hall (the same text, status, themes,
receipt and sealed identity as any concern), with its place in the session in a LiveQuestion row.

The submission's status stays the one truth the desk, the summary and the action plan read: approving a
question publishes it, dismissing it hides it (with a reason), merging groups it as a near-duplicate (the
desk's DuplicateLink). The live state says where it is in the room: pending, approved (in the queue),
on screen now (at most one), answered, dismissed, merged. Every change is audited as on the desk (status,
redaction, grouping) or with a LIVE_* action, never with the text, and bumps the session's version.
"""

from __future__ import annotations

import dataclasses
import enum
import uuid
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy import orm

from feedback import audit, crypto
from feedback.db import writing
from feedback.models import (
    HIDDEN_REASONS,
    LiveQuestion,
    LiveSession,
    LiveVote,
    Submission,
    SubmissionStatus,
    TownHall,
)
from feedback.sentences import Sentence
from feedback.services.intake import submitting
from feedback.services.live import sessions
from feedback.services.live.sessions import LiveError, NoSuchLiveSession
from feedback.services.moderation import desk
from feedback.services.themes import duplicates

NOTE_MAX = 300
GONE = Sentence("This question is not here any more. Reload the page.")


class QuestionState(enum.StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    ON_SCREEN = "on_screen"
    ANSWERED = "answered"
    DISMISSED = "dismissed"
    MERGED = "merged"


# What the audience and the presenter may see (with the submission still published).
VISIBLE = (QuestionState.APPROVED.value, QuestionState.ON_SCREEN.value, QuestionState.ANSWERED.value)


def ask(session: orm.Session, ring: crypto.KeyRing, code: str, form_token: str, new: submitting.NewSubmission,
        today: date) -> submitting.Receipt:
    """Store a question from the room as a pending submission of the session's town hall, exactly once per form
    token (a retry gets its receipt again), whatever the town hall's intake window; bumps the version.

    :raises sessions.NoSuchLiveSession: no running session has this code.
    :raises submitting.IntakeUnavailable, submitting.FormTokenReused: as submitting.submit.
    """
    live = sessions.running(session, code)
    if live is None:
        raise NoSuchLiveSession(code)
    asked = dataclasses.replace(new, live_session_id=live.id, action_id=None)
    slug = session.scalar(sa.select(TownHall.slug).where(TownHall.id == live.town_hall_id))
    if slug is None:
        raise NoSuchLiveSession(code)
    try:
        # submit checks again, in its write, that the session still runs
        return submitting.submit(session, ring, slug, form_token, asked, today)
    except submitting.NoSuchTownHall:
        raise NoSuchLiveSession(code) from None


def approve(session: orm.Session, submission_id: uuid.UUID, *, redacted_body: str | None = None,
            by: audit.Actor, now: datetime) -> None:
    """Publish a pending question (redacting it first when redacted_body is given: REDACTED_MAX, audited as on
    the desk) and put it at the end of the approved queue. Commits.

    :raises LiveError: gone, not pending, or its session ended.
    """
    if redacted_body is not None and len(redacted_body) > desk.REDACTED_MAX:
        raise LiveError(desk.REDACTED_TOO_LONG)
    with writing(session):
        question, submission = _locked(session, submission_id)
        if question.state != QuestionState.PENDING:
            raise LiveError(Sentence("This question is not waiting for approval any more. Reload the page."))
        if redacted_body is not None:
            # A text area's stray spaces around the unchanged text are no redaction.
            text = submission.body if redacted_body.strip() == submission.body.strip() else redacted_body.strip()
            desk.redact_in_write(session, submission, text, by=by, now=now)
        _change_status(session, submission.id, SubmissionStatus.PUBLISHED, by=by, now=now)
        question.state, question.position = QuestionState.APPROVED, _next_position(session, question.live_session_id)
        sessions.bump(session, question.live_session_id)


def dismiss(session: orm.Session, submission_id: uuid.UUID, *, reason: str, note: str = "", by: audit.Actor,
            now: datetime) -> None:
    """Hide a question (any state but merged) with one of HIDDEN_REASONS; off the screen and the queue. Commits.

    :raises LiveError: gone, no reason, or already dismissed.
    """
    if reason not in HIDDEN_REASONS:
        raise LiveError(Sentence("Choose why the question is dismissed."))
    try:
        desk.check_change(SubmissionStatus.HIDDEN, reason, note)
    except desk.InvalidModeration as error:
        raise LiveError(*error.args) from None  # the desk's own sentence
    with writing(session):
        question, _submission = _locked(session, submission_id)
        if question.state == QuestionState.DISMISSED:
            raise LiveError(Sentence("This question is already dismissed."))
        if question.state == QuestionState.MERGED:
            raise LiveError(Sentence("This question is merged into another: dismiss that one instead."))
        _change_status(session, submission_id, SubmissionStatus.HIDDEN, hidden_reason=reason, note=note, by=by,
                       now=now)
        question.state, question.position = QuestionState.DISMISSED, None
        sessions.bump(session, question.live_session_id)


def merge(session: orm.Session, submission_id: uuid.UUID, into_id: uuid.UUID, *, by: audit.Actor,
          now: datetime) -> None:
    """Group a question under another of the same session (duplicates.group: the desk's grouping), so the other
    one is "raised by N"; the merged one leaves the queue. Commits.

    :raises LiveError: gone, itself, another session, or duplicates.InvalidGrouping's reasons in words.
    """
    if submission_id == into_id:
        raise LiveError(Sentence("A question cannot be merged into itself."))
    pair = {q.submission_id: q for q in session.scalars(sa.select(LiveQuestion).where(
        LiveQuestion.submission_id.in_({submission_id, into_id})))}
    question, into = pair.get(submission_id), pair.get(into_id)
    if question is None or into is None:
        raise LiveError(GONE)
    if question.live_session_id != into.live_session_id:
        raise LiveError(Sentence("Only questions of the same live session can be merged."))
    _check_mergeable(question, into)
    _check_running(session, question.live_session_id)
    session.rollback()
    # One write: grouped on the desk and out of the room's queue together (a failure leaves neither done).
    with writing(session):
        try:  # first: it locks both submissions in the order every writer takes them
            duplicates.group_in_write(session, into_id, submission_id, by=by, now=now)
        except duplicates.InvalidGrouping as error:
            raise LiveError(*error.args) from None  # the grouping's own sentence
        question, _submission = _locked(session, submission_id)
        into = session.get(LiveQuestion, into_id, with_for_update=True, populate_existing=True)
        if into is None:
            raise LiveError(GONE)
        _check_mergeable(question, into)  # again: a colleague may have dismissed or merged either one meanwhile
        question.state, question.position = QuestionState.MERGED, None
        sessions.bump(session, question.live_session_id)


def move(session: orm.Session, submission_id: uuid.UUID, *, up: bool, by: audit.Actor, now: datetime) -> None:
    """Swap an approved question with the one before (up) or after it in the queue. Commits; nothing at an end.

    :raises LiveError: gone or not in the queue.
    """
    with writing(session):
        question, _submission = _locked(session, submission_id)
        if question.state != QuestionState.APPROVED or question.position is None:
            raise LiveError(Sentence("This question is not in the queue any more. Reload the page."))
        query = sa.select(LiveQuestion).where(LiveQuestion.live_session_id == question.live_session_id,
                                              LiveQuestion.state == QuestionState.APPROVED)
        if up:
            query = query.where(LiveQuestion.position < question.position).order_by(LiveQuestion.position.desc())
        else:
            query = query.where(LiveQuestion.position > question.position).order_by(LiveQuestion.position)
        neighbour = session.scalar(query.limit(1).with_for_update())
        if neighbour is None or neighbour.position is None:
            return  # already first (or last)
        question.position, neighbour.position = neighbour.position, question.position
        audit.record(session, by, audit.Action.LIVE_MOVED, now=now, submission_id=submission_id,
                     details={"up": up})
        sessions.bump(session, question.live_session_id)


def show(session: orm.Session, submission_id: uuid.UUID, *, by: audit.Actor, now: datetime) -> None:
    """Put an approved (or answered) question on screen now; the one on screen before goes back to answered.
    Commits.

    :raises LiveError: gone, not approved or answered, or its session ended.
    """
    with writing(session):
        question, submission = _locked(session, submission_id)
        if question.state not in (QuestionState.APPROVED, QuestionState.ANSWERED):
            raise LiveError(Sentence("Only an approved or answered question can go on screen."))
        if submission.status != SubmissionStatus.PUBLISHED:
            raise LiveError(Sentence("This question is no longer published: publish it again on the desk first."))
        session.execute(sa.update(LiveQuestion).where(LiveQuestion.live_session_id == question.live_session_id,
                                                      LiveQuestion.state == QuestionState.ON_SCREEN)
                        .values(state=QuestionState.ANSWERED.value).execution_options(synchronize_session="fetch"))
        question.state = QuestionState.ON_SCREEN
        audit.record(session, by, audit.Action.LIVE_SHOWN, now=now, submission_id=submission_id)
        sessions.bump(session, question.live_session_id)


def mark_answered(session: orm.Session, submission_id: uuid.UUID, *, by: audit.Actor, now: datetime) -> None:
    """The question on screen (or in the queue) was answered: it leaves the queue for the answered list. Commits.

    :raises LiveError: gone, or not approved or on screen.
    """
    with writing(session):
        question, _submission = _locked(session, submission_id)
        if question.state not in (QuestionState.APPROVED, QuestionState.ON_SCREEN):
            raise LiveError(Sentence("Only a question on screen or in the queue can be marked answered."))
        question.state = QuestionState.ANSWERED
        audit.record(session, by, audit.Action.LIVE_ANSWERED, now=now, submission_id=submission_id)
        sessions.bump(session, question.live_session_id)


def set_note(session: orm.Session, submission_id: uuid.UUID, note: str, *, by: audit.Actor, now: datetime) -> None:
    """A private note for the presenter (NOTE_MAX characters; "" clears it); audited without its text. Commits.

    :raises LiveError: gone or too long.
    """
    note = note.strip()
    if len(note) > NOTE_MAX:
        raise LiveError(Sentence("Shorten the note to %(max)s characters or fewer.", max=NOTE_MAX))
    with writing(session):
        question, _submission = _locked(session, submission_id)
        if question.presenter_note == note:
            return
        question.presenter_note = note
        audit.record(session, by, audit.Action.LIVE_NOTE, now=now, submission_id=submission_id,
                     details={"cleared": not note})
        sessions.bump(session, question.live_session_id)


def check_votes(session: orm.Session, submission_id: uuid.UUID, *, keep: bool, by: audit.Actor,
                now: datetime) -> None:
    """A moderator looked at a burst of votes: the held votes count (keep) or are deleted (not keep), and the flag
    goes. Audited with how many were held. Commits.

    :raises LiveError: gone or not flagged.
    """
    with writing(session):
        question, _submission = _locked(session, submission_id)
        if not question.flagged:
            raise LiveError(Sentence("This question's votes are not flagged. Reload the page."))
        held = sa.and_(LiveVote.submission_id == submission_id, LiveVote.held.is_(True))
        count = session.scalar(sa.select(sa.func.count()).select_from(LiveVote).where(held)) or 0
        if keep:
            session.execute(sa.update(LiveVote).where(held).values(held=False))
        else:
            session.execute(sa.delete(LiveVote).where(held))
        question.flagged, question.counted_votes = False, None
        audit.record(session, by, audit.Action.LIVE_VOTES_CHECKED, now=now, submission_id=submission_id,
                     details={"held": count, "kept": keep})
        sessions.bump(session, question.live_session_id)


def _check_mergeable(question: LiveQuestion, into: LiveQuestion) -> None:
    if question.state == QuestionState.MERGED:
        raise LiveError(Sentence("This question is already merged into another."))
    if question.state == QuestionState.DISMISSED:
        raise LiveError(Sentence("This question is dismissed: it cannot be merged. Reload the page."))
    if into.state in (QuestionState.MERGED, QuestionState.DISMISSED):
        raise LiveError(Sentence("That question is merged or dismissed: merge into another one."))


def _check_running(session: orm.Session, live_session_id: int) -> None:
    state = session.scalar(sa.select(LiveSession.state).where(LiveSession.id == live_session_id))
    if state != sessions.RUNNING:
        raise NoSuchLiveSession(Sentence("This live session has ended: its questions are on the desk."))


def _locked(session: orm.Session, submission_id: uuid.UUID) -> tuple[LiveQuestion, Submission]:
    """Inside a write: the question and its submission, locked, in a running session; or LiveError."""
    question = session.get(LiveQuestion, submission_id, with_for_update=True)
    submission = session.get(Submission, submission_id, with_for_update=True) if question is not None else None
    if question is None or submission is None:
        raise LiveError(GONE)
    _check_running(session, question.live_session_id)
    return question, submission


def _next_position(session: orm.Session, live_session_id: int) -> int:
    last = session.scalar(sa.select(sa.func.max(LiveQuestion.position))
                          .where(LiveQuestion.live_session_id == live_session_id))
    return (last or 0) + 1


def _change_status(session: orm.Session, submission_id: uuid.UUID, to: str, *, hidden_reason: str | None = None,
                   note: str = "", by: audit.Actor, now: datetime) -> None:
    """The desk's status change (audited there), inside the caller's write."""
    try:
        desk.change_status_in_write(session, [submission_id], to, hidden_reason=hidden_reason, note=note, by=by,
                                    now=now)
    except desk.InvalidModeration as error:
        raise LiveError(*error.args) from None  # the desk's own sentence
