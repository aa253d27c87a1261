"""Identity escrow: a named submitter's identity is opened only for a typed reason, and that is audited.

With the admin setting REVEAL_NEEDS_APPROVAL on, a reveal first needs a request that a second
facilitator or admin approves; the requester may then open the identity once. With it off, a reveal
is a request used at once. The audit log records who, when, which submission and why, never the
identity itself.

A reveal form carries the id of its sender's latest request for the submission when it was shown
(latest_id), so that sending the same form again (a refresh) reveals and records nothing.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime
from typing import cast

import sqlalchemy as sa
from sqlalchemy import orm

from feedback import audit, crypto
from feedback.db import writing
from feedback.models import Identity, RevealRequest, StaffUser, Submission, TownHall
from feedback.services.admin import settings
from feedback.services.notify import events
from feedback.services.privacy import identities

REASON_MIN = 10
REASON_MAX = 1000
PENDING, APPROVED, DENIED, USED = "pending", "approved", "denied", "used"


class NothingToReveal(LookupError):
    """The submission does not exist, was sent anonymously, or its identity was erased."""


class ReasonTooShort(ValueError):
    """A reveal needs a reason of at least REASON_MIN characters."""


class ApprovalRequired(Exception):
    """Two-person approval is on: ask for a reveal instead of revealing."""


class Unreadable(Exception):
    """The identity does not open with the key ring (e.g. its master key was retired too early)."""


class NotAllowed(PermissionError):
    """The request cannot be decided or opened by this person, or is no longer in the right state."""


class AlreadySent(Exception):
    """This reveal form was sent before (a refresh or a repeat): nothing is revealed, asked or recorded again."""


@dataclass(frozen=True)
class SubmissionFacts:
    """What the reveal page shows about the submission (never the identity)."""

    id: uuid.UUID
    town_hall_title: str
    received_on: date
    status: str
    body: str
    is_named: bool


@dataclass(frozen=True)
class RequestView:
    id: int
    submission_id: uuid.UUID
    town_hall_title: str
    requested_by_id: int
    requested_by: str
    reason: str
    status: str
    decided_by: str | None


def facts(session: orm.Session, submission_id: uuid.UUID) -> SubmissionFacts | None:
    submission = session.get(Submission, submission_id)
    if submission is None:
        return None
    return SubmissionFacts(id=submission.id, town_hall_title=submission.town_hall.title,
                           received_on=submission.received_on, status=submission.status,
                           body=submission.body, is_named=submission.is_named)


def _checked_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if len(reason) < REASON_MIN:
        raise ReasonTooShort()
    return reason[:REASON_MAX]


def _identity(session: orm.Session, submission_id: uuid.UUID) -> Identity:
    identity = session.get(Identity, submission_id)
    if identity is None:
        raise NothingToReveal()
    return identity


def _open(session: orm.Session, ring: crypto.KeyRing, submission_id: uuid.UUID) -> crypto.Identity:
    try:
        return identities.unseal(ring, _identity(session, submission_id))
    except crypto.IdentityUnreadable:
        raise Unreadable() from None


def latest_id(session: orm.Session, submission_id: uuid.UUID, staff_id: int | None) -> int:
    """The id of this person's latest request (or reveal) for the submission, 0 if none."""
    latest = session.scalar(sa.select(sa.func.max(RevealRequest.id)).where(
        RevealRequest.submission_id == submission_id, RevealRequest.requested_by == staff_id))
    return latest or 0


def _refuse_if_sent(session: orm.Session, submission_id: uuid.UUID, by: audit.Actor, seen: int | None) -> None:
    """A form shown before this person's latest request was sent already (seen None: no form to check).

    The submission's row is locked first (FOR UPDATE, until the transaction ends): on PostgreSQL, under
    READ COMMITTED, two copies of one form sent at once would otherwise both read the same latest id and
    both reveal. The second now waits, then sees the first one's request. (SQLite's BEGIN IMMEDIATE
    already lets one writer in at a time; it renders no FOR UPDATE.)
    """
    session.execute(sa.select(Submission.id).where(Submission.id == submission_id).with_for_update())
    if seen is not None and latest_id(session, submission_id, by.staff_id) != seen:
        raise AlreadySent()


def reveal(session: orm.Session, ring: crypto.KeyRing, submission_id: uuid.UUID, reason: str, *,
           by: audit.Actor, now: datetime, seen: int | None = None) -> crypto.Identity:
    """Open an identity for a reason, as a request used at once, writing the audit event in the same transaction.

    :param seen: latest_id() when the reveal form was shown.
    :raises ReasonTooShort: no real reason given.
    :raises ApprovalRequired: two-person approval is on; use request_reveal().
    :raises AlreadySent: this form was sent before.
    :raises NothingToReveal: anonymous, erased or unknown submission.
    :raises Unreadable: the key ring cannot open it.
    """
    reason = _checked_reason(reason)
    with writing(session):
        if settings.is_on(session, settings.REVEAL_NEEDS_APPROVAL):
            raise ApprovalRequired()
        _refuse_if_sent(session, submission_id, by, seen)
        identity = _open(session, ring, submission_id)
        request = RevealRequest(submission_id=submission_id, requested_by=by.staff_id, reason=reason, status=USED)
        session.add(request)
        session.flush()
        audit.record(session, by, audit.Action.IDENTITY_REVEALED, now=now, submission_id=submission_id, reason=reason,
                     details={"request": request.id})
    return identity


def request_reveal(session: orm.Session, submission_id: uuid.UUID, reason: str, *, by: audit.Actor,
                   now: datetime, seen: int | None = None) -> RevealRequest:
    """Ask a second facilitator or admin to approve a reveal.

    :param seen: latest_id() when the reveal form was shown.
    :raises ReasonTooShort: no real reason given.
    :raises AlreadySent: this form was sent before.
    :raises NothingToReveal: anonymous, erased or unknown submission.
    """
    reason = _checked_reason(reason)
    with writing(session):
        _identity(session, submission_id)
        _refuse_if_sent(session, submission_id, by, seen)
        request = RevealRequest(submission_id=submission_id, requested_by=by.staff_id, reason=reason,
                                status=PENDING)
        session.add(request)
        session.flush()
        audit.record(session, by, audit.Action.REVEAL_REQUESTED, now=now, submission_id=submission_id, reason=reason,
                     details={"request": request.id})
        events.reveal_requested(session, by=by, now=now)
    return request


def decide(session: orm.Session, request_id: int, approve: bool, *, by: audit.Actor, now: datetime) -> None:
    """Approve or deny a pending request; nobody decides their own.

    :raises NotAllowed: own request, unknown, or already decided.
    """
    with writing(session):
        request = session.get(RevealRequest, request_id)
        if request is None or request.requested_by == by.staff_id:
            raise NotAllowed()
        # Conditional update: of two people deciding at once, only one succeeds.
        changed = cast(sa.CursorResult, session.execute(
            sa.update(RevealRequest)
            .where(RevealRequest.id == request_id, RevealRequest.status == PENDING)
            .values(status=APPROVED if approve else DENIED, decided_by=by.staff_id)
            .execution_options(synchronize_session=False)
        )).rowcount
        if changed != 1:
            raise NotAllowed()
        audit.record(session, by, audit.Action.REVEAL_APPROVED if approve else audit.Action.REVEAL_DENIED, now=now,
                     submission_id=request.submission_id, reason=request.reason,
                     details={"request": request_id})


def open_approved(session: orm.Session, ring: crypto.KeyRing, submission_id: uuid.UUID, *,
                  by: audit.Actor, now: datetime) -> crypto.Identity:
    """Open an identity through the requester's own approved request, which is then used up.

    :raises NotAllowed: no approved request of theirs for this submission.
    :raises NothingToReveal: the identity was erased since.
    """
    with writing(session):
        request = session.scalar(
            sa.select(RevealRequest)
            .where(RevealRequest.submission_id == submission_id, RevealRequest.requested_by == by.staff_id,
                   RevealRequest.status == APPROVED)
            .order_by(RevealRequest.id).limit(1)
        )
        if request is None:
            raise NotAllowed()
        identity = _open(session, ring, submission_id)
        changed = cast(sa.CursorResult, session.execute(
            sa.update(RevealRequest)
            .where(RevealRequest.id == request.id, RevealRequest.status == APPROVED)
            .values(status=USED)
            .execution_options(synchronize_session=False)
        )).rowcount
        if changed != 1:
            raise NotAllowed()
        audit.record(session, by, audit.Action.IDENTITY_REVEALED, now=now, submission_id=submission_id,
                     reason=request.reason, details={"request": request.id})
    return identity


def _request_views(session: orm.Session, *conditions) -> list[RequestView]:
    requester = orm.aliased(StaffUser)
    decider = orm.aliased(StaffUser)
    query = (
        sa.select(RevealRequest, TownHall.title, requester.display_name, decider.display_name)
        .join(Submission, Submission.id == RevealRequest.submission_id)
        .join(TownHall, TownHall.id == Submission.town_hall_id)
        .join(requester, requester.id == RevealRequest.requested_by)
        .outerjoin(decider, decider.id == RevealRequest.decided_by)
        .where(*conditions)
        .order_by(RevealRequest.id)
    )
    return [
        RequestView(id=r.id, submission_id=r.submission_id, town_hall_title=title, requested_by_id=r.requested_by,
                    requested_by=asked, reason=r.reason, status=r.status, decided_by=decided)
        for r, title, asked, decided in session.execute(query)
    ]


def pending(session: orm.Session) -> list[RequestView]:
    """Requests waiting for a decision, oldest first."""
    return _request_views(session, RevealRequest.status == PENDING)


def approved_for(session: orm.Session, staff_id: int) -> list[RequestView]:
    """This person's approved requests, not yet opened."""
    return _request_views(session, RevealRequest.status == APPROVED, RevealRequest.requested_by == staff_id)


def latest_request(session: orm.Session, submission_id: uuid.UUID, staff_id: int) -> RequestView | None:
    """This person's most recent request for this submission, if any."""
    found = _request_views(session, RevealRequest.submission_id == submission_id,
                           RevealRequest.requested_by == staff_id)
    return found[-1] if found else None


def needs_approval(session: orm.Session) -> bool:
    return settings.is_on(session, settings.REVEAL_NEEDS_APPROVAL)
