"""Undo of a bulk action on the desk: its author may put things back for a few minutes.

A bulk status change or bulk tag keeps, in the same write, what each submission was before (a
BulkChange and its items). Undo puts each item back, except on submissions someone changed since
(their later change wins and is left alone), and is audited as such: one "bulk.undone" event and the
usual per-submission events, whose details name the bulk action undone.

"Changed since" is read from the audit log: a later status event (or tag event, for a bulk tag) on the
submission. The bulk action's own events carry its author and its second; another's event in that same
second counts as a change (the cautious side), the author's own does not.
"""

from __future__ import annotations

import json
import uuid
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy import orm

from feedback import audit
from feedback.db import writing
from feedback.models import AuditEvent, BulkChange, BulkChangeItem, Submission, Tagging, Theme
from feedback.sentences import PluralSentence, Sentence
from feedback.services.live import sessions as live_sessions
from feedback.services.themes import tagging  # a module import: tagging imports this module too

STATUS = "status"
TAG = "tag"
UNDO_REASON = "Undo of a bulk action"
_WATCHED = {STATUS: (audit.Action.STATUS_CHANGED,), TAG: (audit.Action.TAG, audit.Action.UNTAG)}


class CannotUndo(ValueError):
    """An undo that cannot be done; its first argument, a Sentence, says why to the facilitator."""


@dataclass(frozen=True)
class Offer:
    """The latest bulk action its author may still undo on a town hall's desk."""

    id: uuid.UUID
    kind: str
    count: int  # submissions it changed


@dataclass(frozen=True)
class Undone:
    kind: str
    restored: int  # submissions put back
    skipped: int  # submissions left alone: someone changed them since


def _second(now: datetime) -> datetime:
    """The time as the audit log keeps it (to the second, no tzinfo), so the two compare."""
    return now.replace(microsecond=0, tzinfo=None)


def keep(session: orm.Session, kind: str, items: list[BulkChangeItem], *, user_id: int, town_hall_id: int,
         now: datetime, minutes: int) -> BulkChange:
    """Keep a bulk action for undo, inside the caller's write; those older than `minutes` are deleted."""
    session.execute(sa.delete(BulkChange).where(BulkChange.made_at < _second(now) - timedelta(minutes=minutes)))
    change = BulkChange(id=uuid.uuid4(), user_id=user_id, town_hall_id=town_hall_id, kind=kind,
                        made_at=_second(now), items=items)
    session.add(change)
    session.flush()
    return change


def offer(session: orm.Session, *, user_id: int, town_hall_id: int, now: datetime, minutes: int) -> Offer | None:
    """This person's latest bulk action on this town hall, if it is not undone and still young enough."""
    change = session.scalar(
        sa.select(BulkChange).where(BulkChange.user_id == user_id, BulkChange.town_hall_id == town_hall_id,
                                    BulkChange.made_at >= _second(now) - timedelta(minutes=minutes))
        .order_by(BulkChange.made_at.desc()).limit(1))
    if change is None or change.undone_at is not None:
        return None
    count = session.scalar(sa.select(sa.func.count(sa.distinct(BulkChangeItem.submission_id)))
                           .where(BulkChangeItem.bulk_change_id == change.id))
    return Offer(change.id, change.kind, count or 0) if count else None


def _check(change: BulkChange | None, *, town_hall_id: int, by: audit.Actor, now: datetime,
           minutes: int) -> BulkChange:
    if change is None or change.town_hall_id != town_hall_id:
        raise CannotUndo(PluralSentence("This bulk action can no longer be undone: bulk actions are kept for "
                                        "%(num)s minute.", "This bulk action can no longer be undone: bulk actions "
                                        "are kept for %(num)s minutes.", minutes))
    if change.user_id != by.staff_id:
        raise CannotUndo(Sentence("Only the person who made a bulk action can undo it."))
    if change.undone_at is not None:
        raise CannotUndo(Sentence("This bulk action was already undone."))
    if change.made_at < _second(now) - timedelta(minutes=minutes):
        raise CannotUndo(PluralSentence("This bulk action is more than %(num)s minute old and can no longer be "
                                        "undone.", "This bulk action is more than %(num)s minutes old and can no "
                                        "longer be undone.", minutes))
    return change


def undo(session: orm.Session, change_id: uuid.UUID, *, town_hall_id: int, by: audit.Actor, now: datetime,
         minutes: int) -> Undone:
    """Put back what a bulk action changed, all in one write, leaving alone what someone changed since.

    :raises CannotUndo: the action is gone (or in another town hall), another person's, already undone,
        or older than `minutes`.
    """
    with writing(session):
        change = _check(session.get(BulkChange, change_id, with_for_update=True), town_hall_id=town_hall_id,
                        by=by, now=now, minutes=minutes)
        items = list(change.items)
        ids = {item.submission_id for item in items}
        locked = {s.id: s for s in session.scalars(sa.select(Submission).where(Submission.id.in_(ids))
                                                   .order_by(Submission.id).with_for_update())}
        since = _changed_since(session, change, locked)
        kept = [item for item in items if item.submission_id in locked and item.submission_id not in since]
        restore = _restore_statuses if change.kind == STATUS else _remove_themes
        restored = restore(session, kept, locked, change=change, by=by, now=now)
        if change.kind == STATUS:
            live_sessions.bump_for_submissions(session, restored)  # a live question published or hidden again
        skipped = len(ids) - len(restored)
        change.undone_at = _second(now)
        audit.record(session, by, audit.Action.BULK_UNDONE, now=now,
                     details={"bulk": str(change.id), "kind": change.kind, "restored": len(restored),
                              "skipped": skipped})
    return Undone(change.kind, len(restored), skipped)


def _changed_since(session: orm.Session, change: BulkChange, submission_ids: Iterable[uuid.UUID]) -> set[uuid.UUID]:
    """The submissions with a status (or tag) event after the bulk action's own events."""
    ids = set(submission_ids)
    if not ids:
        return set()
    query = sa.select(AuditEvent.submission_id).distinct().where(
        AuditEvent.submission_id.in_(ids), AuditEvent.action.in_([str(a) for a in _WATCHED[change.kind]]),
        AuditEvent.occurred_at >= change.made_at,
        sa.or_(AuditEvent.occurred_at > change.made_at, AuditEvent.actor_id.is_(None),
               AuditEvent.actor_id != change.user_id))
    return {submission_id for submission_id in session.scalars(query) if submission_id is not None}


def _restore_statuses(session: orm.Session, items: list[BulkChangeItem], locked: dict[uuid.UUID, Submission], *,
                      change: BulkChange, by: audit.Actor, now: datetime) -> set[uuid.UUID]:
    """Each submission back to the status (and hidden reason) it had; one status event for each."""
    for item in sorted(items, key=lambda i: i.submission_id):
        submission = locked[item.submission_id]
        before = (item.status_before or "pending", item.hidden_reason_before)
        if (submission.status, submission.hidden_reason) == before:
            continue
        details = {"from": submission.status, "to": before[0], "hidden_reason": before[1], "undo": str(change.id)}
        submission.status, submission.hidden_reason = before
        audit.record(session, by, audit.Action.STATUS_CHANGED, now=now, submission_id=submission.id,
                     reason=UNDO_REASON, details=details)
    return {item.submission_id for item in items}


def _remove_themes(session: orm.Session, items: list[BulkChangeItem], locked: dict[uuid.UUID, Submission], *,
                   change: BulkChange, by: audit.Actor, now: datetime) -> set[uuid.UUID]:
    """Take off each submission the themes the bulk tag gave it (near-duplicates' too); one untag event each."""
    added: dict[uuid.UUID, set[int]] = defaultdict(set)
    for item in items:
        added[item.submission_id].add(item.theme_id)
    names = {theme_id: name for theme_id, name in session.execute(sa.select(Theme.id, Theme.name).where(
        Theme.id.in_({item.theme_id for item in items})))}
    present = {(s, t) for s, t in session.execute(sa.select(Tagging.submission_id, Tagging.theme_id).where(
        Tagging.submission_id.in_(added)))}
    restored = set()
    for submission_id, theme_ids in sorted(added.items()):
        if not all((submission_id, theme_id) in present for theme_id in theme_ids):
            continue  # a theme it was given is gone already (merged away): leave it to a person
        lost = {theme_id: names[theme_id] for theme_id in theme_ids}
        tagging.remove(session, [submission_id], lost, by=by, now=now, details={"undo": str(change.id)})
        restored.add(submission_id)
        _remove_from_members(session, submission_id, lost, set(added), change=change, by=by, now=now)
    return restored


def _remove_from_members(session: orm.Session, representative_id: uuid.UUID, lost: dict[int, str],
                         done: set[uuid.UUID], *, change: BulkChange, by: audit.Actor, now: datetime) -> None:
    """Members that joined the representative's group after the bulk tag lose what it lost, as set_themes does.

    A member the bulk tag reached is among the items (done) already; a member someone tagged or untagged
    since, other than by following its representative (joining the group), is left to a person.
    """
    members = [m for m in tagging.members_of(session, [representative_id]).get(representative_id, [])
               if m not in done]
    if not members:
        return
    locked = list(session.scalars(sa.select(Submission.id).where(Submission.id.in_(members))
                                  .order_by(Submission.id).with_for_update()))
    follow = str(representative_id)
    since = {event.submission_id for event in session.scalars(sa.select(AuditEvent).where(
        AuditEvent.submission_id.in_(locked), AuditEvent.action.in_([str(a) for a in _WATCHED[TAG]]),
        AuditEvent.occurred_at >= change.made_at))
        if json.loads(event.details or "{}").get("representative") != follow}
    tagging.remove(session, [m for m in locked if m not in since], lost, by=by, now=now,
                   details={"representative": follow, "undo": str(change.id)})
