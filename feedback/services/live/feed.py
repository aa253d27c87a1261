"""What the audience, the presenter screen and the moderator queue show of a live session, read in one place.

The audience and the presenter see only approved text (the redacted one when there is one) of questions
still published, never an identity, never a pending or dismissed question; the presenter also sees the
moderator's notes. The moderator queue sees every state, with near-duplicate candidates for pending ones.
A flagged question shows its count from before the burst.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import orm

from feedback.models import LiveSession


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
    town_hall_title: str
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
    raise NotImplementedError


def presenter(session: orm.Session, live: LiveSession) -> Feed:
    """The presenter screen's view: the audience's, with the moderator's notes."""
    raise NotImplementedError


def moderator(session: orm.Session, live: LiveSession) -> Queue:
    """The moderator queue."""
    raise NotImplementedError
