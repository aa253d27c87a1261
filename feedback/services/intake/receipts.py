"""Looking a submission up by its receipt code, the submitter's answers to facilitators, and "Did this help?"."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlalchemy import exc, orm

from feedback import crypto
from feedback.models import Submission, SubmissionStatus
from feedback.services import content_language
from feedback.services.actions import answers
from feedback.services.actions.progress import DONE
from feedback.services.actions.public import PublicAction
from feedback.services.moderation import replies


@dataclass(frozen=True)
class Message:
    """One reply in the thread, as the submitter sees it: who wrote it, the text, and the date only."""

    from_staff: bool
    body: str
    written_on: date


@dataclass(frozen=True)
class ReceiptView:
    submission_id: uuid.UUID  # for the services; pages never show it
    town_hall_title: str
    received_on: date
    status: str  # what the submitter is told of it is worded in receipts/status.html, in their language
    body: str
    redacted_body: str | None
    is_named: bool
    identity_deleted: bool  # sent with a name, since deleted (erasure or retention)
    thread: list[Message]


def look_up(session: orm.Session, ring: crypto.KeyRing, code: str) -> ReceiptView | None:
    """The submission a receipt code belongs to, or None for any code that is not one."""
    digest = crypto.receipt_hash(ring, code)
    if digest is None:
        return None
    submission = session.scalar(sa.select(Submission).where(Submission.receipt_hash == digest))
    if submission is None:
        return None
    status = SubmissionStatus(submission.status)
    thread = [Message(from_staff=r.author == replies.STAFF, body=r.body, written_on=r.written_on)
              for r in replies.thread(session, submission.id)]
    return ReceiptView(
        submission_id=submission.id,
        town_hall_title=content_language.of(submission.town_hall, "title"),
        received_on=submission.received_on,
        status=status.value,
        body=submission.body,
        redacted_body=submission.redacted_body,
        is_named=submission.is_named,
        identity_deleted=submission.identity_deleted,
        thread=thread,
    )


def answer(session: orm.Session, ring: crypto.KeyRing, code: str, found: ReceiptView, text: str,
           today: date) -> ReceiptView | None:
    """Add the submitter's answer to the thread of the submission found by code; the receipt afterwards.

    Returns None when the submission was withdrawn in the meantime.

    :raises replies.EmptyReply: nothing to send.
    """
    try:
        replies.add_submitter_reply(session, found.submission_id, text, today)
    except exc.IntegrityError:
        return None  # withdrawn a moment ago, from another tab
    return look_up(session, ring, code)


def help_question(session: orm.Session, ring: crypto.KeyRing, code: str,
                  shown: Sequence[PublicAction]) -> PublicAction | None:
    """The one action the status page offers "Did this help?" about: the first done one shown, not yet answered.

    One at a time, and only a button there (the question has a page of its own): the padded status page keeps
    its size with the longest concern. The next one is offered once this one is answered.
    """
    done = [a for a in shown if a.status == DONE]
    if crypto.receipt_hash(ring, code) is None or not done:
        return None
    given = answers.answered(session, ring, code, [a.id for a in done])
    return next((a for a in done if a.id not in given), None)


def question(session: orm.Session, ring: crypto.KeyRing, code: str, shown: Sequence[PublicAction],
             action_id: int) -> PublicAction:
    """The done action, among those the status page shows, that this receipt is asked about.

    :raises answers.NotAskable: not a done action shown on the receipt's status page.
    :raises answers.AlreadyAnswered: this receipt already answered about it.
    """
    action = next((a for a in shown if a.id == action_id and a.status == DONE), None)
    if crypto.receipt_hash(ring, code) is None or action is None:
        raise answers.NotAskable()
    if action_id in answers.answered(session, ring, code, [action_id]):
        raise answers.AlreadyAnswered()
    return action


def answer_help(session: orm.Session, ring: crypto.KeyRing, code: str, action_id: int, answer: str, comment: str,
                today: date, form_token: str | None = None) -> bool:
    """Answer "Did this help?" with the receipt: stored with a keyed hash of the code and the action (one the
    submission's own hash cannot be matched to), so once per action; a repeated form stores nothing more (False).

    :raises answers.NotAskable: not a done action on the receipt's published concern's themes.
    :raises answers.AlreadyAnswered: this receipt already answered about it; nothing changed.
    """
    keys = answers.receipt(ring, code, action_id)
    if keys is None:
        raise answers.NotAskable()
    return answers.give(session, action_id, answer, comment, today=today, receipt=keys, form_token=form_token)
