"""The action plan for leadership: beside the summary's themes, in the brief, a quarter's report, a CSV.

Everything here reads the public plan (feedback.services.actions.public): published actions only, each
where updates.standing puts it on the day, updates from their publish date. So a leader sees what the
public sees, never a draft, a scheduled update before its day, or an internal link to a submission.
The report and the CSV are exports, each an audit event recorded before anything is shown or streamed.
"""

from __future__ import annotations

import functools
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy import orm

from feedback import audit
from feedback.models import Action, ActionTheme, ActionTownHall, Theme, TownHall
from feedback.sentences import Sentence
from feedback.services.actions import public
from feedback.services.actions.progress import Status
from feedback.services.actions.public import PublicAction, PublicUpdate
from feedback.spreadsheet import csv_lines

QUARTER_PATTERN = re.compile(r"(\d{4})-Q([1-4])")
# Column headers as Sentences: the view writes them in the reader's language; the cells stay as they are.
ACTION_HEADERS = [Sentence("row"), Sentence("action id"), Sentence("action"), Sentence("step of"),
                  Sentence("public owner"), Sentence("status"), Sentence("progress (%)"), Sentence("target date"),
                  Sentence("next update due"), Sentence("update overdue"), Sentence("themes"), Sentence("town halls"),
                  Sentence("update date"), Sentence("update status"), Sentence("update progress (%)"),
                  Sentence("update text")]
ACTION_COLUMNS = [str(header) for header in ACTION_HEADERS]  # in English
ACTION_ROW, UPDATE_ROW = "action", "update"


@dataclass(frozen=True, order=True)
class Quarter:
    year: int
    number: int  # 1 to 4

    @property
    def label(self) -> str:
        return f"{self.year}-Q{self.number}"

    @property
    def months(self) -> str:
        return f"{self.first:%B} to {self.last:%B} {self.year}"

    @property
    def first(self) -> date:
        return date(self.year, 3 * self.number - 2, 1)

    @property
    def last(self) -> date:
        return self.following().first - timedelta(days=1)

    def following(self) -> Quarter:
        return Quarter(self.year + 1, 1) if self.number == 4 else Quarter(self.year, self.number + 1)

    def preceding(self) -> Quarter:
        return Quarter(self.year - 1, 4) if self.number == 1 else Quarter(self.year, self.number - 1)


def quarter_of(day: date) -> Quarter:
    return Quarter(day.year, (day.month - 1) // 3 + 1)


def parse_quarter(text: str) -> Quarter | None:
    """"2026-Q4" as a Quarter; None for anything else."""
    found = QUARTER_PATTERN.fullmatch(text)
    if found is None or int(found[1]) < 1000:
        return None
    return Quarter(int(found[1]), int(found[2]))


class _Published:
    """The published plan on a day: its top-level actions in the plan's order, and who stands for whom."""

    def __init__(self, db: orm.Session, today: date, known: Mapping[str, Status]) -> None:
        groups = public.plan(db, today, known)
        top: dict[int, PublicAction] = {}
        self.by_theme: dict[str, list[PublicAction]] = {}
        for group in groups:
            if group.theme is not None:
                self.by_theme[group.theme] = group.actions
            top.update((a.id, a) for a in group.actions)
        self.actions = sorted(top.values(), key=lambda a: (a.title, a.id))
        self.top_of = {a.id: a.id for a in self.actions} | {s.id: a.id for a in self.actions for s in a.sub_actions}

    def among(self, ids: Iterable[int]) -> list[PublicAction]:
        """The top-level actions among ids (a sub-action stands for its parent), each once, in the plan's order."""
        wanted = {self.top_of[i] for i in ids if i in self.top_of}
        return [a for a in self.actions if a.id in wanted]


def by_theme(db: orm.Session, today: date, known: Mapping[str, Status]) -> dict[str, list[PublicAction]]:
    """The published actions answering each theme, by theme name (names are unique), as the public plan has them."""
    return _Published(db, today, known).by_theme


def for_brief(db: orm.Session, slug: str, theme_names: Iterable[str], today: date,
              known: Mapping[str, Status]) -> list[PublicAction]:
    """The published actions linked to the town hall or answering one of these themes, in the plan's order."""
    found = _Published(db, today, known)
    linked = db.scalars(sa.select(ActionTownHall.action_id).join(TownHall, TownHall.id == ActionTownHall.town_hall_id)
                        .where(TownHall.slug == slug))
    on_themes = [a.id for name in theme_names for a in found.by_theme.get(name, [])]
    return found.among([*linked, *on_themes])


@dataclass(frozen=True)
class ReportRow:
    action: PublicAction
    updates: list[PublicUpdate]  # published within the quarter, oldest first
    steps: list[ReportRow]  # its sub-actions


@dataclass(frozen=True)
class QuarterReport:
    quarter: Quarter
    as_of: date  # where the actions stood: the quarter's last day, or today for the current quarter
    rows: list[ReportRow]
    updates: int  # updates published within the quarter
    overdue: int  # actions (and steps) whose update was overdue on as_of
    preceding: Quarter
    following: Quarter | None  # None: it has not started yet


def _existing(db: orm.Session, on: date) -> set[int]:
    """The actions created on or before the day (a past quarter's report leaves out the later ones)."""
    return set(db.scalars(sa.select(Action.id).where(Action.created_on <= on)))


def quarter_report(db: orm.Session, quarter: Quarter, today: date, known: Mapping[str, Status]) -> QuarterReport | None:
    """The published plan as it stood at the end of the quarter (today, for the current one), with the
    updates published within it; None for a quarter that has not started."""
    if quarter.first > today:
        return None
    as_of = min(quarter.last, today)
    existing = _existing(db, as_of)
    within: dict[int, list[PublicUpdate]] = defaultdict(list)
    for update in reversed(public.published_updates(db, as_of, known)):  # oldest first
        if quarter.first <= update.on:
            within[update.action_id].append(update)

    def row(action: PublicAction) -> ReportRow:
        return ReportRow(action, within[action.id], [row(s) for s in action.sub_actions if s.id in existing])

    rows = [row(a) for a in _Published(db, as_of, known).actions if a.id in existing]
    shown = [r for top in rows for r in [top, *top.steps]]
    following = quarter.following()
    return QuarterReport(quarter, as_of, rows, sum(len(r.updates) for r in shown),
                         sum(1 for r in shown if r.action.overdue), quarter.preceding(),
                         following if following.first <= today else None)


def report(db: orm.Session, quarter: Quarter, today: date, known: Mapping[str, Status], *, by: audit.Actor,
           now: datetime) -> QuarterReport | None:
    """A quarter's printable report, recorded as an export; None (and nothing recorded) before it starts."""
    found = quarter_report(db, quarter, today, known)
    if found is not None:
        audit.record_now(db, by, audit.Action.EXPORT_PLAN_REPORT, now=now, details={"quarter": quarter.label})
    return found


def _iso(day: date | None) -> str:
    return day.isoformat() if day else ""


def action_rows(session: orm.Session, *, today: date, known: Mapping[str, Status],
                columns: list[str] = ACTION_COLUMNS) -> Iterator[str]:
    """CSV lines: each published action (its steps after it), each followed by its published updates, oldest first.

    Updates scheduled after today, drafts and links to submissions never appear. columns: the header line, in
    the reader's language.
    """
    plan = _Published(session, today, known)
    actions = [a for top in plan.actions for a in [top, *top.sub_actions]]
    parents = {s.id: top.title for top in plan.actions for s in top.sub_actions}
    themes, halls = _theme_names(session, [a.id for a in actions]), _hall_names(session, [a.id for a in actions])
    updates: dict[int, list[PublicUpdate]] = defaultdict(list)
    for update in reversed(public.published_updates(session, today, known)):
        updates[update.action_id].append(update)
    yield from csv_lines([columns])
    for action in actions:
        common = [action.id, action.title, parents.get(action.id, "")]
        yield from csv_lines([[ACTION_ROW, *common, action.owner, action.status_label, action.progress,
                               _iso(action.target_on), _iso(action.next_update_due), "yes" if action.overdue else "no",
                               themes.get(action.id, ""), halls.get(action.id, ""), "", "", "", ""]])
        yield from csv_lines([[UPDATE_ROW, *common, "", "", "", "", "", "", "", "", _iso(u.on), u.status_label or "",
                               "" if u.progress is None else u.progress, u.text] for u in updates[action.id]])


def _theme_names(db: orm.Session, ids: list[int]) -> dict[int, str]:
    return _joined(db, sa.select(ActionTheme.action_id, Theme.name).join(Theme, Theme.id == ActionTheme.theme_id)
                   .where(ActionTheme.action_id.in_(ids)).order_by(Theme.name))


def _hall_names(db: orm.Session, ids: list[int]) -> dict[int, str]:
    return _joined(db, sa.select(ActionTownHall.action_id, TownHall.title)
                   .join(TownHall, TownHall.id == ActionTownHall.town_hall_id)
                   .where(ActionTownHall.action_id.in_(ids)).order_by(TownHall.held_on, TownHall.title))


def _joined(db: orm.Session, query: sa.Select) -> dict[int, str]:
    """(action id, name) rows as "name; name" per action, in the query's order."""
    found: dict[int, list[str]] = defaultdict(list)
    for action_id, name in db.execute(query):
        found[action_id].append(name)
    return {action_id: "; ".join(names) for action_id, names in found.items()}


def export_actions(session: orm.Session, *, today: date, known: Mapping[str, Status], by: audit.Actor,
                   now: datetime, columns: list[str] = ACTION_COLUMNS):
    """Record the export of the plan's actions and updates, then return what streams it (action_rows)."""
    audit.record_now(session, by, audit.Action.EXPORT_ACTIONS_CSV, now=now, details={"on": today.isoformat()})
    return functools.partial(action_rows, today=today, known=dict(known), columns=columns)

