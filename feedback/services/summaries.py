"""The leadership summary: counts, themes, change, affiliation and quotes, with small groups suppressed.

Every number is computed once for the whole instance (all town halls) and suppressed there, so that
every view (one town hall, all of them) shows the same cells hidden, and no two views can be compared
to work out a hidden one. The suppression itself is feedback.services.suppression.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

NOT_GIVEN = "Not given"  # the affiliation column for people who gave none
QUOTES_PER_THEME = 3
TREND_THEMES = 6


@dataclass(frozen=True)
class Cell:
    """One displayed number. value is None when it is not shown."""

    value: int | None
    # "" when shown; "small" for a group of fewer than k ("fewer than k");
    # "protect" for a cell hidden so that a small one cannot be worked out from totals.
    why: str = ""

    @property
    def shown(self) -> bool:
        return self.value is not None


@dataclass(frozen=True)
class HallRef:
    slug: str
    title: str
    held_on: date


@dataclass(frozen=True)
class ThemeRef:
    id: int
    name: str
    colour: str
    parent_name: str | None


@dataclass(frozen=True)
class Quote:
    text: str  # the redacted text where a redaction exists
    group_size: int  # 1 + near-duplicates grouped under it: "raised by N people"


@dataclass(frozen=True)
class ThemeRow:
    theme: ThemeRef
    count: Cell  # published submissions tagged with the theme
    share: float | None  # count / published, when both are shown
    previous: Cell | None  # the same theme at the previous town hall (one-town-hall view only)
    change: int | None  # count - previous, when both are shown
    by_affiliation: list[Cell]  # aligned with Summary.affiliations
    quotes: list[Quote]


@dataclass(frozen=True)
class Summary:
    k: int
    town_hall: HallRef | None  # None: across all town halls
    previous: HallRef | None  # the town hall held before this one, if any
    town_halls: list[HallRef]  # every town hall, oldest first
    received: Cell
    published: Cell
    pending: Cell
    escalated: Cell  # a count only: never any text
    hidden: list[tuple[str, Cell]]  # by reason, in HIDDEN_REASONS order
    affiliations: list[str]  # column labels: the configured affiliations, then NOT_GIVEN
    affiliation_totals: list[Cell]  # published submissions per affiliation
    themes: list[ThemeRow]  # shown counts first, largest first; then the rest by name
    trend_themes: list[ThemeRef]  # up to TREND_THEMES themes, the largest across all town halls
    over_time: list[tuple[HallRef, list[Cell]]]  # every town hall, oldest first; cells align with trend_themes


def summary(db, slug: str | None, *, k: int, affiliations: list[str]) -> Summary | None:
    """The summary for one town hall (slug) or all of them (None); None when the slug is unknown."""
    raise NotImplementedError  # being written: see the module docstring
