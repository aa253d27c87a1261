"""CSV exports: a town hall's published submissions with their themes, and theme counts with small groups hidden.

Both are generators of CSV lines for a streamed response; every cell goes through feedback.spreadsheet.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterator

import sqlalchemy as sa
from sqlalchemy import orm

from feedback.models import DuplicateLink, Submission, SubmissionStatus, Tagging, Theme, TownHall
from feedback.services import summaries
from feedback.services.summaries import Cell, HallRef, Summary
from feedback.spreadsheet import csv_lines

SUBMISSION_COLUMNS = ["town hall", "text", "themes", "raised by"]
THEME_COLUMNS = ["town hall", "held on", "theme", "published submissions", "share of published",
                 "change since the previous town hall"]
ALL_TOWN_HALLS = "All town halls"
NOT_SHOWN = "not shown"
BATCH = 500


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


def _themes_of(session: orm.Session, ids: list[uuid.UUID]) -> dict[uuid.UUID, list[str]]:
    query = (sa.select(Tagging.submission_id, Theme.name).join(Theme, Theme.id == Tagging.theme_id)
             .where(Tagging.submission_id.in_(ids)).order_by(Theme.name))
    names = defaultdict(list)
    for submission_id, name in session.execute(query):
        names[submission_id].append(name)
    return names


def _group_sizes(session: orm.Session, ids: list[uuid.UUID]) -> dict[uuid.UUID, int]:
    """How many people raised each point: its near-duplicate group's size, for a representative or a member."""
    representative_of = dict(session.execute(sa.select(DuplicateLink.submission_id, DuplicateLink.representative_id)
                                             .where(DuplicateLink.submission_id.in_(ids))).all())
    representatives = set(ids) | set(representative_of.values())
    sizes = dict(session.execute(sa.select(DuplicateLink.representative_id, sa.func.count())
                                 .where(DuplicateLink.representative_id.in_(representatives))
                                 .group_by(DuplicateLink.representative_id)).all())
    return {id_: 1 + sizes.get(representative_of.get(id_, id_), 0) for id_ in ids}


def submission_rows(session: orm.Session, town_hall_id: int) -> Iterator[str]:
    """A town hall's published submissions as CSV lines, in order of their random id (never arrival order).

    Each row: the town hall, the text (redacted where a redaction exists), its themes, and how many
    people raised the point (its near-duplicate group's size, so a group's members each say the same
    number). Never an affiliation, a date, a status or an identity.
    """
    title = session.scalar(sa.select(TownHall.title).where(TownHall.id == town_hall_id))
    yield from csv_lines([SUBMISSION_COLUMNS])
    query = (sa.select(Submission.id, Submission.body, Submission.redacted_body)
             .where(Submission.town_hall_id == town_hall_id, Submission.status == SubmissionStatus.PUBLISHED.value)
             .order_by(Submission.id).execution_options(yield_per=BATCH))
    for batch in session.execute(query).partitions():
        ids = [row.id for row in batch]
        themes, sizes = _themes_of(session, ids), _group_sizes(session, ids)
        yield from csv_lines([title, row.redacted_body or row.body, "; ".join(themes.get(row.id, [])),
                              sizes[row.id]] for row in batch)


def _theme_lines(found: Summary, hall: HallRef | None) -> list[list[str]]:
    label, held_on = (hall.title, hall.held_on.isoformat()) if hall else (ALL_TOWN_HALLS, "")
    return [[label, held_on, row.theme.name, cell_text(row.count, found.k),
             "" if row.share is None else f"{row.share:.0%}", change_text(row.change)] for row in found.themes]


def theme_rows(session: orm.Session, *, k: int, affiliations: list[str]) -> Iterator[str]:
    """Theme counts per town hall (oldest first), then across all of them, suppressed exactly as on the page."""
    counts = summaries.count(session, k=k, affiliations=affiliations)
    overall = summaries.view(session, counts, None, quotes=False)
    yield from csv_lines([THEME_COLUMNS])
    for hall in overall.town_halls:
        yield from csv_lines(_theme_lines(summaries.view(session, counts, hall.slug, quotes=False), hall))
    yield from csv_lines(_theme_lines(overall, None))
