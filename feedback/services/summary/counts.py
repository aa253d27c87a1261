"""The leadership summary: counts, themes, change, affiliation and quotes, with small groups suppressed.

Every number is computed once for the whole instance (all town halls) and suppressed there, so that
every view (one town hall, all of them) shows the same cells hidden, and no two views can be compared
to work out a hidden one. The suppression itself is feedback.services.summary.suppression.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlalchemy import orm

from feedback import models
from feedback.models import HIDDEN_REASONS, HiddenReason, Submission, SubmissionStatus, Tagging, Theme, TownHall
from feedback.services.summary.suppression import suppress
from feedback.services.themes import duplicates

ALL = "*"  # every town hall, every affiliation or every theme, in a cell's key
RECEIVED = "received"
PUBLISHED = SubmissionStatus.PUBLISHED.value
STATUS_PARTS = ("pending", "escalated") + tuple(f"hidden:{r}" for r in HIDDEN_REASONS)
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


def summary(db: orm.Session, slug: str | None, *, k: int, affiliations: list[str]) -> Summary | None:
    """The summary for one town hall (slug) or all of them (None); None when the slug is unknown."""
    return view(db, count(db, k=k, affiliations=affiliations), slug)


class Counts:
    """Every count of the instance, and which of them small-group protection hides."""

    def __init__(self, k: int, values: dict, hidden: dict, halls: list[TownHall], affiliations: list[str],
                 themes: dict[int, ThemeRef]) -> None:
        self.k, self.values, self.hidden, self.affiliations, self.themes = k, values, hidden, affiliations, themes
        self.halls = [h.id for h in halls]
        self.refs = {h.id: HallRef(h.slug, h.title, h.held_on) for h in halls}

    def cell(self, key) -> Cell:
        why = self.hidden.get(key)
        return Cell(None, why) if why else Cell(self.values.get(key, 0))

    def shown(self, key) -> int | None:
        return self.cell(key).value


def view(db: orm.Session, table: Counts, slug: str | None, *, quotes: bool = True) -> Summary | None:
    """One view of the counts: a town hall (slug) or all of them (None); None when the slug is unknown.

    Views cut from the same Counts hide the same cells. quotes=False skips the quotes' queries.
    """
    by_slug = {ref.slug: hall for hall, ref in table.refs.items()}
    if slug is not None and slug not in by_slug:
        return None
    where = by_slug[slug] if slug is not None else ALL
    index = table.halls.index(by_slug[slug]) if slug is not None else 0
    previous = table.halls[index - 1] if slug is not None and index > 0 else None
    trend = _trend_themes(table)

    def st(part: str) -> Cell:
        return table.cell(("st", where, part))

    return Summary(
        k=table.k, town_hall=table.refs[by_slug[slug]] if slug is not None else None,
        previous=table.refs[previous] if previous is not None else None,
        town_halls=list(table.refs.values()), received=st(RECEIVED), published=table.cell(("pub", where, ALL, ALL)),
        pending=st("pending"), escalated=st("escalated"),
        hidden=[(reason, st(f"hidden:{reason}")) for reason in HIDDEN_REASONS],
        affiliations=table.affiliations,
        affiliation_totals=[table.cell(("pub", where, a, ALL)) for a in table.affiliations],
        themes=_theme_rows(db if quotes else None, table, where, previous),
        trend_themes=[table.themes[t] for t in trend],
        over_time=[(table.refs[h], [table.cell(("pub", h, ALL, t)) for t in trend]) for h in table.halls],
    )


def count(db: orm.Session, *, k: int, affiliations: list[str]) -> Counts:
    """Count by town hall, status, affiliation and theme (three GROUP BYs), then suppress once for all."""
    halls = list(db.scalars(sa.select(TownHall).order_by(TownHall.held_on, TownHall.id)))
    configured = affiliations
    hall_ids = [h.id for h in halls]
    values: dict = defaultdict(int)
    for hall, status, reason, n in db.execute(
            sa.select(Submission.town_hall_id, Submission.status, Submission.hidden_reason, sa.func.count())
            .group_by(Submission.town_hall_id, Submission.status, Submission.hidden_reason)):
        values[("st", hall, RECEIVED)] += n
        if status == SubmissionStatus.HIDDEN.value:
            values[("st", hall, f"hidden:{reason if reason in HIDDEN_REASONS else HiddenReason.OTHER.value}")] += n
        elif status != PUBLISHED:
            values[("st", hall, status)] += n
    published = sa.select(Submission.town_hall_id, Submission.affiliation).where(Submission.status == PUBLISHED)
    by_affiliation = db.execute(published.add_columns(sa.func.count())
                                .group_by(Submission.town_hall_id, Submission.affiliation)).all()
    by_theme = db.execute(
        sa.select(Submission.town_hall_id, Submission.affiliation, Tagging.theme_id, sa.func.count())
        .join(Tagging, Tagging.submission_id == Submission.id).where(Submission.status == PUBLISHED)
        .group_by(Submission.town_hall_id, Submission.affiliation, Tagging.theme_id)).all()
    found = {a for _, a, _ in by_affiliation if a is not None}
    affiliations = list(configured) + sorted(found - set(configured)) + [NOT_GIVEN]
    for hall, affiliation, n in by_affiliation:
        for a in (affiliation or NOT_GIVEN, ALL):
            values[("pub", hall, a, ALL)] += n
    for hall, affiliation, theme, n in by_theme:
        for a in (affiliation or NOT_GIVEN, ALL):
            values[("pub", hall, a, theme)] += n
    themes = _themes(db, {theme for _, _, theme, _ in by_theme})
    keys = _keys(hall_ids, affiliations, list(themes))
    for key in keys:  # every cell exists, zeros included, and the totals over all town halls add up
        if key[1] == ALL:
            values[key] = sum(values.get((key[0], hall, *key[2:]), 0) for hall in hall_ids)
        else:
            values.setdefault(key, 0)
    hidden = suppress(values, k, outers=_outers, partitions=_partitions(hall_ids, affiliations, list(themes)))
    return Counts(k, dict(values), hidden, halls, affiliations, themes)


def _keys(halls: list[int], affiliations: list[str], themes: list[int]) -> list[tuple]:
    """Every cell: ("st", hall, status part) and ("pub", hall, affiliation, theme), ALL standing for any."""
    places = [*halls, ALL]
    statuses = [("st", h, part) for h in places for part in (RECEIVED, *STATUS_PARTS)]
    published = [("pub", h, a, t) for h in places for a in (*affiliations, ALL) for t in (*themes, ALL)]
    return statuses + published


def _outers(key: tuple) -> list[tuple]:
    """The larger groups holding a cell's group: the same cell with any of its parts made ALL."""
    if key[0] == "st":
        _, hall, part = key
        found: list[tuple] = [("st", hall, RECEIVED)] if part != RECEIVED else []
        if hall != ALL:
            found += [("st", ALL, part), ("st", ALL, RECEIVED)]
        return found
    _, hall, affiliation, theme = key
    received = [("st", hall, RECEIVED), ("st", ALL, RECEIVED)]
    if ALL not in key:  # most cells: the seven with any of the three made ALL, written out for speed
        return [("pub", ALL, affiliation, theme), ("pub", hall, ALL, theme), ("pub", hall, affiliation, ALL),
                ("pub", ALL, ALL, theme), ("pub", ALL, affiliation, ALL), ("pub", hall, ALL, ALL),
                ("pub", ALL, ALL, ALL), *received]
    found = [("pub", h, a, t) for h in {hall, ALL} for a in {affiliation, ALL} for t in {theme, ALL}]
    found.remove(key)
    return found + received


def _partitions(halls: list[int], affiliations: list[str], themes: list[int]):
    """(total, parts): statuses make up the received, affiliations the published, town halls the instance."""
    for hall in (*halls, ALL):
        yield ("st", hall, RECEIVED), [("pub", hall, ALL, ALL)] + [("st", hall, p) for p in STATUS_PARTS]
        for theme in (*themes, ALL):
            yield ("pub", hall, ALL, theme), [("pub", hall, a, theme) for a in affiliations]
    for part in (RECEIVED, *STATUS_PARTS):
        yield ("st", ALL, part), [("st", hall, part) for hall in halls]
    for affiliation, theme in itertools.product((*affiliations, ALL), (*themes, ALL)):
        yield ("pub", ALL, affiliation, theme), [("pub", hall, affiliation, theme) for hall in halls]


def _themes(db: orm.Session, tagged: set[int]) -> dict[int, ThemeRef]:
    """The codebook's live themes, and any archived one that still has taggings, by name."""
    rows = db.scalars(sa.select(Theme).where(sa.or_(Theme.archived.is_(False), Theme.id.in_(tagged)))
                      .options(orm.joinedload(Theme.parent)).order_by(Theme.name))
    return {t.id: ThemeRef(t.id, t.name, t.colour, t.parent.name if t.parent else None) for t in rows}


def _trend_themes(table: Counts) -> list[int]:
    """The largest shown themes across all town halls."""
    counted = [(table.shown(("pub", ALL, ALL, t)), t) for t in table.themes]
    ranked = sorted(((n, t) for n, t in counted if n), key=lambda pair: -pair[0])
    return [t for _, t in ranked[:TREND_THEMES]]


def _theme_rows(db: orm.Session | None, table: Counts, where, previous: int | None) -> list[ThemeRow]:
    published = table.shown(("pub", where, ALL, ALL))
    quoted = _quotes(db, table, where) if db is not None else {}
    rows = []
    for theme in table.themes.values():
        count = table.cell(("pub", where, ALL, theme.id))
        before = table.cell(("pub", previous, ALL, theme.id)) if previous else None
        value, before_value = count.value, before.value if before is not None else None  # None: not shown
        rows.append(ThemeRow(
            theme=theme, count=count,
            share=value / published if value is not None and published else None,
            previous=before,
            change=value - before_value if value is not None and before_value is not None else None,
            by_affiliation=[table.cell(("pub", where, a, theme.id)) for a in table.affiliations],
            quotes=quoted.get(theme.id, []),
        ))
    return sorted(rows, key=lambda r: (not r.count.shown, -(r.count.value or 0), r.theme.name.casefold()))


def _quotes(db: orm.Session, table: Counts, where) -> dict[int, list[Quote]]:
    """A few published submissions per theme, only from town halls where the theme's count is shown.

    Representatives of the largest near-duplicate groups first (one query for every theme), then others
    in id order (random, not arrival order); never a grouped member (its representative speaks for
    it), never unpublished text.
    """
    halls = {t: ({where} if where != ALL else {h for h in table.halls if table.shown(("pub", h, ALL, t))})
             for t in table.themes if table.shown(("pub", where, ALL, t))}
    halls = {t: found for t, found in halls.items() if found}
    if not halls:
        return {}
    eligible = (sa.select(Tagging.theme_id, Submission.id, Submission.town_hall_id, Submission.body,
                          Submission.redacted_body)
                .join(Tagging, Tagging.submission_id == Submission.id)
                .where(Submission.status == PUBLISHED,
                       ~duplicates.is_member(Submission.id)))
    if where != ALL:
        eligible = eligible.where(Submission.town_hall_id == where)
    sizes = {representative_id: n for representative_id, n in db.execute(duplicates.member_counts())}
    chosen: dict[int, list[Quote]] = defaultdict(list)
    if sizes:
        # Driven from the few representatives (IN a subquery), not from every published tagging.
        representatives = db.execute(eligible.where(
            Tagging.theme_id.in_(list(halls)),
            Submission.id.in_(duplicates.representatives()))).all()
        for theme, id_, hall, body, redacted in sorted(representatives, key=lambda r: (-sizes[r[1]], r[1])):
            if hall in halls[theme] and len(chosen[theme]) < QUOTES_PER_THEME:
                chosen[theme].append(Quote(models.shown_text(body, redacted), 1 + sizes[id_]))
    single = ~duplicates.leads_a_group(Submission.id)
    for theme, found in halls.items():
        missing = QUOTES_PER_THEME - len(chosen[theme])
        if missing > 0:
            rest = db.execute(eligible.where(Tagging.theme_id == theme, single,
                                             Submission.town_hall_id.in_(found))
                              .order_by(Tagging.submission_id).limit(missing)).all()
            chosen[theme] += [Quote(models.shown_text(body, redacted), 1) for _, _, _, body, redacted in rest]
    return chosen
