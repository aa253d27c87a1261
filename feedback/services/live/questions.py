"""Questions asked in a live session: each one is a submission of the town hall (the same text, status, themes,
receipt and sealed identity as any concern), with its place in the session in a LiveQuestion row.

The submission's status stays the one truth the desk, the summary and the action plan read: approving a
question publishes it, dismissing it hides it (with a reason), merging groups it as a near-duplicate (the
desk's DuplicateLink). The live state says where it is in the room: pending, approved (in the queue),
on screen now (at most one), answered, dismissed, merged. Every change is audited as on the desk (status,
redaction, grouping) or with a LIVE_* action, never with the text, and bumps the session's version.
"""

from __future__ import annotations

import enum
import uuid
from datetime import date, datetime

from sqlalchemy import orm

from feedback import audit, crypto
from feedback.services.intake import submitting

NOTE_MAX = 300


class QuestionState(enum.StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    ON_SCREEN = "on_screen"
    ANSWERED = "answered"
    DISMISSED = "dismissed"
    MERGED = "merged"


def ask(session: orm.Session, ring: crypto.KeyRing, code: str, form_token: str, new: submitting.NewSubmission,
        today: date) -> submitting.Receipt:
    """Store a question from the room as a pending submission of the session's town hall, exactly once per form
    token (a retry gets its receipt again), whatever the town hall's intake window; bumps the version.

    :raises sessions.NoSuchLiveSession: no running session has this code.
    :raises submitting.IntakeUnavailable, submitting.FormTokenReused: as submitting.submit.
    """
    raise NotImplementedError


def approve(session: orm.Session, submission_id: uuid.UUID, *, redacted_body: str | None = None,
            by: audit.Actor, now: datetime) -> None:
    """Publish a pending question (redacting it first when redacted_body is given: REDACTED_MAX, audited as on
    the desk) and put it at the end of the approved queue. Commits.

    :raises LiveError: gone, not pending, or its session ended.
    """
    raise NotImplementedError


def dismiss(session: orm.Session, submission_id: uuid.UUID, *, reason: str, note: str = "", by: audit.Actor,
            now: datetime) -> None:
    """Hide a question (any state but merged) with one of HIDDEN_REASONS; off the screen and the queue. Commits.

    :raises LiveError: gone, no reason, or already dismissed.
    """
    raise NotImplementedError


def merge(session: orm.Session, submission_id: uuid.UUID, into_id: uuid.UUID, *, by: audit.Actor,
          now: datetime) -> None:
    """Group a question under another of the same session (duplicates.group: the desk's grouping), so the other
    one is "raised by N"; the merged one leaves the queue. Commits.

    :raises LiveError: gone, itself, another session, or duplicates.InvalidGrouping's reasons in words.
    """
    raise NotImplementedError


def move(session: orm.Session, submission_id: uuid.UUID, *, up: bool, by: audit.Actor, now: datetime) -> None:
    """Swap an approved question with the one before (up) or after it in the queue. Commits; nothing at an end.

    :raises LiveError: gone or not in the queue.
    """
    raise NotImplementedError


def show(session: orm.Session, submission_id: uuid.UUID, *, by: audit.Actor, now: datetime) -> None:
    """Put an approved (or answered) question on screen now; the one on screen before goes back to answered.
    Commits.

    :raises LiveError: gone, not approved or answered, or its session ended.
    """
    raise NotImplementedError


def mark_answered(session: orm.Session, submission_id: uuid.UUID, *, by: audit.Actor, now: datetime) -> None:
    """The question on screen (or in the queue) was answered: it leaves the queue for the answered list. Commits.

    :raises LiveError: gone, or not approved or on screen.
    """
    raise NotImplementedError


def set_note(session: orm.Session, submission_id: uuid.UUID, note: str, *, by: audit.Actor, now: datetime) -> None:
    """A private note for the presenter (NOTE_MAX characters; "" clears it); audited without its text. Commits.

    :raises LiveError: gone or too long.
    """
    raise NotImplementedError


def check_votes(session: orm.Session, submission_id: uuid.UUID, *, by: audit.Actor, now: datetime) -> None:
    """A moderator looked at a burst of votes: the flag goes and every vote counts again. Commits.

    :raises LiveError: gone or not flagged.
    """
    raise NotImplementedError
