"""The leadership summary, read from releases: each town hall's latest release, or all of them added up.

No number here is counted live: they are the noisy counts of feedback.services.summary.releases, and
everything this module computes from them (shares, changes, sums over town halls, the trend,
which quotes show) is post-processing, which the disclosure layer's guarantee covers at no cost.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlalchemy import orm

from feedback import models
from feedback.models import HIDDEN_REASONS, Theme, TownHall
from feedback.services.summary import releases
from feedback.services.summary.disclosure import AFFILIATION, GROUP, STATUS, THEME, Cell, change, share, total
from feedback.services.summary.releases import NOT_GIVEN, PUBLISHED, QUOTES_PER_THEME, Stored

TREND_THEMES = 6

__all__ = ["NOT_GIVEN", "Cell", "HallRef", "Quote", "Summary", "ThemeRef", "ThemeRow", "summary"]


@dataclass(frozen=True)
class HallRef:
    slug: str
    title: str
    held_on: date
    released_on: date | None  # its latest release's date; None: never released
    release: int | None  # that release's number (1, 2, ...)

    @property
    def released(self) -> bool:
        return self.release is not None


@dataclass(frozen=True)
class ThemeRef:
    id: int
    name: str
    colour: str
    parent_name: str | None


@dataclass(frozen=True)
class Quote:
    text: str  # the redacted text where a redaction exists
    raised_by: Cell | None  # the released size of its near-duplicate group; None: it leads no group


@dataclass(frozen=True)
class ThemeRow:
    theme: ThemeRef
    count: Cell  # published submissions tagged with the theme (released)
    share: float | None  # count / published, when both are shown
    previous: Cell | None  # the same theme at the previous released town hall (one-town-hall view only)
    change: int | None  # count - previous, when both are shown
    quotes: list[Quote]


@dataclass(frozen=True)
class Summary:
    k: int
    town_hall: HallRef | None  # None: across all town halls
    previous: HallRef | None  # the released town hall held before this one, if any
    town_halls: list[HallRef]  # every town hall, oldest first (the switch)
    unreleased: list[HallRef]  # town halls in this view already held but not released: not counted here
    received: Cell
    published: Cell
    pending: Cell
    escalated: Cell  # a count only: never any text
    hidden: list[tuple[str, Cell]]  # by reason, in HIDDEN_REASONS order
    affiliations: list[str]  # the configured affiliations, then NOT_GIVEN
    affiliation_totals: list[Cell]  # published submissions per affiliation
    themes: list[ThemeRow]  # shown counts first, largest first; then the rest by name
    trend_themes: list[ThemeRef]  # up to TREND_THEMES themes, the largest across all town halls
    over_time: list[tuple[HallRef, list[Cell]]]  # held, released halls, oldest first; cells align with trend_themes


def summary(db: orm.Session, slug: str | None, *, k: int, affiliations: list[str],
            today: date) -> Summary | None:
    """The summary for one town hall (slug) or all of them (None); None when the slug is unknown."""
    halls = list(db.scalars(sa.select(TownHall).order_by(TownHall.held_on, TownHall.id)))
    stored = releases.latest(db)
    refs = {h.id: _ref(h, stored.get(h.id)) for h in halls}
    by_slug = {h.slug: h.id for h in halls}
    if slug is not None and slug not in by_slug:
        return None
    chosen = [by_slug[slug]] if slug is not None else [h.id for h in halls]
    in_view = [stored[h] for h in chosen if h in stored]
    released_ids = [h.id for h in halls if h.id in stored]
    previous = None
    if slug is not None and by_slug[slug] in released_ids and released_ids.index(by_slug[slug]) > 0:
        previous = stored[released_ids[released_ids.index(by_slug[slug]) - 1]]
    themes = _themes(db, in_view, k)

    def cell(kind: str, key: str, among: list[Stored] | None = None) -> Cell:
        return _added(in_view if among is None else among, kind, key, k)

    statuses = {key: cell(STATUS, key) for key in releases.STATUS_KEYS}
    published = statuses[PUBLISHED]
    labels = [*affiliations, NOT_GIVEN]
    trend = _trend(themes, list(stored.values()), k)
    held = [h for h in released_ids if refs[h].held_on <= today]
    return Summary(
        k=k, town_hall=refs[by_slug[slug]] if slug is not None else None,
        previous=refs[previous.town_hall_id] if previous is not None else None,
        town_halls=list(refs.values()),
        unreleased=[refs[h] for h in chosen if h not in stored and refs[h].held_on <= today],
        received=cell(STATUS, releases.RECEIVED),
        published=published, pending=statuses["pending"], escalated=statuses["escalated"],
        hidden=[(reason, statuses[f"hidden:{reason}"]) for reason in HIDDEN_REASONS],
        affiliations=labels, affiliation_totals=[cell(AFFILIATION, a) for a in labels],
        themes=_rows(themes, in_view, previous, published, k),
        trend_themes=trend,
        over_time=[(refs[h], [cell(THEME, str(t.id), [stored[h]]) for t in trend]) for h in held],
    )


def _added(stored: list[Stored], kind: str, key: str, k: int) -> Cell:
    """One cell added up over these releases (a cell a release lacks counts 0); not released when none is."""
    return total([Cell(s.counts.get(kind, {}).get(key, 0), k) for s in stored], k)


def _ref(hall: TownHall, stored: Stored | None) -> HallRef:
    return HallRef(hall.slug, hall.title, hall.held_on, stored.released_on if stored else None,
                   stored.number if stored else None)


def _themes(db: orm.Session, in_view: list[Stored], k: int) -> list[ThemeRef]:
    """The codebook's live themes, and any archived one whose released count in this view is shown."""
    rows = db.scalars(sa.select(Theme).options(orm.joinedload(Theme.parent)).order_by(Theme.name))
    found = []
    for t in rows:
        count = _added(in_view, THEME, str(t.id), k)
        if not t.archived or count.shown:
            found.append(ThemeRef(t.id, t.name, t.colour, t.parent.name if t.parent else None))
    return found


def _trend(themes: list[ThemeRef], every: list[Stored], k: int) -> list[ThemeRef]:
    """The largest shown themes across all released town halls."""
    counted = [(_added(every, THEME, str(t.id), k), t) for t in themes]
    ranked = sorted(((c.value or 0, t) for c, t in counted if c.shown), key=lambda pair: -pair[0])
    return [t for _, t in ranked[:TREND_THEMES]]


def _rows(themes: list[ThemeRef], in_view: list[Stored], previous: Stored | None, published: Cell,
          k: int) -> list[ThemeRow]:
    rows = []
    for theme in themes:
        key = str(theme.id)
        count = _added(in_view, THEME, key, k)
        before = Cell(previous.counts.get(THEME, {}).get(key, 0), k) if previous is not None else None
        rows.append(ThemeRow(theme=theme, count=count, share=share(count, published), previous=before,
                             change=change(count, before), quotes=_quotes(theme.id, count, in_view, k)))
    return sorted(rows, key=lambda r: (not r.count.shown, -(r.count.value or 0), r.theme.name.casefold()))


def _quotes(theme_id: int, count: Cell, in_view: list[Stored], k: int) -> list[Quote]:
    """The released quotes of the theme, only where its count in this view is shown (at least k).

    Each release chose them where the theme's released count in its hall was at least k; across town
    halls the largest released groups come first, then single submissions in id order.
    """
    if not count.shown:
        return []
    found: list[tuple[uuid.UUID, Quote]] = []
    for stored in in_view:
        sizes = stored.counts.get(GROUP, {})
        for submission_id, body, redacted in stored.quotes.get(theme_id, []):
            size = sizes.get(str(submission_id))
            found.append((submission_id, Quote(models.shown_text(body, redacted),
                                               Cell(size, k) if size is not None else None)))
    found.sort(key=lambda pair: (pair[1].raised_by is None, -((pair[1].raised_by.value or 0) if pair[1].raised_by
                                                             else 0), str(pair[0])))
    return [quote for _, quote in found[:QUOTES_PER_THEME]]
