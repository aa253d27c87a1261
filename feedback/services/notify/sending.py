"""The drain: claim a due row, send it, then mark it sent, due again later (backoff) or failed; repeat.

A row is claimed just before it is sent, one at a time, by moving its send_after past a lease in a
write of its own, so two drains at once never send the same row (the second sees it as not due) however
long a pass takes; a drain that dies mid-send leaves it to be sent again once the lease ends.

A notice to a submitter leaves no trace of whether it went: sent or dropped (no contact allowed, erased),
its row is deleted and the same audit event is written, so the database cannot tell who allowed contact.
Logins and submitters' notices wait (NeedsTLS) unless the server is reached over TLS or on loopback.
Nothing here runs in a request.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy import orm

from feedback import audit, crypto
from feedback.db import writing
from feedback.models import Identity, OutgoingMail, StaffUser
from feedback.services.notify import smtp
from feedback.services.notify.messages import Kind, filled
from feedback.services.notify.recipients import CHOICES, still_wants
from feedback.services.privacy import identities

log = logging.getLogger(__name__)

LEASE = timedelta(minutes=10)
BATCH = 100
QUEUED, SENT, FAILED = "queued", "sent", "failed"
NEEDS_TLS = "NeedsTLS"  # last_error of a row held back by the plaintext rule (see _needs_tls)


def backoff(attempts: int) -> timedelta:
    """How long to wait after a failed attempt: 1, 2, 4, 8 ... minutes, at most a day."""
    return min(timedelta(minutes=2 ** min(attempts - 1, 11)), timedelta(days=1))  # 2**11 min > a day


@dataclass
class Drained:
    sent: int = 0
    retrying: int = 0
    failed: int = 0
    dropped: int = 0


def claim(session: orm.Session, now: datetime, limit: int = BATCH, *, due_by: datetime | None = None) -> list[int]:
    """Take rows due by due_by (now) for this drain: a lease (send_after moved on) and one more attempt,
    committed at once. The drain takes one at a time, so that no lease runs while other rows are sent."""
    with writing(session):
        rows = list(session.scalars(
            sa.select(OutgoingMail)
            .where(OutgoingMail.status == QUEUED, OutgoingMail.send_after <= (due_by or now))
            .order_by(OutgoingMail.send_after, OutgoingMail.id).limit(limit)
            .with_for_update(skip_locked=True)))
        for row in rows:
            row.send_after, row.attempts = now + LEASE, row.attempts + 1
        return [row.id for row in rows]


def _address(session: orm.Session, ring: crypto.KeyRing, row: OutgoingMail) -> str | None:
    """Whom to send to, looked up now; None drops the row (left, no longer chosen, or contact not allowed)."""
    if row.kind == Kind.REPLY_TO_SUBMITTER:
        stored = session.get(Identity, row.submission_id)
        if stored is None:
            return None
        try:
            identity = identities.unseal(ring, stored)  # only here, only to send
        except crypto.IdentityUnreadable:
            return None
        return identity.email if identity.contact_ok and identity.email else None
    user = session.get(StaffUser, row.user_id)
    if user is None or row.kind not in CHOICES or not still_wants(session, user.id, row.kind):
        return None
    return user.email


def _handled_for_submitter(session: orm.Session, row: OutgoingMail, now: datetime) -> None:
    """Delete a submitter's notice and audit it the same way whether it was sent or dropped.

    The outcome is not recorded on purpose: a sent notice means the submitter allowed contact, which
    their sealed identity alone may tell. The event says only that the notice was dealt with.
    """
    audit.record(session, audit.Actor(audit.SYSTEM), audit.Action.MAIL_TO_SUBMITTER_HANDLED, now=now,
                 submission_id=row.submission_id)
    session.delete(row)


def _finish(session: orm.Session, mail_id: int, now: datetime, error: str | None, max_attempts: int) -> str:
    with writing(session):
        row = session.get(OutgoingMail, mail_id)
        if row is None:
            return "gone"
        if error is None:
            if row.kind == Kind.REPLY_TO_SUBMITTER:
                _handled_for_submitter(session, row, now)
            else:
                row.status, row.sent_at, row.last_error = SENT, now, None
            return SENT
        row.last_error = error
        if row.attempts >= max_attempts:
            row.status, row.send_after = FAILED, now
            return FAILED
        row.send_after = now + backoff(row.attempts)
        return QUEUED


def _drop(session: orm.Session, mail_id: int, now: datetime) -> None:
    with writing(session):
        row = session.get(OutgoingMail, mail_id)
        if row is None:
            return
        if row.kind == Kind.REPLY_TO_SUBMITTER:
            _handled_for_submitter(session, row, now)
        else:
            session.delete(row)


def _hold(session: orm.Session, mail_id: int, now: datetime) -> None:
    """Leave a row queued, its attempt not counted: it may go once the server is reached over TLS."""
    with writing(session):
        row = session.get(OutgoingMail, mail_id)
        if row is not None:
            row.attempts, row.last_error, row.send_after = max(0, row.attempts - 1), NEEDS_TLS, now + LEASE


def _needs_tls(server: smtp.Server, kind: str) -> bool:
    """Over plaintext to another host, neither a password nor a submitter's address is sent."""
    return not smtp.encrypted_or_local(server) and (bool(server.username) or kind == Kind.REPLY_TO_SUBMITTER)


def send_one(session: orm.Session, ring: crypto.KeyRing, server: smtp.Server, mail_id: int, *,
             now: Callable[[], datetime], max_attempts: int) -> str:
    """Send one claimed row: 'sent', 'queued' (to retry or held back), 'failed' or 'dropped'."""
    row = session.get(OutgoingMail, mail_id)
    if row is None:
        return "dropped"
    if _needs_tls(server, row.kind):
        _hold(session, mail_id, now())
        log.warning("mail %s (%s) held: %s (set MAIL_USE_TLS or MAIL_USE_SSL)", mail_id, row.kind, NEEDS_TLS)
        return QUEUED
    kind, to = row.kind, _address(session, ring, row)
    if to is None:
        _drop(session, mail_id, now())
        log.info("mail %s (%s) dropped: no one to send it to", mail_id, kind)
        return "dropped"
    message = smtp.compose(server, to, filled(row.subject, server.base_url), filled(row.body, server.base_url))
    del to  # the address lives only in the message being sent
    session.rollback()  # no transaction is held open while the server talks
    try:
        smtp.send(server, message)
        error = None
    except Exception as failure:  # noqa: BLE001 - any failure to send is a retry, never a crash of the drain
        error = smtp.error_name(failure)
        log.warning("mail %s not sent: %s", mail_id, error)
    return _finish(session, mail_id, now(), error, max_attempts)


def drain(session: orm.Session, ring: crypto.KeyRing, server: smtp.Server, *, now: Callable[[], datetime],
          max_attempts: int) -> Drained:
    """Send every row due when the pass began, once; what could not be sent is due again later or failed."""
    result, began = Drained(), now()
    while claimed := claim(session, now(), limit=1, due_by=began):
        outcome = send_one(session, ring, server, claimed[0], now=now, max_attempts=max_attempts)
        if outcome == SENT:
            result.sent += 1
        elif outcome == QUEUED:
            result.retrying += 1
        elif outcome == FAILED:
            result.failed += 1
        else:
            result.dropped += 1
    return result
