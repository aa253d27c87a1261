"""The reader: a leader who fetches every leadership view and export and writes every number down.

A snapshot is everything one leader can fetch at one moment: the summary of all town halls, each town
hall's summary and printable brief, and themes.csv. Each number becomes an Observation about a Cell (a
group of people: a town hall's status, affiliation, theme, theme and affiliation, a quote's
near-duplicate group, or the same over all town halls), read by the page's own stated rules:

- "old" rules (the code before issue 11, live counts): a plain number is exact, "fewer than k" is 1 to
  k-1, "not shown" is 0 or at least k, "Raised by N people" is exact;
- "new" rules (released counts with discrete Laplace noise): "about N" is a released value N, so the
  truth is within B of it for each released count summed into it (B is the noise's tail bound at
  probability 1e-9); "fewer than k" is a released value under k; "not released yet" says nothing; a
  plain number in a count cell is exact (so an exact leak is modelled exactly); a CSV column whose
  header says "approximate" holds released values.

knowledge() turns the snapshots into linear constraints over integer unknowns (the true sizes),
adding every relation a reader knows: received is the sum of the statuses, published the sum of the
affiliations, a theme at most the published, the themes together at most C times the published, theme
and affiliation cells add up to the theme and are at most the affiliation, all town halls is the sum of
the town halls, shares are rounded percentages of a known denominator, and between two snapshots no
count moves by more than the number of changes known to have happened.
"""

from __future__ import annotations

import csv
import io
import math
import re
from dataclasses import dataclass, field
from html import unescape

from tests.attack.pages import Page, Reading, Table, Unread, parse_page, read_change, read_count, read_share

ALL = "*"  # the view of all town halls, in a cell
NOT_GIVEN = "not given"
HIDDEN_REASONS = ("off-topic", "abusive", "spam", "duplicate", "identifying", "other")
STATUS_KEYS = ("published", "pending", "escalated", *(f"hidden:{r}" for r in HIDDEN_REASONS))
STATUS_LABELS = {"published": "published", "waiting for review": "pending", "escalated": "escalated",
                 **{f"hidden: {r.replace('-', ' ')}": f"hidden:{r}" for r in HIDDEN_REASONS}}  # "Hidden: Off topic"
BIG = 100_000  # no group is larger than this
QUOTES_PER_THEME = 3  # the most quotes a theme shows on a summary page

STATUS = "Submissions by status"
THEMES = "Published submissions per theme"
BY_THEME_AND_AFFILIATION = "Published submissions by theme and self-reported affiliation"
BY_AFFILIATION = "Published submissions by self-reported affiliation"
OVER_TIME = "Published submissions per theme at each town hall, oldest first"


# ---------------------------------------------------------------------------------------------------------
# Observations.

@dataclass(frozen=True)
class Cell:
    """A group of people. kind: "S" (a status; part is the status key), "received", "A" (published with an
    affiliation), "T" (published with a theme), "X" (theme, affiliation), "G" (a quote's near-duplicate
    group; part is the quote's text). view: a town hall's slug or ALL."""

    kind: str
    view: str
    parts: tuple[str, ...] = ()

    def label(self, titles: dict[str, str]) -> str:
        if self.kind == "G":
            return f"the near-duplicate group of the quote {self.parts[0]!r}"
        where = "all town halls" if self.view == ALL else titles.get(self.view, self.view)
        what = {"S": "status", "received": "received", "A": "affiliation", "T": "theme",
                "X": "theme x affiliation", "Q": "quotable (published, not grouped) with theme"}[self.kind]
        return f"{where}: {what} {' x '.join(self.parts)}".rstrip()


@dataclass(frozen=True)
class Observation:
    cell: Cell
    reading: Reading
    where: str  # the page and place it was read from


@dataclass(frozen=True)
class Share:
    cell: Cell
    percent: int
    denominator: Reading  # the view's published, as the same page shows it
    where: str


@dataclass(frozen=True)
class Change:
    now: Cell
    before: Cell
    change: int
    where: str


@dataclass
class Snapshot:
    rules: str
    observations: list[Observation] = field(default_factory=list)
    shares: list[Share] = field(default_factory=list)
    changes: list[Change] = field(default_factory=list)
    themes: set[str] = field(default_factory=set)
    affiliations: set[str] = field(default_factory=set)
    quotes: set[str] = field(default_factory=set)
    theme_by_affiliation: bool = False  # a page shows theme x affiliation cells
    quotable: bool = False  # a page tells how many quotable submissions a theme has (by its quotes)
    released: set[str] = field(default_factory=set)  # halls with released numbers (all of them, live)
    unread: list[str] = field(default_factory=list)  # tables with numbers the reader did not understand
    pages: dict[str, str] = field(default_factory=dict)  # path -> the page or CSV, for the report


class Reader:
    """A leader's client; snapshot() fetches and reads every view and export."""

    def __init__(self, client, halls: list[tuple[str, str]], *, rules: str, k: int, affiliations: list[str],
                 quote_counts: bool = True):
        """quote_counts: also read how many quotes a theme shows as a count. On the old pages fewer than
        QUOTES_PER_THEME is every quotable submission of the theme; the released pages show three or none
        (before that rule, one or two quotes pinned a theme of 1 or 2 whenever the noise lifted its released
        count to k)."""
        self.client, self.halls, self.rules, self.k = client, halls, rules, k
        self.quote_counts = quote_counts
        self.titles = {slug: title for slug, title in halls}
        self.slugs = {title: slug for slug, title in halls}
        self.affiliations = [a.casefold() for a in affiliations] + [NOT_GIVEN]

    def _get(self, snap: Snapshot, path: str) -> str:
        response = self.client.get(path)
        assert response.status_code == 200, (path, response.status_code)
        body = response.get_data(as_text=True)
        snap.pages[path] = body
        return body

    def snapshot(self) -> Snapshot:
        snap = Snapshot(self.rules, affiliations=set(self.affiliations))
        if self.rules == "old":
            snap.released = {slug for slug, _ in self.halls}
        self._summary(snap, ALL, parse_page(self._get(snap, "/leadership")), "/leadership")
        for slug, _ in self.halls:
            path = f"/leadership/{slug}"
            self._summary(snap, slug, parse_page(self._get(snap, path)), path)
            self._brief(snap, slug, parse_page(self._get(snap, f"{path}/brief")), f"{path}/brief")
        self._csv(snap, self._get(snap, "/leadership/themes.csv"))
        return snap

    # -- helpers ------------------------------------------------------------------------------------------

    def _observe(self, snap: Snapshot, cell: Cell, text: str, where: str, *, approximate: bool = False):
        reading = read_count(text, self.rules, self.k, approximate=approximate)
        if reading is not None:
            snap.observations.append(Observation(cell, reading, where))
            if cell.view != ALL and self.rules == "new":
                snap.released.add(cell.view)
        return reading

    def _hall(self, label: str) -> str | None:
        title = re.sub(r" \([^()]*\)$", "", label).strip()
        return self.slugs.get(title, self.slugs.get(label.strip()))

    def _affiliation(self, label: str) -> str:
        found = label.strip().casefold()
        return found

    def _status(self, snap: Snapshot, view: str, label: str, text: str, where: str):
        name = label.strip().casefold()
        if name == "received":
            return self._observe(snap, Cell("received", view), text, where)
        if name in STATUS_LABELS:
            return self._observe(snap, Cell("S", view, (STATUS_LABELS[name],)), text, where)
        raise Unread(f"{where}: a status row {label!r}")

    def _published(self, snap: Snapshot, view: str) -> Reading | None:
        """The view's published count as this snapshot shows it (the last reading of it, from any page)."""
        for seen in reversed(snap.observations):
            if seen.cell == Cell("S", view, ("published",)):
                return seen.reading
        return None

    def _theme_rows(self, snap: Snapshot, view: str, table: Table, where: str) -> None:
        head = table.head[0] if table.head else []
        columns = {name.casefold(): i for i, name in enumerate(head)}
        count = next((i for name, i in columns.items() if name.startswith("published submissions")), 1)
        share = next((i for name, i in columns.items() if name.startswith("share")), None)
        change = next((i for name, i in columns.items() if name.startswith("change")), None)
        previous_col = next((i for name, i in columns.items() if name.startswith("at ")), None)
        previous = None
        for name, i in columns.items():
            if name.startswith("at ") or name.startswith("change since "):
                title = head[i][3:] if name.startswith("at ") else head[i][len("change since "):]
                previous = self.slugs.get(title.strip(), previous)
        published = self._published(snap, view)
        for row in table.body:
            if not row:
                continue
            theme = row[0]
            snap.themes.add(theme)
            cell = Cell("T", view, (theme,))
            here = f"{where} {table.caption or 'themes'}: {theme}"
            self._observe(snap, cell, row[count], here)
            if share is not None and share < len(row):
                percent = read_share(row[share])
                if percent is not None and published is not None:
                    snap.shares.append(Share(cell, percent, published, here))
            if previous is not None and previous_col is not None and previous_col < len(row):
                self._observe(snap, Cell("T", previous, (theme,)), row[previous_col], f"{here} (at previous)")
            if change is not None and change < len(row):
                text = row[change]
                if text.casefold().startswith("last time:"):
                    if previous is not None:
                        self._observe(snap, Cell("T", previous, (theme,)), text.split(":", 1)[1],
                                      f"{here} (last time)")
                    continue
                moved = read_change(text)
                if moved is not None and previous is not None:
                    snap.changes.append(Change(cell, Cell("T", previous, (theme,)), moved, here))

    def _quote_counts(self, snap: Snapshot, view: str, table: Table, page: Page, where: str) -> None:
        """How many quotes a theme shows: a town hall's summary quotes up to QUOTES_PER_THEME of the theme's
        published submissions (never a grouped member) wherever its count is shown, so fewer is all of them."""
        head = [h.casefold() for h in (table.head[0] if table.head else [])]
        count = next((i for i, h in enumerate(head) if h.startswith("published submissions")), 1)
        for row in table.body:
            reading = read_count(row[count], self.rules, self.k) if count < len(row) else None
            shown = reading is not None and (reading.kind == "exact" if self.rules == "old" else
                                             reading.kind == "about" and (reading.value or 0) >= self.k)
            if not shown:
                continue
            quoted = sum(1 for q in page.quotes if q.theme == row[0])
            cell = Cell("Q", view, (row[0],))
            snap.quotable = True
            here = f"{where} quotes under {row[0]}: {quoted}"
            if quoted >= QUOTES_PER_THEME:
                snap.observations.append(Observation(cell, Reading("at_least", quoted, f"{quoted} quotes"), here))
            elif self.rules == "old" or quoted:  # the old pages quote all of a theme's, when fewer than three
                snap.observations.append(Observation(cell, Reading("exact", quoted, f"{quoted} quotes"), here))
            else:  # the released pages' rule: three quotes of a theme or none, so none says fewer than three
                snap.observations.append(Observation(cell, Reading("at_most", QUOTES_PER_THEME - 1,
                                                                   "no quotes"), here))

    def _quotes(self, snap: Snapshot, view: str, page: Page, where: str) -> None:
        for quote in page.quotes:
            snap.quotes.add(quote.text)
            if quote.theme and self.rules == "old":
                snap.themes.add(quote.theme)
                # A quote under a theme is a published submission with that theme.
                snap.observations.append(Observation(Cell("T", view, (quote.theme,)), Reading("at_least", 1),
                                                     f"{where} quote under {quote.theme}"))
            caption = quote.caption.strip()
            if not caption:
                continue
            group = Cell("G", ALL, (quote.text,))
            # A caption is shown only for a group of more than one (the representative and its members).
            snap.observations.append(Observation(group, Reading("at_least", 2), f"{where} quote caption"))
            if m := re.fullmatch(r"Raised by (about )?(\d+) (people|person)", caption):
                kind = "about" if m.group(1) else "exact"
                snap.observations.append(Observation(group, Reading(kind, int(m.group(2)), caption),
                                                     f"{where} quote caption"))
            elif caption == "Raised by several people":
                kind = "small" if self.rules == "old" else "under"
                snap.observations.append(Observation(group, Reading(kind, None, caption), f"{where} quote caption"))
            else:
                raise Unread(f"{where}: a quote's caption {caption!r}")

    # -- pages --------------------------------------------------------------------------------------------

    def _summary(self, snap: Snapshot, view: str, page: Page, where: str) -> None:
        tables = {t.caption: t for t in page.tables}
        if STATUS in tables:
            for row in tables[STATUS].body:
                if len(row) >= 2:
                    self._status(snap, view, row[0], row[1], f"{where} status")
        for caption, table in tables.items():
            if caption == STATUS:
                continue
            if caption == THEMES:
                self._theme_rows(snap, view, table, where)
            elif caption == BY_THEME_AND_AFFILIATION:
                snap.theme_by_affiliation = True
                labels = [self._affiliation(a) for a in (table.head[0][1:] if table.head else [])]
                snap.affiliations.update(labels)
                for row in table.body:
                    snap.themes.add(row[0])
                    for label, text in zip(labels, row[1:], strict=False):
                        self._observe(snap, Cell("X", view, (row[0], label)), text, f"{where} {caption}")
                for row in table.foot:
                    for label, text in zip(labels, row[1:], strict=False):
                        self._observe(snap, Cell("A", view, (label,)), text, f"{where} {caption} (all published)")
            elif caption == BY_AFFILIATION:
                head = [h.casefold() for h in (table.head[0] if table.head else [])]
                count = next((i for i, h in enumerate(head) if h.startswith("published")), 1)
                published = self._published(snap, view)
                share = next((i for i, h in enumerate(head) if h.startswith("share")), None)
                for row in table.body:
                    label = self._affiliation(row[0])
                    snap.affiliations.add(label)
                    cell = Cell("A", view, (label,))
                    self._observe(snap, cell, row[count], f"{where} {caption}")
                    if share is not None and share < len(row) and published is not None:
                        percent = read_share(row[share])
                        if percent is not None:
                            snap.shares.append(Share(cell, percent, published, f"{where} {caption}"))
                for row in table.foot:
                    if len(row) > count:
                        self._observe(snap, Cell("S", view, ("published",)), row[count], f"{where} {caption} total")
            elif caption == OVER_TIME:
                themes = table.head[0][1:] if table.head else []
                snap.themes.update(themes)
                for row in table.body:
                    hall = self._hall(row[0])
                    if hall is None:
                        raise Unread(f"{where}: a town hall row {row[0]!r}")
                    for theme, text in zip(themes, row[1:], strict=False):
                        self._observe(snap, Cell("T", hall, (theme,)), text, f"{where} {caption}")
            elif any(re.search(r"\d", c) for row in table.body + table.foot for c in row[1:]):
                snap.unread.append(f"{where}: table {caption!r}")
        if self.quote_counts and view != ALL and THEMES in tables:
            self._quote_counts(snap, view, tables[THEMES], page, where)
        self._quotes(snap, view, page, where)

    def _brief(self, snap: Snapshot, slug: str, page: Page, where: str) -> None:
        for label, text in page.pairs:
            self._status(snap, slug, label, text, f"{where} headline")
        for table in page.tables:
            head = [h.casefold() for h in (table.head[0] if table.head else [])]
            if head and head[0] == "theme":
                self._theme_rows(snap, slug, table, where)
            elif any(re.search(r"\d", c) for row in table.body for c in row[1:]):
                snap.unread.append(f"{where}: table {table.caption!r}")
        self._quotes(snap, slug, page, where)

    def _csv(self, snap: Snapshot, text: str) -> None:
        rows = list(csv.reader(io.StringIO(text)))
        head = [h.strip().casefold() for h in rows[0]]
        hall_col = head.index("town hall")
        theme_col = head.index("theme")
        count_col = next(i for i, h in enumerate(head) if h.startswith("published submissions"))
        approximate = "approximate" in head[count_col]
        share_col = next((i for i, h in enumerate(head) if h.startswith("share")), None)
        change_col = next((i for i, h in enumerate(head) if h.startswith("change")), None)
        # Changes are since the previous town hall with numbers (every one, on live pages).
        order = [slug for slug, _ in self.halls if slug in snap.released]
        for row in rows[1:]:
            if not row:
                continue
            label, theme = unescape(row[hall_col]), row[theme_col]
            view = ALL if label == "All town halls" else self._hall(label)
            if view is None:
                raise Unread(f"themes.csv: a town hall {label!r}")
            snap.themes.add(theme)
            cell = Cell("T", view, (theme,))
            where = f"themes.csv {label}: {theme}"
            self._observe(snap, cell, row[count_col], where, approximate=approximate)
            published = self._published(snap, view)
            if share_col is not None and published is not None:
                percent = read_share(row[share_col])
                if percent is not None:
                    snap.shares.append(Share(cell, percent, published, where))
            if change_col is not None and view in order and order.index(view) > 0:
                moved = read_change(row[change_col])
                if moved is not None:
                    before = order[order.index(view) - 1]
                    snap.changes.append(Change(cell, Cell("T", before, (theme,)), moved, where))


# ---------------------------------------------------------------------------------------------------------
# Knowledge: the snapshots as constraints.

Expr = dict  # variable key -> coefficient


@dataclass(frozen=True)
class Linear:
    expr: Expr
    lower: float | None
    upper: float | None
    why: str


@dataclass(frozen=True)
class ZeroOrAtLeast:
    expr: Expr
    k: int
    why: str


@dataclass(frozen=True)
class Group:
    """A group the reader solves for: a cell in one snapshot, or a cell's change between two."""

    label: str
    expr: Expr


@dataclass
class Knowledge:
    variables: set = field(default_factory=set)  # every unknown's key: (snapshot, kind, hall, *parts)
    constraints: list = field(default_factory=list)
    groups: list[Group] = field(default_factory=list)


def _add(a: Expr, b: Expr, scale: float = 1.0) -> Expr:
    out = dict(a)
    for key, value in b.items():
        out[key] = out.get(key, 0) + scale * value
    return {key: value for key, value in out.items() if value}


class _Builder:
    def __init__(self, halls: list[tuple[str, str]], snapshots: list[Snapshot], *, k: int, bound: int,
                 theme_cap: int, changes_between: int):
        self.halls = [slug for slug, _ in halls]
        self.titles = dict(halls)
        self.snapshots, self.k, self.bound, self.cap = snapshots, k, bound, theme_cap
        self.changes_between = changes_between
        self.themes = sorted(set().union(*(s.themes for s in snapshots)))
        self.affiliations = sorted(set().union(*(s.affiliations for s in snapshots)))
        self.crossed = any(s.theme_by_affiliation for s in snapshots)
        self.quotable = any(s.quotable for s in snapshots)
        self.know = Knowledge()

    def var(self, key: tuple) -> Expr:
        self.know.variables.add(key)
        return {key: 1}

    def expr(self, s: int, cell: Cell) -> Expr:
        """The cell as a sum of unknowns of snapshot s (all town halls: the halls whose numbers it adds up)."""
        if cell.kind == "G":
            return self.var((s, "G", cell.parts[0]))
        halls = [cell.view] if cell.view != ALL else sorted(self.snapshots[s].released)
        out: Expr = {}
        for hall in halls:
            if cell.kind == "received":
                for status in STATUS_KEYS:
                    out = _add(out, self.var((s, "S", hall, status)))
            else:
                out = _add(out, self.var((s, cell.kind, hall, *cell.parts)))
        return out

    def noise(self, s: int, cell: Cell) -> int:
        """How far from the truth a released number of this cell can be (0 on live pages)."""
        if self.snapshots[s].rules == "old":
            return 0
        # The pages' rule: every number of a town hall is one released count ("each is within ... of the true
        # count"); a number of all town halls adds up each hall's latest release.
        halls = 1 if cell.view != ALL or cell.kind == "G" else max(len(self.snapshots[s].released), 1)
        return self.bound * halls

    def add(self, expr: Expr, lower: float | None, upper: float | None, why: str) -> None:
        self.know.constraints.append(Linear(expr, lower, upper, why))

    def reading(self, s: int, cell: Cell, reading: Reading, where: str) -> None:
        expr, noise, k = self.expr(s, cell), self.noise(s, cell), self.k
        why = f"snapshot {s + 1}, {where}: {reading.text or reading.kind}"
        if reading.kind == "exact":
            self.add(expr, reading.value, reading.value, why)
        elif reading.kind == "at_least":
            self.add(expr, reading.value, None, why)
        elif reading.kind == "at_most":
            self.add(expr, None, reading.value, why)
        elif reading.kind == "small":
            self.add(expr, 1, k - 1, why)
        elif reading.kind == "zero_or_k":
            self.know.constraints.append(ZeroOrAtLeast(expr, k, why))
        elif reading.kind == "about":
            assert reading.value is not None
            self.add(expr, max(reading.value - noise, 0), reading.value + noise, why)
        elif reading.kind == "under":
            self.add(expr, None, k - 1 + noise, why)
        else:  # pragma: no cover - every kind is handled above
            raise AssertionError(reading.kind)

    def share(self, s: int, share: Share) -> None:
        """A share rounded to a whole percent of a known denominator: linear only when that is exact."""
        expr, why = self.expr(s, share.cell), f"snapshot {s + 1}, {share.where}: share {share.percent}%"
        low, high = (2 * share.percent - 1) / 200, (2 * share.percent + 1) / 200
        d = share.denominator
        if d.kind == "exact":
            assert d.value is not None
            self.add(expr, low * d.value, high * d.value, why)
        elif d.kind == "about":  # a share of released values: it bounds the released numerator
            assert d.value is not None
            noise = self.noise(s, share.cell)
            self.add(expr, max(math.ceil(low * d.value - 1e-9) - noise, 0), math.floor(high * d.value + 1e-9) + noise,
                     why)

    def change(self, s: int, change: Change) -> None:
        expr = _add(self.expr(s, change.now), self.expr(s, change.before), -1)
        noise = self.noise(s, change.now) + self.noise(s, change.before)
        self.add(expr, change.change - noise, change.change + noise,
                 f"snapshot {s + 1}, {change.where}: change {change.change:+d}")

    def cells(self, s: int) -> list[Cell]:
        """Every group of snapshot s: each status, affiliation, theme (and theme x affiliation where a page
        shows it) and received, per town hall and over all of them, and each quote's group."""
        found = []
        for view in (*self.halls, ALL):
            found.append(Cell("received", view))
            found += [Cell("S", view, (status,)) for status in STATUS_KEYS]
            found += [Cell("A", view, (a,)) for a in self.affiliations]
            found += [Cell("T", view, (t,)) for t in self.themes]
            if self.crossed:
                found += [Cell("X", view, (t, a)) for t in self.themes for a in self.affiliations]
            if self.quotable and view != ALL:
                found += [Cell("Q", view, (t,)) for t in self.themes]
        found += [Cell("G", ALL, (q,)) for q in sorted(self.snapshots[s].quotes)]
        return found

    def structure(self, s: int) -> None:
        for hall in self.halls:
            published = self.var((s, "S", hall, "published"))
            affiliations: Expr = {}
            for a in self.affiliations:
                affiliations = _add(affiliations, self.var((s, "A", hall, a)))
            self.add(_add(affiliations, published, -1), 0, 0, f"snapshot {s + 1}, {hall}: published = affiliations")
            themes: Expr = {}
            for t in self.themes:
                theme = self.var((s, "T", hall, t))
                themes = _add(themes, theme)
                self.add(_add(theme, published, -1), None, 0, f"snapshot {s + 1}, {hall}: theme <= published")
                if self.quotable:
                    self.add(_add(self.var((s, "Q", hall, t)), theme, -1), None, 0,
                             f"snapshot {s + 1}, {hall}: quotable with a theme <= the theme")
                if self.crossed:
                    crossed: Expr = {}
                    for a in self.affiliations:
                        cell = self.var((s, "X", hall, t, a))
                        crossed = _add(crossed, cell)
                        self.add(_add(cell, self.var((s, "A", hall, a)), -1), None, 0,
                                 f"snapshot {s + 1}, {hall}: theme x affiliation <= affiliation")
                    self.add(_add(crossed, theme, -1), 0, 0, f"snapshot {s + 1}, {hall}: theme = its affiliations")
            if themes:
                self.add(_add(themes, published, -self.cap), None, 0,
                         f"snapshot {s + 1}, {hall}: themes <= C x published")

    def build(self) -> Knowledge:
        for s, snap in enumerate(self.snapshots):
            self.structure(s)
            for seen in snap.observations:
                self.reading(s, seen.cell, seen.reading, seen.where)
            for share in snap.shares:
                self.share(s, share)
            for change in snap.changes:
                self.change(s, change)
            for cell in self.cells(s):
                self.know.groups.append(Group(f"snapshot {s + 1}, {cell.label(self.titles)}", self.expr(s, cell)))
        for s in range(1, len(self.snapshots)):
            before = {c for c in self.cells(s - 1)}
            for cell in self.cells(s):
                if cell not in before:
                    continue
                moved = _add(self.expr(s, cell), self.expr(s - 1, cell), -1)
                self.add(moved, -self.changes_between, self.changes_between,
                         f"snapshots {s} to {s + 1}: {cell.label(self.titles)} moves by at most {self.changes_between}")
                self.know.groups.append(Group(f"change from snapshot {s} to {s + 1}, {cell.label(self.titles)}", moved))
        return self.know


def knowledge(halls: list[tuple[str, str]], snapshots: list[Snapshot], *, k: int, bound: int, theme_cap: int,
              changes_between: int) -> Knowledge:
    """Everything the snapshots tell, as constraints over the true sizes, and the groups to solve for."""
    return _Builder(halls, snapshots, k=k, bound=bound, theme_cap=theme_cap, changes_between=changes_between).build()
