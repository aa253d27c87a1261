"""Arrange submissions for the leadership summary and its exports, through the app's own services."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from datetime import timedelta
from html.parser import HTMLParser

import sqlalchemy as sa

from feedback import audit, clock
from feedback.models import DuplicateLink, Release, ReleasedCount, ReleasedQuote, Tagging
from feedback.services.moderation import desk
from feedback.services.summary import releases
from feedback.services.summary.disclosure import Cell, Mechanism, cell_text
from tests.factories import make_submission, make_theme, make_town_hall, tag, today

SYSTEM = audit.Actor(audit.SYSTEM)
# The captions of the leadership summary's tables.
STATUS = "Submissions by status"
THEMES = "Published submissions per theme"
AFFILIATION = "Published submissions by self-reported affiliation"
OVER_TIME = "Published submissions per theme at each town hall, oldest first"


def add(session, ring, hall, body: str, status: str = "published", *themes, affiliation: str | None = "student",
        reason: str | None = None, name: str | None = None, email: str = "", redacted: str | None = None):
    """One submission, tagged and moved to a status as a facilitator would; returns its id."""
    submission_id = make_submission(session, ring, hall, body, affiliation=affiliation, name=name,
                                    email=email).submission_id
    if themes:
        tag(session, submission_id, *themes)
    if redacted:
        desk.redact(session, submission_id, redacted, by=SYSTEM, now=clock.now())
    if status != "pending":
        desk.change_status(session, [submission_id], status, hidden_reason=reason,
                                 note="Needs HR." if status == "escalated" else "", by=SYSTEM, now=clock.now())
    return submission_id


def group(session, representative_id, *member_ids) -> None:
    """Group near-duplicates under a representative (straight into the table)."""
    session.add_all(DuplicateLink(submission_id=m, representative_id=representative_id) for m in member_ids)
    session.commit()


def many(session, ring, hall, texts: list[str], status: str = "published", *themes,
         affiliation: str | None = "student", reason: str | None = None) -> list:
    """Submissions with these texts, all tagged and moved to one status at once (add, in bulk); their ids."""
    ids = [make_submission(session, ring, hall, text, affiliation=affiliation).submission_id for text in texts]
    session.add_all(Tagging(submission_id=i, theme_id=theme.id) for i in ids for theme in themes)
    session.commit()
    if status != "pending":
        desk.change_status(session, ids, status, hidden_reason=reason,
                           note="Needs HR." if status == "escalated" else "", by=SYSTEM, now=clock.now())
    return ids


def release(app, session, *halls) -> None:
    """Release each town hall's numbers as a facilitator would, with the app's mechanism and budget."""
    config = app.config
    for hall in halls:
        releases.release(session, hall, mechanism=Mechanism.from_config(config), total_budget=config["SUMMARY_BUDGET"],
                         k=config["SUMMARY_K"], affiliations=list(config["AFFILIATIONS"]), by=SYSTEM,
                         now=clock.now())


def released(session, hall) -> dict[str, dict[str, int]]:
    """The hall's latest release as stored: kind -> key -> noisy count."""
    return releases.latest(session)[hall.id].counts


def set_released(session, hall, kind: str, key: str, value: int) -> None:
    """Make the hall's latest release hold value for one cell: a release whose noise came out that way."""
    release_id = session.scalar(sa.select(Release.id).where(Release.town_hall_id == hall.id)
                                .order_by(Release.number.desc()).limit(1))
    if kind == "group":  # a group's size is kept on the quotes of its representative
        session.execute(sa.update(ReleasedQuote).where(ReleasedQuote.release_id == release_id,
                                                       ReleasedQuote.submission_id == uuid.UUID(key))
                        .values(raised_by=value))
        session.commit()
        return
    stored = session.get(ReleasedCount, (release_id, kind, key))
    if stored is None:
        session.add(ReleasedCount(release_id=release_id, kind=kind, key=key, value=value))
    else:
        stored.value = value
    session.commit()


def text(value: int | None, k: int = 5) -> str:
    """A released value as every page and export prints it."""
    return cell_text(Cell(value, k))


@dataclass
class TwoTownHalls:
    """Autumn (2 x per published, all Workload) then Spring (4 x per published: Workload 2 x per and
    Safety 2 x per, half students, half staff; per pending, per escalated, per hidden as spam)."""

    autumn: object
    spring: object
    workload: object
    safety: object
    ids: dict[str, list] = field(default_factory=dict)


def two_town_halls(session, ring, per: int = 5) -> TwoTownHalls:
    """The two town halls. With per = 20 each theme count and Autumn's published count is 40, Spring's 80:
    noise of scale 1.5 takes one of those under 5 with P < 1e-10, never in practice."""
    autumn = make_town_hall(session, "Autumn listening", held_on=today() - timedelta(days=120))
    spring = make_town_hall(session, "Spring listening")
    workload, safety = make_theme(session, "Workload", colour="#9c2f00"), make_theme(session, "Safety")
    made = TwoTownHalls(autumn, spring, workload, safety)

    def some(key, hall, n, status="published", *themes, **fields):
        made.ids[key] = many(session, ring, hall, [f"{key} {i}" for i in range(n)], status, *themes, **fields)

    some("autumn workload", autumn, 2 * per, "published", workload)
    for affiliation in ("student", "staff"):
        some(f"spring workload {affiliation}", spring, per, "published", workload, affiliation=affiliation)
        some(f"spring safety {affiliation}", spring, per, "published", safety, affiliation=affiliation)
    some("spring pending", spring, per, "pending", workload, affiliation="staff")
    some("spring escalated", spring, per, "escalated", workload, affiliation="staff")
    some("spring spam", spring, per, "hidden", workload, affiliation="staff", reason="spam")
    return made


MARKERS = ("ESCALATED-MARKER-7731", "HIDDEN-MARKER-5520", "PENDING-MARKER-9043", "ORIGINAL-MARKER-3318",
           "Zebedee Marchbanks", "zebedee.marchbanks@example.org")


def plant_secrets(session, ring, halls) -> None:
    """Text a leader must never reach, in submissions tagged with the themes that are quoted."""
    spring, theme = halls.spring, halls.workload
    for i in range(5):
        add(session, ring, spring, f"ESCALATED-MARKER-7731 {i}", "escalated", theme, affiliation="staff")
        add(session, ring, spring, f"HIDDEN-MARKER-5520 {i}", "hidden", theme, affiliation="staff", reason="abusive")
        add(session, ring, spring, f"PENDING-MARKER-9043 {i}", "pending", theme, affiliation="staff")
        add(session, ring, spring, f"ORIGINAL-MARKER-3318 said {i}", "published", theme, affiliation="staff",
            redacted=f"Someone said {i}", name="Zebedee Marchbanks", email="zebedee.marchbanks@example.org")


class _Tables(HTMLParser):
    """Every table of a page: its caption and its rows, each a list of cell texts (whitespace collapsed)."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self._caption = self._cell = self._rows = None

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self._rows, self._caption = [], ""
        elif tag == "caption":
            self._cell = []
        elif tag == "tr" and self._rows is not None:
            self._rows.append([])
        elif tag in ("th", "td") and self._rows is not None:
            self._cell = []

    def handle_endtag(self, tag):
        if tag == "caption" and self._cell is not None:
            self._caption, self._cell = _words(self._cell), None
        elif tag in ("th", "td") and self._cell is not None:
            self._rows[-1].append(_words(self._cell))
            self._cell = None
        elif tag == "table" and self._rows is not None:
            self.tables[self._caption] = self._rows
            self._rows = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def _words(parts: list[str]) -> str:
    return re.sub(r"\s+", " ", "".join(parts)).strip()


def tables(html: str) -> dict[str, list[list[str]]]:
    """The page's tables by caption."""
    parser = _Tables()
    parser.feed(html)
    return parser.tables


def rows_by_name(table: list[list[str]]) -> dict[str, list[str]]:
    """A table's body rows keyed by their first cell (the header row included under its first cell)."""
    return {row[0]: row[1:] for row in table if row}
