"""Arrange submissions for the leadership summary and its exports, through the app's own services."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import timedelta
from html.parser import HTMLParser

from feedback import audit, clock
from feedback.models import DuplicateLink
from feedback.services.moderation import desk
from tests.factories import make_submission, make_theme, make_town_hall, tag, today

SYSTEM = audit.Actor(audit.SYSTEM)
# The captions of the leadership summary's tables.
STATUS = "Submissions by status"
THEMES = "Published submissions per theme"
AFFILIATION = "Published submissions by theme and self-reported affiliation"
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


@dataclass
class TwoTownHalls:
    """Autumn (10 published, all Workload) then Spring (20 published; Workload 10 and Safety 10, half
    students, half staff; 5 pending, 5 escalated, 5 hidden as spam). With k = 5 every number shows."""

    autumn: object
    spring: object
    workload: object
    safety: object
    ids: dict[str, list] = field(default_factory=dict)


def two_town_halls(session, ring) -> TwoTownHalls:
    autumn = make_town_hall(session, "Autumn listening", held_on=today() - timedelta(days=120))
    spring = make_town_hall(session, "Spring listening")
    workload, safety = make_theme(session, "Workload", colour="#9c2f00"), make_theme(session, "Safety")
    made = TwoTownHalls(autumn, spring, workload, safety)

    def many(key, hall, n, status="published", *themes, **fields):
        made.ids[key] = [add(session, ring, hall, f"{key} {i}", status, *themes, **fields) for i in range(n)]

    many("autumn workload", autumn, 10, "published", workload)
    for affiliation in ("student", "staff"):
        many(f"spring workload {affiliation}", spring, 5, "published", workload, affiliation=affiliation)
        many(f"spring safety {affiliation}", spring, 5, "published", safety, affiliation=affiliation)
    many("spring pending", spring, 5, "pending", workload, affiliation="staff")
    many("spring escalated", spring, 5, "escalated", workload, affiliation="staff")
    many("spring spam", spring, 5, "hidden", workload, affiliation="staff", reason="spam")
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
