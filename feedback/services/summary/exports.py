"""Exports: a town hall's published submissions with their themes, the released theme counts, the brief.

The CSVs are generators of CSV lines for a streamed response; every cell goes through feedback.spreadsheet.
Each export is an audit event, recorded before anything is streamed. The theme counts and the brief read
counts.summary, the released numbers, exactly as the leadership page does; only the submissions CSV
(facilitators and admins) counts live, and then only group sizes, printed coarsely.
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Callable, Iterator
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy import orm

from feedback import audit
from feedback.models import DuplicateLink, Submission, SubmissionStatus, Tagging, Theme, TownHall, shown_text
from feedback.sentences import Sentence
from feedback.services.summary import counts
from feedback.services.summary.counts import HallRef, Summary, ThemeRow
from feedback.services.summary.disclosure import Cell, cell_text
from feedback.spreadsheet import csv_lines

# Column headers as Sentences: the view writes them in the reader's language; the cells below stay as they are.
SUBMISSION_HEADERS = [Sentence("town hall"), Sentence("text"), Sentence("themes"), Sentence("raised by")]
THEME_HEADERS = [Sentence("town hall"), Sentence("held on"), Sentence("released on"), Sentence("theme"),
                 Sentence("published submissions (approximate)"), Sentence("share of published"),
                 Sentence("change since the previous town hall")]
SUBMISSION_COLUMNS = [str(header) for header in SUBMISSION_HEADERS]  # in English
THEME_COLUMNS = [str(header) for header in THEME_HEADERS]
ALL_TOWN_HALLS = "All town halls"
SEVERAL = "several"
BATCH = 500
TOP_THEMES = 5  # the brief's "top themes": the largest shown ones
PUBLISHED = SubmissionStatus.PUBLISHED.value
# What streams an export's CSV lines from a session of its own (the response outlives the request's).
RowsFrom = Callable[[orm.Session], Iterator[str]]


def change_words(change: int | None) -> Sentence | None:
    """A change in words, as a Sentence (a leading minus sign would be neutralised as a formula in a spreadsheet);
    None when there is none to say."""
    if change is None:
        return None
    if change == 0:
        return Sentence("no change")
    if change > 0:
        return Sentence("about %(num)s more", num=change)
    return Sentence("about %(num)s fewer", num=-change)


def change_text(change: int | None) -> str:
    """A change in English words (change_words), for the spreadsheet's cells."""
    words = change_words(change)
    return "" if words is None else str(words)


def share_text(share: float | None) -> str:
    return "" if share is None else f"{share:.0%}"


def count_text(cell: Cell) -> str:
    """A cell for a spreadsheet: the number itself when shown (a column of numbers), else the page's words."""
    return str(cell.value) if cell.shown else cell_text(cell)


def raised_by_text(size: int, k: int) -> str:
    """How many raised a point, as coarsely as a quote says it: N from k up, "several" below, "1" alone."""
    if size >= k:
        return str(size)
    return SEVERAL if size > 1 else "1"


def submission_rows(session: orm.Session, town_hall_id: int, k: int,
                    columns: list[str] = SUBMISSION_COLUMNS) -> Iterator[str]:
    """A town hall's published submissions as CSV lines, in order of their random id (never arrival order).

    Each row: the town hall, the text (redacted where a redaction exists), its themes, and how many
    people raised the point (1 + the published members of its near-duplicate group, so a group's
    members each say the same; see raised_by_text). Never an affiliation, a date, a status or an
    identity. One streamed query: a row per submission and theme, folded here, so memory stays flat. columns:
    the header line, in the reader's language.
    """
    title = session.scalar(sa.select(TownHall.title).where(TownHall.id == town_hall_id))
    yield from csv_lines([columns])
    member = orm.aliased(Submission)
    groups = (sa.select(DuplicateLink.representative_id, sa.func.count().label("members"))
              .join(member, member.id == DuplicateLink.submission_id).where(member.status == PUBLISHED)
              .group_by(DuplicateLink.representative_id).subquery())
    representative = sa.func.coalesce(DuplicateLink.representative_id, Submission.id)
    query = (sa.select(Submission.id, Submission.body, Submission.redacted_body, groups.c.members, Theme.name)
             .outerjoin(DuplicateLink, DuplicateLink.submission_id == Submission.id)
             .outerjoin(groups, groups.c.representative_id == representative)
             .outerjoin(Tagging, Tagging.submission_id == Submission.id)
             .outerjoin(Theme, Theme.id == Tagging.theme_id)
             .where(Submission.town_hall_id == town_hall_id, Submission.status == PUBLISHED)
             .order_by(Submission.id, Theme.name).execution_options(yield_per=BATCH))
    for _, grouped in itertools.groupby(session.execute(query), key=lambda row: row.id):
        rows = list(grouped)
        first = rows[0]
        yield from csv_lines([[title, shown_text(first.body, first.redacted_body),
                               "; ".join(row.name for row in rows if row.name),
                               raised_by_text(1 + (first.members or 0), k)]])


def _iso(day: date | None) -> str:
    return day.isoformat() if day else ""


def _theme_lines(found: Summary, hall: HallRef | None) -> list[list[str]]:
    label, held_on, released_on = (hall.title, _iso(hall.held_on), _iso(hall.released_on)) if hall \
        else (ALL_TOWN_HALLS, "", "")
    return [[label, held_on, released_on, row.theme.name, count_text(row.count), share_text(row.share),
             change_text(row.change)] for row in found.themes]


def theme_rows(session: orm.Session, *, k: int, affiliations: list[str], today: date,
               columns: list[str] = THEME_COLUMNS) -> Iterator[str]:
    """Theme counts per town hall (oldest first; "not released yet" where none is), then across all of them.

    columns: the header line, in the reader's language.
    """
    summary_of = functools.partial(counts.summary, session, k=k, affiliations=affiliations, today=today)
    overall = summary_of(None)
    assert overall is not None  # None only for an unknown slug
    yield from csv_lines([columns])
    for hall in overall.town_halls:
        found = summary_of(hall.slug)
        assert found is not None  # the slug comes from the same table
        yield from csv_lines(_theme_lines(found, hall))
    yield from csv_lines(_theme_lines(overall, None))


def top_themes(found: Summary) -> list[ThemeRow]:
    """The brief's top themes: the largest whose released count is shown (the rows come largest first)."""
    return [row for row in found.themes if row.count.shown][:TOP_THEMES]


def brief(session: orm.Session, slug: str, *, k: int, affiliations: list[str], today: date, by: audit.Actor,
          now: datetime) -> Summary | None:
    """One town hall's summary for its printable brief, recorded as an export; None when the slug is unknown."""
    found = counts.summary(session, slug, k=k, affiliations=affiliations, today=today)
    if found is not None:
        audit.record_now(session, by, audit.Action.EXPORT_BRIEF, now=now, details={"town_hall": slug})
    return found


def export_themes(session: orm.Session, *, k: int, affiliations: list[str], today: date, by: audit.Actor,
                  now: datetime, columns: list[str] = THEME_COLUMNS) -> RowsFrom:
    """Record the theme-counts export, then return what streams it (theme_rows)."""
    audit.record_now(session, by, audit.Action.EXPORT_THEMES_CSV, now=now, details={"k": k})
    return functools.partial(theme_rows, k=k, affiliations=affiliations, today=today, columns=columns)


def export_submissions(session: orm.Session, hall: TownHall, *, k: int, by: audit.Actor, now: datetime,
                       columns: list[str] = SUBMISSION_COLUMNS) -> RowsFrom:
    """Record the export of a town hall's published submissions, then return what streams it (submission_rows)."""
    town_hall_id, slug = hall.id, hall.slug  # read before the audit transaction expires the object
    audit.record_now(session, by, audit.Action.EXPORT_SUBMISSIONS_CSV, now=now, details={"town_hall": slug})
    return functools.partial(submission_rows, town_hall_id=town_hall_id, k=k, columns=columns)
