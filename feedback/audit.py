"""The audit log: append-only, each event chained to the one before it by an HMAC-SHA256 under a key-ring key.

Action is the one registry of what an event can say happened; its values are the strings stored since
the first release, so chains written before it still verify.
"""

from __future__ import annotations

import enum
import functools
import json
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy import orm

from feedback import crypto, spreadsheet
from feedback.db import AUDIT_KEY, AdvisoryLock, advisory_lock, writing
from feedback.models import AuditEvent

GENESIS = "0" * 64
SYSTEM = "system"


class Action(enum.StrEnum):
    """Every kind of audit event, by the text stored in the chain and hashed into it: never change a value."""

    # Staff accounts and settings
    USER_CREATED = "user_created"
    LOGIN = "login"
    LOGIN_REFUSED = "login_refused"
    LOGOUT = "logout"
    ROLE_CHANGED = "role_changed"
    USER_ACTIVATED = "user_activated"
    USER_DEACTIVATED = "user_deactivated"
    PASSWORD_RESET = "password_reset"
    SETTING_CHANGED = "setting_changed"
    # Moderation, replies and reveals
    STATUS_CHANGED = "status_changed"
    REDACTED = "redacted"
    REPLY_SENT = "reply_sent"
    REVEAL_REQUESTED = "reveal_requested"
    REVEAL_APPROVED = "reveal_approved"
    REVEAL_DENIED = "reveal_denied"
    IDENTITY_REVEALED = "identity_revealed"
    # Themes: the codebook, tagging, suggestions, near-duplicates
    THEME_CREATE = "theme.create"
    THEME_UPDATE = "theme.update"
    THEME_ARCHIVE = "theme.archive"
    THEME_UNARCHIVE = "theme.unarchive"
    THEME_MERGE = "theme.merge"
    THEME_EXPORT = "theme.export"
    THEME_IMPORT = "theme.import"
    TAG = "tag"
    UNTAG = "untag"
    SUGGESTION_DISMISSED = "suggestion_dismissed"
    DUPLICATE_GROUPED = "duplicate_grouped"
    DUPLICATE_UNGROUPED = "duplicate_ungrouped"
    BULK_UNDONE = "bulk.undone"
    # Live sessions (approving, dismissing, redacting and merging a question are logged as on the desk)
    LIVE_STARTED = "live.started"
    LIVE_ENDED = "live.ended"
    LIVE_PRESENTER_LINK_MADE = "live.presenter_link_made"
    LIVE_PRESENTER_LINK_REVOKED = "live.presenter_link_revoked"
    LIVE_SHOWN = "live.shown"
    LIVE_ANSWERED = "live.answered"
    LIVE_MOVED = "live.moved"
    LIVE_NOTE = "live.note"
    LIVE_VOTES_CHECKED = "live.votes_checked"
    # Exports
    EXPORT_BRIEF = "export.brief"
    EXPORT_THEMES_CSV = "export.themes_csv"
    EXPORT_SUBMISSIONS_CSV = "export.submissions_csv"
    EXPORT_PLAN_REPORT = "export.plan_report"
    EXPORT_ACTIONS_CSV = "export.actions_csv"
    AUDIT_EXPORTED = "audit_exported"
    # The disclosure layer: a town hall's numbers, and the answers to "did this help?", released to leadership
    SUMMARY_RELEASED = "summary.released"
    ANSWER_RELEASED = "answers.released"
    # Town halls run from the web
    TOWN_HALL_CREATED = "town_hall.created"
    TOWN_HALL_EDITED = "town_hall.edited"
    TOWN_HALL_OPENED = "town_hall.opened"
    TOWN_HALL_CLOSED = "town_hall.closed"
    TOWN_HALL_ARCHIVED = "town_hall.archived"
    # The action plan
    ACTION_CREATED = "action.created"
    ACTION_EDITED = "action.edited"
    ACTION_PUBLISHED = "action.published"
    ACTION_UNPUBLISHED = "action.unpublished"
    ACTION_UPDATE_POSTED = "action.update_posted"
    ACTION_LINKED = "action.linked"
    ACTION_UNLINKED = "action.unlinked"
    # Mail notifications
    NOTIFICATIONS_CHOSEN = "notifications.chosen"
    MAIL_TO_SUBMITTER_HANDLED = "mail.to_submitter_handled"  # sent or dropped alike: see notify.sending
    MAIL_RETRIED = "mail.retried"
    # Privacy and keys
    IDENTITIES_ERASED = "identities_erased"
    IDENTITIES_PURGED = "identities_purged"
    KEYS_ROTATED = "keys_rotated"
    KEYS_RETIRED = "keys_retired"


@dataclass(frozen=True)
class Actor:
    """Who did something: a staff member (id and email), the submitter, or the system."""

    label: str
    staff_id: int | None = None


def _digest(session: orm.Session, prev_hash: str, event: AuditEvent) -> str:
    fields = {
        "occurred_at": event.occurred_at.isoformat(timespec="seconds"),
        "actor_id": event.actor_id,
        "actor": event.actor,
        "action": event.action,
        "submission_id": str(event.submission_id) if event.submission_id else None,
        "reason": event.reason,
        "details": event.details,
    }
    canonical = json.dumps(fields, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return crypto.chain_hash(session.info[AUDIT_KEY], prev_hash, canonical)


def record(
    session: orm.Session,
    actor: Actor,
    action: Action,
    *,
    now: datetime,
    submission_id: uuid.UUID | None = None,
    reason: str = "",
    details: dict | None = None,
) -> AuditEvent:
    """Append an event inside the caller's write transaction. Never pass an identity in details."""
    advisory_lock(session, AdvisoryLock.AUDIT_CHAIN)  # so two writers never chain to the same previous event
    last = session.scalar(sa.select(AuditEvent.hash).order_by(AuditEvent.id.desc()).limit(1))
    event = AuditEvent(
        occurred_at=now.replace(microsecond=0, tzinfo=None),
        actor_id=actor.staff_id,
        actor=actor.label,
        action=str(action),  # the text itself, as stored and hashed
        submission_id=submission_id,
        reason=reason,
        details=json.dumps(details or {}, sort_keys=True, ensure_ascii=False),
        prev_hash=last or GENESIS,
    )
    event.hash = _digest(session, event.prev_hash, event)
    session.add(event)
    session.flush()
    return event


def record_now(session: orm.Session, actor: Actor, action: Action, *, now: datetime, details: dict) -> None:
    """Record an event in a transaction of its own (e.g. an export, before the data is streamed)."""
    with writing(session):
        record(session, actor, action, now=now, details=details)


def head(session: orm.Session) -> tuple[int, str]:
    """How many events there are and the hash of the last one (an anchor to keep elsewhere)."""
    count = session.execute(sa.select(sa.func.count()).select_from(AuditEvent)).scalar_one()
    last = session.scalar(sa.select(AuditEvent.hash).order_by(AuditEvent.id.desc()).limit(1))
    return count, last or GENESIS


def first_broken_link(session: orm.Session) -> int | None:
    """The id of the first event whose hash or link does not hold (an edit or a removal); None if all hold."""
    prev_hash = GENESIS
    for event in session.scalars(sa.select(AuditEvent).order_by(AuditEvent.id).execution_options(yield_per=500)):
        if event.prev_hash != prev_hash or _digest(session, prev_hash, event) != event.hash:
            return event.id
        prev_hash = event.hash
    return None


@dataclass(frozen=True)
class AuditFilter:
    action: str = ""
    actor: str = ""
    since: date | None = None
    until: date | None = None


def _filtered(query: sa.Select, wanted: AuditFilter) -> sa.Select:
    if wanted.action:
        query = query.where(AuditEvent.action == wanted.action)
    if wanted.actor:
        query = query.where(AuditEvent.actor.contains(wanted.actor))
    if wanted.since:
        query = query.where(AuditEvent.occurred_at >= datetime.combine(wanted.since, datetime.min.time()))
    if wanted.until:
        query = query.where(AuditEvent.occurred_at <= datetime.combine(wanted.until, datetime.max.time()))
    return query


def browse(session: orm.Session, wanted: AuditFilter, page: int, per_page: int = 50) -> tuple[list[AuditEvent], int]:
    """One page of events, newest first, and the total number that match."""
    query = _filtered(sa.select(AuditEvent), wanted)
    total = session.execute(sa.select(sa.func.count()).select_from(query.subquery())).scalar_one()
    rows = session.scalars(query.order_by(AuditEvent.id.desc()).offset((page - 1) * per_page).limit(per_page))
    return list(rows), total


def actions(session: orm.Session) -> list[str]:
    return list(session.scalars(sa.select(AuditEvent.action).distinct().order_by(AuditEvent.action)))


CSV_COLUMNS = ["id", "occurred_at", "actor", "action", "submission_id", "reason", "details", "prev_hash", "hash"]


def csv_rows(session: orm.Session, wanted: AuditFilter) -> Iterator[str]:
    """The matching events as CSV text, a line at a time (oldest first), cells safe for spreadsheets."""
    query = _filtered(sa.select(AuditEvent), wanted).order_by(AuditEvent.id).execution_options(yield_per=500)
    events = ([event.id, event.occurred_at.isoformat(), event.actor, event.action, event.submission_id or "",
               event.reason, event.details, event.prev_hash, event.hash] for event in session.scalars(query))
    yield from spreadsheet.csv_lines([CSV_COLUMNS])
    yield from spreadsheet.csv_lines(events)


def export_csv(session: orm.Session, wanted: AuditFilter, *, by: Actor,
               now: datetime) -> Callable[[orm.Session], Iterator[str]]:
    """Record that the log was exported with this filter, then return what streams it (csv_rows)."""
    record_now(session, by, Action.AUDIT_EXPORTED, now=now, details={"action": wanted.action, "actor": wanted.actor})
    return functools.partial(csv_rows, wanted=wanted)
