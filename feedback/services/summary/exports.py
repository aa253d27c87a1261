"""Exports: a town hall's published submissions with their themes, theme counts with small groups hidden, the brief.

The CSVs are generators of CSV lines for a streamed response; every cell goes through feedback.spreadsheet.
Each export is an audit event, recorded before anything is streamed.
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Callable, Iterator
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy import orm

from feedback import audit
from feedback.models import DuplicateLink, Submission, SubmissionStatus, Tagging, Theme, TownHall, shown_text
from feedback.services.summary import counts
from feedback.services.summary.counts import Cell, HallRef, Summary
from feedback.services.themes import duplicates
from feedback.spreadsheet import csv_lines

SUBMISSION_COLUMNS = ["town hall", "text", "themes", "raised by"]
THEME_COLUMNS = ["town hall", "held on", "theme", "published submissions", "share of published",
                 "change since the previous town hall"]
ALL_TOWN_HALLS = "All town halls"
NOT_SHOWN = "not shown"
BATCH = 500
# What streams an export's CSV lines from a session of its own (the response outlives the request's).
RowsFrom = Callable[[orm.Session], Iterator[str]]


def cell_text(cell: Cell, k: int) -> str:
    """A cell as words: its number, "fewer than k" for a small group, "not shown" for a protecting cell."""
    if cell.shown:
        return str(cell.value)
    return f"fewer than {k}" if cell.why == "small" else NOT_SHOWN


def change_text(change: int | None) -> str:
    """A change in words (a leading minus sign would be neutralised as a formula in a spreadsheet)."""
    if change is None:
        return ""
    if change == 0:
        return "no change"
    return f"{abs(change)} {'more' if change > 0 else 'fewer'}"


def submission_rows(session: orm.Session, town_hall_id: int) -> Iterator[str]:
    """A town hall's published submissions as CSV lines, in order of their random id (never arrival order).

    Each row: the town hall, the text (redacted where a redaction exists), its themes, and how many
    people raised the point (its near-duplicate group's size, so a group's members each say the same
    number). Never an affiliation, a date, a status or an identity. One streamed query: a row per
    submission and theme, folded here, so memory stays flat however many rows there are.
    """
    title = session.scalar(sa.select(TownHall.title).where(TownHall.id == town_hall_id))
    yield from csv_lines([SUBMISSION_COLUMNS])
    groups = duplicates.member_counts().subquery()
    representative = sa.func.coalesce(DuplicateLink.representative_id, Submission.id)
    query = (sa.select(Submission.id, Submission.body, Submission.redacted_body, groups.c.members, Theme.name)
             .outerjoin(DuplicateLink, DuplicateLink.submission_id == Submission.id)
             .outerjoin(groups, groups.c.representative_id == representative)
             .outerjoin(Tagging, Tagging.submission_id == Submission.id)
             .outerjoin(Theme, Theme.id == Tagging.theme_id)
             .where(Submission.town_hall_id == town_hall_id, Submission.status == SubmissionStatus.PUBLISHED.value)
             .order_by(Submission.id, Theme.name).execution_options(yield_per=BATCH))
    for _, grouped in itertools.groupby(session.execute(query), key=lambda row: row.id):
        rows = list(grouped)
        first = rows[0]
        yield from csv_lines([[title, shown_text(first.body, first.redacted_body),
                               "; ".join(row.name for row in rows if row.name), 1 + (first.members or 0)]])


def _theme_lines(found: Summary, hall: HallRef | None) -> list[list[str]]:
    label, held_on = (hall.title, hall.held_on.isoformat()) if hall else (ALL_TOWN_HALLS, "")
    return [[label, held_on, row.theme.name, cell_text(row.count, found.k),
             "" if row.share is None else f"{row.share:.0%}", change_text(row.change)] for row in found.themes]


def theme_rows(session: orm.Session, *, k: int, affiliations: list[str]) -> Iterator[str]:
    """Theme counts per town hall (oldest first), then across all of them, suppressed exactly as on the page."""
    summary = counts.count(session, k=k, affiliations=affiliations)
    overall = counts.view(session, summary, None, quotes=False)
    assert overall is not None  # view() is None only for an unknown slug
    yield from csv_lines([THEME_COLUMNS])
    for hall in overall.town_halls:
        found = counts.view(session, summary, hall.slug, quotes=False)
        assert found is not None  # the slug comes from these same counts
        yield from csv_lines(_theme_lines(found, hall))
    yield from csv_lines(_theme_lines(overall, None))


def brief(session: orm.Session, slug: str, *, k: int, affiliations: list[str], by: audit.Actor,
          now: datetime) -> Summary | None:
    """One town hall's summary for its printable brief, recorded as an export; None when the slug is unknown."""
    found = counts.summary(session, slug, k=k, affiliations=affiliations)
    if found is not None:
        audit.record_now(session, by, audit.Action.EXPORT_BRIEF, now=now, details={"town_hall": slug})
    return found


def export_themes(session: orm.Session, *, k: int, affiliations: list[str], by: audit.Actor,
                  now: datetime) -> RowsFrom:
    """Record the theme-counts export, then return what streams it (theme_rows)."""
    audit.record_now(session, by, audit.Action.EXPORT_THEMES_CSV, now=now, details={"k": k})
    return functools.partial(theme_rows, k=k, affiliations=affiliations)


def export_submissions(session: orm.Session, hall: TownHall, *, by: audit.Actor, now: datetime) -> RowsFrom:
    """Record the export of a town hall's published submissions, then return what streams it (submission_rows)."""
    town_hall_id, slug = hall.id, hall.slug  # read before the audit transaction expires the object
    audit.record_now(session, by, audit.Action.EXPORT_SUBMISSIONS_CSV, now=now, details={"town_hall": slug})
    return functools.partial(submission_rows, town_hall_id=town_hall_id)
