"""The action plan as the public sees it: published actions only, updates from their publish date.

Nothing here reads a draft action, a sub-action of a draft, an update before its publish_on, or the
internal links from actions to submissions. Where an action stands on a day (status, progress, the
reason for "won't do", the "next update due") is feedback.services.actions.updates.standing, the staff
pages' own rule, so a scheduled change shows from its date only. Counts on the response page are the
town hall's released numbers (feedback.services.summary.counts), never live counts.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time

import sqlalchemy as sa
from feedgen.feed import FeedGenerator
from sqlalchemy import orm

from feedback.models import (
    Action,
    ActionTheme,
    ActionTownHall,
    ActionUpdate,
    Submission,
    SubmissionStatus,
    Tagging,
    Theme,
    TownHall,
)
from feedback.sentences import PluralSentence, Sentence
from feedback.services import content_language
from feedback.services.actions import plan as plan_service
from feedback.services.actions import updates as dated
from feedback.services.actions.progress import Status
from feedback.services.summary import counts
from feedback.services.summary.disclosure import Cell

# The receipt status page is padded to one size (feedback.padding) whatever the submitter wrote; what it
# shows of the plan is bounded so the page stays under that size: so many themes and actions, titles cut.
RECEIPT_THEMES, RECEIPT_ACTIONS, RECEIPT_TITLE_MAX = 3, 5, 60


@dataclass(frozen=True)
class HallLink:
    slug: str
    title: str
    held_on: date


@dataclass(frozen=True)
class PublicAction:
    id: int
    title: str
    description: str
    owner: str
    status: str
    status_label: str
    wont_do_reason: str  # only for a won't-do action, else ""
    progress: int
    target_on: date | None
    next_update_due: date | None
    overdue: bool
    last_update_on: date | None  # the newest published update's date
    sub_actions: tuple[PublicAction, ...] = ()


@dataclass(frozen=True)
class PublicUpdate:
    id: int
    action_id: int
    action_title: str
    on: date  # its publish date: the day it became public
    text: str
    status_label: str | None  # the status it moved the action to
    progress: int | None  # the manual progress it set


@dataclass(frozen=True)
class PlanGroup:
    theme: str | None  # None: actions linked to no theme
    actions: list[PublicAction]


@dataclass(frozen=True)
class ActionPage:
    action: PublicAction
    timeline: list[PublicUpdate]  # newest first
    themes: list[str]
    town_halls: list[HallLink]
    feedback_hall: HallLink | None  # where feedback on it is stored; None: no form
    parent: PublicAction | None = None  # for a sub-action: the action it is a step of


@dataclass(frozen=True)
class HeardQuote:
    text: str
    raised_by: Sentence | PluralSentence | None  # "Raised by about N people" or "by several"; None: one submission


@dataclass(frozen=True)
class HeardTheme:
    name: str
    raised_by: Sentence | PluralSentence  # the released count in words: "Raised by about N people."
    quotes: list[HeardQuote]
    actions: list[PublicAction]


@dataclass(frozen=True)
class ResponsePage:
    town_hall: TownHall
    state: str  # the intake state today: only a closed hall shows what was heard
    released_on: date | None  # None: its numbers were never released
    themes: list[HeardTheme]
    other_actions: list[PublicAction]  # linked to the town hall, not under a theme shown above


@dataclass(frozen=True)
class BeingDone:
    themes: list[str]  # the concern's live themes, names cut to fit the page
    actions: list[PublicAction]  # published actions on those themes, titles cut, most recently updated first
    more: int  # how many more actions there are on those themes (see the plan)


class _Plan:
    """Every published action (a sub-action only under a published parent) with its public updates."""

    def __init__(self, db: orm.Session, today: date, known: Mapping[str, Status]) -> None:
        self.today, self.known = today, known
        actions = list(db.scalars(sa.select(Action).where(Action.published.is_(True))
                                  .order_by(Action.title, Action.id)))
        parents = {a.id for a in actions if a.parent_id is None}
        self.actions = {a.id: a for a in actions if a.parent_id is None or a.parent_id in parents}
        self.updates: dict[int, list[ActionUpdate]] = defaultdict(list)
        if self.actions:
            for update in db.scalars(sa.select(ActionUpdate).where(ActionUpdate.action_id.in_(list(self.actions)))):
                self.updates[update.action_id].append(update)
        self.children: dict[int, list[Action]] = defaultdict(list)
        for a in self.actions.values():
            if a.parent_id is not None:
                self.children[a.parent_id].append(a)
        self._built: dict[int, PublicAction] = {}

    def public(self, action_id: int) -> PublicAction:
        if action_id in self._built:
            return self._built[action_id]
        action, children = self.actions[action_id], self.children[action_id]
        stand = dated.standing(action, self.updates[action_id], [(c, self.updates[c.id]) for c in children],
                                 self.known, self.today)
        built = PublicAction(
            id=action.id, title=content_language.of(action, "title"),
            description=content_language.of(action, "description"), owner=action.owner,
            status=stand.state.status, status_label=plan_service.status_label(self.known, stand.state.status),
            wont_do_reason=stand.state.wont_do_reason, progress=stand.progress, target_on=action.target_on,
            next_update_due=stand.state.next_update_due, overdue=stand.overdue,
            last_update_on=stand.state.last_update_on,
            sub_actions=tuple(self.public(c.id) for c in children))
        self._built[action_id] = built
        return built

    def top_level(self, ids: Iterable[int]) -> list[PublicAction]:
        """The actions among ids, each once, a sub-action standing for its parent, in the plan's order."""
        wanted = {self.actions[i].parent_id or i for i in ids if i in self.actions}
        return [self.public(a.id) for a in self.actions.values() if a.id in wanted]

    def timeline(self, action_id: int) -> list[PublicUpdate]:
        """The action's published updates, newest first."""
        title = content_language.of(self.actions[action_id], "title")
        return [PublicUpdate(u.id, action_id, title, u.publish_on, u.text,
                             plan_service.status_label(self.known, u.status) if u.status else None, u.progress)
                for u in dated.published(self.updates[action_id], self.today)]


def _theme_links(db: orm.Session, action_ids: Iterable[int]) -> list[tuple[int, int, str]]:
    """(action id, theme id, theme name with its versions) for the given actions, by theme name."""
    ids = list(action_ids)
    if not ids:
        return []
    return [(action_id, theme_id, _theme_name(name, versions)) for action_id, theme_id, name, versions in db.execute(
        sa.select(ActionTheme.action_id, Theme.id, Theme.name, Theme.versions)
        .join(Theme, Theme.id == ActionTheme.theme_id)
        .where(ActionTheme.action_id.in_(ids)).order_by(Theme.name, Theme.id))]


def _theme_name(name: str, versions: content_language.Versions | None) -> str:
    """A theme's name that carries its names in other languages (content_language.Versioned)."""
    return content_language.versioned(name, versions, "name")


def _theme_names(db: orm.Session, theme_ids: Iterable[int]) -> dict[int, content_language.Versions]:
    """The versions of the given themes, by id."""
    ids = list(theme_ids)
    if not ids:
        return {}
    return {theme_id: versions or {} for theme_id, versions in db.execute(
        sa.select(Theme.id, Theme.versions).where(Theme.id.in_(ids)))}


def plan(db: orm.Session, today: date, known: Mapping[str, Status]) -> list[PlanGroup]:
    """The published plan by theme (by name), then the actions linked to no theme; sub-actions under their parent."""
    found = _Plan(db, today, known)
    top = [a for a in found.actions.values() if a.parent_id is None]
    by_theme: dict[tuple[str, int], list[int]] = defaultdict(list)
    themed: set[int] = set()
    for action_id, theme_id, name in _theme_links(db, (a.id for a in top)):
        by_theme[(name, theme_id)].append(action_id)
        themed.add(action_id)
    groups = [PlanGroup(name, found.top_level(ids)) for (name, _), ids in by_theme.items()]
    others = [a.id for a in top if a.id not in themed]
    return groups + ([PlanGroup(None, found.top_level(others))] if others else [])


def action_page(db: orm.Session, action_id: int, today: date, known: Mapping[str, Status]) -> ActionPage | None:
    """A published action's page; None for a draft, a sub-action of a draft, or no such action."""
    found = _Plan(db, today, known)
    if action_id not in found.actions:
        return None
    halls, parent_id = _town_halls(db, action_id), found.actions[action_id].parent_id
    return ActionPage(action=found.public(action_id), timeline=found.timeline(action_id),
                      themes=[name for _, _, name in _theme_links(db, [action_id])], town_halls=halls,
                      feedback_hall=halls[0] if halls else None, parent=found.public(parent_id) if parent_id else None)


def _town_halls(db: orm.Session, action_id: int) -> list[HallLink]:
    """The active town halls an action is linked to, the most recently held first."""
    return [HallLink(h.slug, content_language.of(h, "title"), h.held_on) for h in db.scalars(
        sa.select(TownHall).join(ActionTownHall, ActionTownHall.town_hall_id == TownHall.id)
        .where(ActionTownHall.action_id == action_id, TownHall.status == "active")
        .order_by(TownHall.held_on.desc(), TownHall.id.desc()))]


def feedback_town_hall(db: orm.Session, action_id: int) -> HallLink | None:
    """The town hall that holds feedback on a published action: its most recently held linked town hall.

    Feedback on an action is taken whatever that town hall's intake window (the plan outlives intake);
    None when the action is not public or is linked to no active town hall (its page then has no form).
    """
    action = db.get(Action, action_id)
    parent = db.get(Action, action.parent_id) if action is not None and action.parent_id is not None else None
    if action is None or not action.published or (parent is not None and not parent.published):
        return None
    halls = _town_halls(db, action_id)
    return halls[0] if halls else None


def published_updates(db: orm.Session, today: date, known: Mapping[str, Status]) -> list[PublicUpdate]:
    """Every published update of the published plan, newest first (for the feed)."""
    found = _Plan(db, today, known)
    updates = [u for action_id in found.actions for u in found.timeline(action_id)]
    return sorted(updates, key=lambda u: (u.on, u.id), reverse=True)


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def atom(updates: list[PublicUpdate], *, title: str, feed_url: str, plan_url: str,
         action_url: Callable[[int], str], today: date, say: Callable[[Sentence], str] = str,
         language: str | None = None) -> bytes:
    """An Atom feed of the updates, each linking to its action; dates only (midnight UTC), no time of day.

    say words the feed's own sentences (entry titles, a status change without text) in the reader's language,
    whose code is language; the updates' status labels come already in it.
    """
    feed = FeedGenerator()
    feed.id(feed_url)
    feed.title(title)
    if language:
        feed.language(language)
    feed.link(href=plan_url, rel="alternate")
    feed.link(href=feed_url, rel="self")
    feed.updated(_midnight(updates[0].on if updates else today))
    for update in reversed(updates):  # feedgen puts the entry added last first
        entry = feed.add_entry()
        entry.id(f"{action_url(update.action_id)}#update-{update.id}")
        entry.title(say(Sentence("%(action)s: %(status)s", action=update.action_title, status=update.status_label)
                        if update.status_label else Sentence("%(action)s: update", action=update.action_title)))
        entry.link(href=action_url(update.action_id))
        entry.updated(_midnight(update.on))
        entry.published(_midnight(update.on))
        entry.content(update.text or say(Sentence("Status: %(status)s", status=update.status_label)), type="text")
    return feed.atom_str(pretty=True)


def _theme_raised_by(cell: Cell) -> Sentence | PluralSentence:
    """How many raised a theme, in words: about its released count, or "fewer than k" when that is under k."""
    if cell.shown:
        return PluralSentence("Raised by about %(num)s person.", "Raised by about %(num)s people.", cell.value or 0)
    if cell.released:
        return PluralSentence("Raised by fewer than %(num)s person.", "Raised by fewer than %(num)s people.", cell.k)
    return Sentence("The number of people who raised it has not been released yet.")


def _quote(quote: counts.Quote) -> HeardQuote:
    """A quote, captioned with the released size of the group it leads ("several" when that is under k)."""
    group = quote.raised_by
    if group is None:
        return HeardQuote(quote.text, None)
    if group.shown:
        return HeardQuote(quote.text, PluralSentence("Raised by about %(num)s person", "Raised by about %(num)s people",
                                                     group.value or 0))
    return HeardQuote(quote.text, Sentence("Raised by several people"))


def response(db: orm.Session, slug: str, today: date, known: Mapping[str, Status], *, k: int,
             affiliations: list[str]) -> ResponsePage | None:
    """What was heard at a town hall (its released numbers and quotes) and the actions on each theme.

    Themes are shown when their released count is at least k, or when actions answer them. None for no
    active town hall at that slug.
    """
    hall = db.scalar(sa.select(TownHall).where(TownHall.slug == slug, TownHall.status == "active"))
    if hall is None:
        return None
    state = hall.intake_state(today)
    found = _Plan(db, today, known)
    by_theme: dict[int, list[int]] = defaultdict(list)
    for action_id, theme_id, _ in _theme_links(db, found.actions):
        by_theme[theme_id].append(action_id)
    heard = counts.summary(db, slug, k=k, affiliations=affiliations, today=today) if state == "closed" else None
    released_on = heard.town_hall.released_on if heard and heard.town_hall else None
    rows = heard.themes if heard and released_on else []
    versions = _theme_names(db, (row.theme.id for row in rows))
    themes = [HeardTheme(_theme_name(row.theme.name, versions.get(row.theme.id)), _theme_raised_by(row.count),
                         [_quote(q) for q in row.quotes], actions)
              for row in rows if (actions := found.top_level(by_theme[row.theme.id])) or row.count.shown]
    under_themes = {a.id for t in themes for a in t.actions}
    linked = db.scalars(sa.select(ActionTownHall.action_id).where(ActionTownHall.town_hall_id == hall.id))
    others = [a for a in found.top_level(linked) if a.id not in under_themes]
    return ResponsePage(hall, state, released_on, themes, others)


def being_done(db: orm.Session, submission_id: uuid.UUID, today: date, known: Mapping[str, Status]) -> BeingDone:
    """For a receipt holder: their concern's themes (once it is published) and the published actions on them.

    Bounded (RECEIPT_THEMES, RECEIPT_ACTIONS, RECEIPT_TITLE_MAX) so the padded status page keeps its size.
    """
    themes = list(db.execute(
        sa.select(Theme.id, Theme.name, Theme.versions).join(Tagging, Tagging.theme_id == Theme.id)
        .join(Submission, Submission.id == Tagging.submission_id)
        .where(Tagging.submission_id == submission_id, Submission.status == SubmissionStatus.PUBLISHED.value,
               Theme.archived.is_(False), Theme.merged_into_id.is_(None))
        .order_by(Theme.name, Theme.id)))
    if not themes:
        return BeingDone([], [], 0)
    found = _Plan(db, today, known)
    theme_ids = {theme_id for theme_id, _, _ in themes}
    on_themes = [action_id for action_id, theme_id, _ in _theme_links(db, found.actions) if theme_id in theme_ids]
    actions = sorted(found.top_level(on_themes), key=lambda a: (a.last_update_on or date.min, -a.id), reverse=True)
    shown = [replace(a, title=content_language.cut(a.title, RECEIPT_TITLE_MAX), description="", wont_do_reason="",
                     sub_actions=()) for a in actions[:RECEIPT_ACTIONS]]
    names = [content_language.cut(_theme_name(name, versions), 40) for _, name, versions in themes[:RECEIPT_THEMES]]
    return BeingDone(names, shown, max(len(actions) - RECEIPT_ACTIONS, 0))
