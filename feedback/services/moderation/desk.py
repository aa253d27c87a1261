"""The moderation desk: list a town hall's submissions, change their status, keep a redacted version.

Every change is an audit event that says who, when and why, and never holds the text or an identity.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy import orm

from feedback import audit
from feedback.db import writing
from feedback.models import (
    HIDDEN_REASONS,
    SLUG_PATTERN,
    BulkChangeItem,
    Reply,
    Submission,
    SubmissionStatus,
    Tagging,
    TownHall,
)
from feedback.sentences import Sentence
from feedback.services import selection
from feedback.services.live import sessions as live_sessions
from feedback.services.moderation import replies, undo
from feedback.services.notify import events
from feedback.services.text import accent_insensitive_pattern, excerpt

STATUSES = tuple(s.value for s in SubmissionStatus)
NOT_GIVEN = "-"  # the affiliation filter value for "no affiliation given"
SEARCH_MAX = 200
NOTE_MAX = 500
REDACTED_MAX = 6000
DESK_TEXT_CHARS = 300  # a desk row shows a text this long whole, so most can be read without opening them
# The one wording of an overlong redaction, for the desk, one-step moderation and a live question alike.
REDACTED_TOO_LONG = Sentence("Shorten the redacted text to %(max)s characters or fewer.", max=REDACTED_MAX)


class InvalidModeration(ValueError):
    """A moderation change that cannot be made; its first argument, a Sentence, says why to the facilitator."""


@dataclass(frozen=True)
class DeskFilter:
    status: str = ""
    affiliation: str = ""  # "" for any, NOT_GIVEN for none given
    search: str = ""
    unanswered: bool = False
    untagged: bool = False  # only submissions with no theme yet
    theme_id: int | None = None  # only submissions tagged with this theme
    named: bool = False  # only submissions sent with a name


@dataclass(frozen=True)
class DeskRow:
    id: uuid.UUID
    received_on: date
    affiliation: str | None
    status: str
    hidden_reason: str | None
    is_named: bool
    excerpt: str  # the whole text when it is short, else its first DESK_TEXT_CHARS characters and "…"
    is_redacted: bool
    reply_count: int
    unanswered: bool


@dataclass(frozen=True)
class DeskPage:
    rows: list[DeskRow]
    total: int
    page: int
    per_page: int
    counts: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class TownHallCounts:
    slug: str
    title: str
    held_on: date
    counts: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.counts.values())


# The desk's order, pending first, written with literals so that it is the expression of the index
# ix_submission_desk_order (a bound parameter would not match it, and the town hall would be sorted).
PENDING_FIRST = sa.case((Submission.status == sa.literal_column(f"'{SubmissionStatus.PENDING.value}'"),
                         sa.literal_column("0")), else_=sa.literal_column("1"))


def _zero_counts() -> dict[str, int]:
    return dict.fromkeys(STATUSES, 0)


def town_hall(session: orm.Session, slug: str) -> TownHall | None:
    """Any town hall by slug (staff see archived ones too); None for a slug we could not have made."""
    if not SLUG_PATTERN.fullmatch(slug):
        return None
    return session.scalar(sa.select(TownHall).where(TownHall.slug == slug))


def town_halls_with_counts(session: orm.Session) -> list[TownHallCounts]:
    """Every town hall with its submissions counted by status; those with pending work first."""
    counts: dict[int, dict[str, int]] = {}
    query = sa.select(Submission.town_hall_id, Submission.status, sa.func.count()).group_by(
        Submission.town_hall_id, Submission.status)
    for hall_id, status, n in session.execute(query):
        counts.setdefault(hall_id, _zero_counts())[status] = n
    halls = [TownHallCounts(h.slug, h.title, h.held_on, counts.get(h.id, _zero_counts()))
             for h in session.scalars(sa.select(TownHall))]
    return sorted(halls, key=lambda h: (h.counts["pending"] == 0, -h.held_on.toordinal(), h.title))


def status_counts(session: orm.Session, town_hall_id: int) -> dict[str, int]:
    counts = _zero_counts()
    query = (sa.select(Submission.status, sa.func.count()).where(Submission.town_hall_id == town_hall_id)
             .group_by(Submission.status))
    counts.update({status: n for status, n in session.execute(query)})
    return counts


# One seek of ix_submission_hall_affiliation per affiliation (a DISTINCT would read every submission's entry).
_AFFILIATIONS = sa.text("""
WITH RECURSIVE given(affiliation) AS (
    SELECT min(affiliation) FROM submission WHERE town_hall_id = :hall AND affiliation IS NOT NULL
    UNION ALL
    SELECT (SELECT min(later.affiliation) FROM submission AS later
             WHERE later.town_hall_id = :hall AND later.affiliation > given.affiliation)
      FROM given WHERE given.affiliation IS NOT NULL
)
SELECT affiliation FROM given WHERE affiliation IS NOT NULL ORDER BY affiliation
""")


def affiliations(session: orm.Session, town_hall_id: int) -> list[str]:
    """The affiliations given in this town hall's submissions, A to Z."""
    return list(session.scalars(_AFFILIATIONS, {"hall": town_hall_id}))


def _filtered(query: sa.Select, wanted: DeskFilter) -> sa.Select:
    if wanted.status:
        query = query.where(Submission.status == wanted.status)
    if wanted.affiliation == NOT_GIVEN:
        query = query.where(Submission.affiliation.is_(None))
    elif wanted.affiliation:
        query = query.where(Submission.affiliation == wanted.affiliation)
    if wanted.search:  # in any case, with or without accents (a regular expression on SQLite and PostgreSQL alike)
        pattern = accent_insensitive_pattern(wanted.search)
        query = query.where(sa.or_(Submission.body.regexp_match(pattern),
                                   Submission.redacted_body.regexp_match(pattern)))
    if wanted.unanswered:
        query = query.where(replies.unanswered_condition())
    if wanted.named:
        query = query.where(Submission.is_named.is_(True))
    if wanted.untagged:
        query = query.where(~sa.exists().where(Tagging.submission_id == Submission.id))
    elif wanted.theme_id is not None:
        query = query.where(sa.exists().where(Tagging.submission_id == Submission.id,
                                              Tagging.theme_id == wanted.theme_id))
    return query


def _check_filter(wanted: DeskFilter) -> None:
    if wanted.status and wanted.status not in STATUSES:
        raise InvalidModeration(Sentence("Choose a status from the list."))
    if len(wanted.search) > SEARCH_MAX:
        raise InvalidModeration(Sentence("Shorten the search to %(max)s characters or fewer.", max=SEARCH_MAX))


def desk(session: orm.Session, town_hall_id: int, wanted: DeskFilter, page: int, per_page: int) -> DeskPage:
    """One page of a town hall's submissions: pending first, then by the day received.

    A page past the end shows the last page (after a bulk action, the list may have shrunk).

    :raises InvalidModeration: an unknown status or an overlong search.
    """
    _check_filter(wanted)
    query = _filtered(sa.select(Submission.id).where(Submission.town_hall_id == town_hall_id), wanted)
    counts = status_counts(session, town_hall_id)
    total = (sum(counts.values()) if wanted == DeskFilter()
             else session.execute(sa.select(sa.func.count()).select_from(query.subquery())).scalar_one())
    page = min(max(page, 1), max((total + per_page - 1) // per_page, 1))
    reply_count = (sa.select(sa.func.count(Reply.id)).where(Reply.submission_id == Submission.id)
                   .correlate(Submission).scalar_subquery())
    rows_query = (
        _filtered(sa.select(Submission, reply_count, replies.unanswered_condition())
                  .where(Submission.town_hall_id == town_hall_id), wanted)
        .order_by(PENDING_FIRST, Submission.received_on, Submission.id)
        .offset((page - 1) * per_page).limit(per_page)
    )
    rows = [_row(submission, n, bool(waiting)) for submission, n, waiting in session.execute(rows_query)]
    return DeskPage(rows, total, page, per_page, counts)


def _row(submission: Submission, reply_count: int, unanswered: bool) -> DeskRow:
    return DeskRow(submission.id, submission.received_on, submission.affiliation, submission.status,
                   submission.hidden_reason, submission.is_named, excerpt(submission.shown_body, DESK_TEXT_CHARS),
                   bool(submission.redacted_body), reply_count, unanswered)


def get_submission(session: orm.Session, submission_id: uuid.UUID) -> Submission | None:
    return session.get(Submission, submission_id)


def check_change(to: str, hidden_reason: str | None, note: str) -> None:
    """The one rule for a status change's inputs, for the bulk bar and a submission's Moderate form alike.

    :raises InvalidModeration: an unknown status, hiding without a reason, escalating without a note, a long note.
    """
    if to not in STATUSES:
        raise InvalidModeration(Sentence("Choose what to do with the submission."))
    if to == SubmissionStatus.HIDDEN and hidden_reason not in HIDDEN_REASONS:
        raise InvalidModeration(Sentence("Choose why the submission is hidden."))
    if to == SubmissionStatus.ESCALATED and not note:
        raise InvalidModeration(Sentence("Say why these need formal handling: escalating needs a note."))
    if len(note) > NOTE_MAX:
        raise InvalidModeration(Sentence("Shorten the note to %(max)s characters or fewer.", max=NOTE_MAX))


def change_status(session: orm.Session, submission_ids: Iterable[uuid.UUID], to: str, *,
                  hidden_reason: str | None = None, note: str = "", town_hall_id: int | None = None,
                  by: audit.Actor, now: datetime, undo_minutes: int | None = None) -> int:
    """Move submissions to a status, all or none; one audit event per submission that changed.

    The event's reason is the note, or the hidden reason when there is no note. Escalations are told
    to feedback.services.notify in the same write.

    :param town_hall_id: when given, every submission must belong to this town hall.
    :param undo_minutes: when given (a bulk action on the desk, by a staff member), keep what each
        submission was before, so that its author can undo the change for that long (services.moderation.undo).
    :returns: how many submissions changed (those already in that state are left alone).
    :raises InvalidModeration: no selection, an unknown status, hiding without a reason from the list,
        or a submission that no longer exists (or is in another town hall).
    """
    ids = set(submission_ids)
    if problem := selection.problem(ids):
        raise InvalidModeration(problem)
    check_change(to, hidden_reason, note)
    with writing(session):
        return change_status_in_write(session, ids, to, hidden_reason=hidden_reason, note=note,
                                      town_hall_id=town_hall_id, by=by, now=now, undo_minutes=undo_minutes)


def change_status_in_write(session: orm.Session, submission_ids: Iterable[uuid.UUID], to: str, *,
                           hidden_reason: str | None = None, note: str = "", town_hall_id: int | None = None,
                           by: audit.Actor, now: datetime, undo_minutes: int | None = None) -> int:
    """change_status() inside the caller's write, its inputs already checked (check_change); see there.

    For a caller that saves more than the status in one transaction (one_step.save).
    """
    ids = set(submission_ids)
    hidden_reason = hidden_reason if to == SubmissionStatus.HIDDEN else None
    query = sa.select(Submission).where(Submission.id.in_(ids)).order_by(Submission.id).with_for_update()
    if town_hall_id is not None:
        query = query.where(Submission.town_hall_id == town_hall_id)
    found = list(session.scalars(query))
    if len(found) != len(ids):
        raise InvalidModeration(Sentence("Some of the selected submissions are no longer here. "
                                         "Reload the page and try again."))
    changed = [s for s in found if (s.status, s.hidden_reason) != (to, hidden_reason)]
    if changed and undo_minutes is not None and by.staff_id is not None:
        undo.keep(session, undo.STATUS, [BulkChangeItem(submission_id=s.id, theme_id=0, status_before=s.status,
                                                        hidden_reason_before=s.hidden_reason) for s in changed],
                  user_id=by.staff_id, town_hall_id=changed[0].town_hall_id, now=now, minutes=undo_minutes)
    for submission in changed:
        details = {"from": submission.status, "to": to, "hidden_reason": hidden_reason}
        submission.status, submission.hidden_reason = to, hidden_reason
        audit.record(session, by, audit.Action.STATUS_CHANGED, now=now, submission_id=submission.id,
                     reason=note or hidden_reason or "", details=details)
    if changed and to == SubmissionStatus.ESCALATED:
        events.escalated(session, [s.id for s in changed], by=by, now=now)
    live_sessions.bump_for_submissions(session, [s.id for s in changed])  # a hidden live question leaves the room
    return len(changed)


def redact(session: orm.Session, submission_id: uuid.UUID, text: str, *, by: audit.Actor, now: datetime) -> bool:
    """Keep text as the version everyone but facilitators and admins sees; empty (or the original) clears it.

    :returns: False when nothing changed.
    :raises InvalidModeration: the text is too long, or the submission no longer exists.
    """
    if len(text) > REDACTED_MAX:
        raise InvalidModeration(REDACTED_TOO_LONG)
    with writing(session):
        submission = session.get(Submission, submission_id, with_for_update=True)
        if submission is None:
            raise InvalidModeration(Sentence("This submission is no longer here."))
        return redact_in_write(session, submission, text, by=by, now=now)


def redact_in_write(session: orm.Session, submission: Submission, text: str, *, by: audit.Actor,
                    now: datetime) -> bool:
    """redact() inside the caller's write, on a submission it has locked and a text of a length already checked."""
    new = text if text and text != submission.body else None
    if new == submission.redacted_body:
        return False
    submission.redacted_body = new
    live_sessions.bump_for_submissions(session, [submission.id])
    audit.record(session, by, audit.Action.REDACTED, now=now, submission_id=submission.id,
                 details={"cleared": new is None})
    return True
