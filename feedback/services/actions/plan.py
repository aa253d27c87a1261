"""The action plan for staff: write actions, publish them, and link them to themes, town halls and submissions.

Leaders and admins may do everything; facilitators may create and edit drafts only (may_publish says who
may do more). Every change is an audit event in the same transaction. Once an action has been published
(even if it has been taken back to draft since), its status, progress and reason for "won't do" change
only through dated updates (feedback.services.actions.
updates), so the public record of each change is its timeline.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy import orm

from feedback import audit
from feedback.db import writing
from feedback.models import (
    Action,
    ActionSubmission,
    ActionTheme,
    ActionTownHall,
    ActionUpdate,
    Role,
    Submission,
    Theme,
    TownHall,
)
from feedback.sentences import Sentence
from feedback.services import content_language
from feedback.services.actions.progress import FROM_SUB_ACTIONS, PROGRESS_SOURCES, WONT_DO, Status

TITLE_MAX, OWNER_MAX = 200, 200
PUBLISHERS = frozenset({Role.ADMIN.value, Role.LEADER.value})
# Who sees and changes the internal links to submissions: those who see the desk, never leaders.
SUBMISSION_LINKERS = frozenset({Role.ADMIN.value, Role.FACILITATOR.value})
# The fields only the timeline changes once an action is published (or once an update has set them).
STATE_FIELDS = ("status", "progress", "wont_do_reason")
THEME, TOWN_HALL, SUBMISSION = "theme", "town-hall", "submission"
_LINKS = {THEME: (ActionTheme, "theme_id"), TOWN_HALL: (ActionTownHall, "town_hall_id"),
          SUBMISSION: (ActionSubmission, "submission_id")}
# Said by this module and by updates.py alike.
GONE = Sentence("That action is no longer in the plan. Reload the page.")
CHOOSE_STATUS = Sentence("Choose a status from the list.")
PROGRESS_RANGE = Sentence("Enter the progress as a whole number from 0 to 100.")


class PlanError(ValueError):
    """A change to the plan that cannot be made: each problem is (form field or "", message for staff), the
    message a Sentence the page says in the reader's language (str() of the error: the first, in English)."""

    def __init__(self, *problems: tuple[str, Sentence]) -> None:
        super().__init__(problems[0][1])
        self.problems = problems


class NotAllowed(PlanError):
    """The staff member's role may not make this change (a facilitator, on a published action)."""

    def __init__(self, message: Sentence) -> None:
        super().__init__(("", message))


@dataclass(frozen=True)
class ActionValues:
    title: str
    description: str
    owner: str  # public: an office or a role
    status: str
    progress_from: str
    progress: int  # 0 to 100, used when progress_from is manual
    parent_id: int | None
    target_on: date | None
    next_update_due: date | None
    wont_do_reason: str
    # Its texts in other languages: {"es": {"title": ..., "description": ...}} (content_language). None keeps
    # the stored ones (a caller that does not write them); given, they replace them, blank fields left out.
    versions: Mapping[str, Mapping[str, str]] | None = field(default=None)


# The texts an action may have in other languages; the form's field for one is named f"{name}_{language}"
# (title_es). Each has the base field's limit and message (the description has none, as the base one).
VERSIONED = ("title", "description")
SHORTEN_TITLE = Sentence("Shorten the title to %(max)s characters or fewer.", max=TITLE_MAX)
_LIMITS = {"title": (TITLE_MAX, SHORTEN_TITLE)}

def may_publish(role: str) -> bool:
    """Leaders and admins publish, unpublish, post updates and edit published actions; facilitators draft."""
    return role in PUBLISHERS


def may_link_submissions(role: str) -> bool:
    """Facilitators and admins see, link and unlink an action's submissions; leaders see none of them."""
    return role in SUBMISSION_LINKERS


def may_edit(action: Action, role: str) -> bool:
    return may_publish(role) or not action.published


def _require_publisher(role: str) -> None:
    if not may_publish(role):
        raise NotAllowed(Sentence("Only leaders and admins may publish or unpublish actions; facilitators write "
                                  "drafts."))


def _require_editor(action: Action, role: str) -> None:
    if not may_edit(action, role):
        raise NotAllowed(Sentence("“%(title)s” is published: only leaders and admins may change it.",
                                  title=action.title))


def get(session: orm.Session, action_id: int) -> Action | None:
    return session.get(Action, action_id)


def _action(session: orm.Session, action_id: int) -> Action:
    action = session.get(Action, action_id)
    if action is None:
        raise PlanError(("", GONE))
    return action


def sub_actions(session: orm.Session, action_id: int) -> list[Action]:
    return list(session.scalars(sa.select(Action).where(Action.parent_id == action_id).order_by(Action.id)))


def timeline_owns_state(session: orm.Session, action: Action) -> bool:
    """Whether status, progress and the "won't do" reason change only through updates now: once an action has
    been published (even if it is a draft again since) or an update has set them."""
    if action.published or action.first_published_on is not None:
        return True
    set_by_update = sa.or_(ActionUpdate.status.is_not(None), ActionUpdate.progress.is_not(None))
    return session.scalar(sa.select(sa.exists().where(ActionUpdate.action_id == action.id, set_by_update))) or False


def _due_set_by_update(session: orm.Session, action: Action) -> bool:
    """Whether an update (published or scheduled) sets the "next update due", so the field no longer decides it."""
    return session.scalar(sa.select(sa.exists().where(ActionUpdate.action_id == action.id,
                                                      ActionUpdate.next_update_due.is_not(None)))) or False


def _problems(values: ActionValues, known: Mapping[str, Status]) -> list[tuple[str, Sentence]]:
    found = []
    if not values.title:
        found.append(("title", Sentence("Enter a title for the action.")))
    elif len(values.title) > TITLE_MAX:
        found.append(("title", SHORTEN_TITLE))
    found += _version_problems(values.versions or {})
    if not values.owner:
        found.append(("owner", Sentence("Enter who is responsible: an office or a role, like “Office of the Dean”.")))
    elif len(values.owner) > OWNER_MAX:
        found.append(("owner", Sentence("Shorten the owner to %(max)s characters or fewer.", max=OWNER_MAX)))
    if values.status not in known:
        found.append(("status", CHOOSE_STATUS))
    elif values.status == WONT_DO and not values.wont_do_reason:
        found.append(("wont_do_reason", Sentence("Say why it will not be done: “won't do” needs a public reason.")))
    if values.progress_from not in PROGRESS_SOURCES:
        found.append(("progress_from", Sentence("Choose where the progress comes from.")))
    elif values.progress_from == FROM_SUB_ACTIONS and values.parent_id is not None:
        found.append(("progress_from", Sentence("A sub-action has no sub-actions of its own: choose another "
                                                "source.")))
    if not 0 <= values.progress <= 100:
        found.append(("progress", PROGRESS_RANGE))
    return found


def _version_problems(versions: Mapping[str, Mapping[str, str]]) -> list[tuple[str, Sentence]]:
    """Each version's text longer than its base field may be, on its form field (title_es)."""
    return [(f"{name}_{code}", _LIMITS[name][1]) for code, texts in versions.items()
            for name, text in texts.items() if name in _LIMITS and len(text.strip()) > _LIMITS[name][0]]


def _cleaned_versions(versions: Mapping[str, Mapping[str, str]]) -> dict[str, dict[str, str]]:
    """The versions as stored: the fields an action has, stripped, blank ones (and languages left empty) out."""
    cleaned: dict[str, dict[str, str]] = {}
    for code, texts in versions.items():
        cleaned = content_language.with_version(cleaned, code, {n: t for n, t in texts.items() if n in VERSIONED})
    return cleaned


def _parent_problems(session: orm.Session, parent_id: int | None,
                     action: Action | None) -> list[tuple[str, Sentence]]:
    """A parent is another top-level action, and an action with sub-actions cannot have one (one level)."""
    if parent_id is None:
        return []
    parent = session.get(Action, parent_id)
    if parent is None or (action is not None and parent.id == action.id):
        return [("parent", Sentence("Choose a parent action from the list."))]
    if parent.parent_id is not None:
        return [("parent", Sentence("“%(title)s” is itself a sub-action: sub-actions have no sub-actions of their "
                                    "own, so choose a top-level action.", title=parent.title))]
    if action is not None and sub_actions(session, action.id):
        return [("parent", Sentence("“%(title)s” has sub-actions, so it cannot be a sub-action itself.",
                                    title=action.title))]
    return []


def _check(session: orm.Session, values: ActionValues, known: Mapping[str, Status], action: Action | None) -> None:
    problems = _problems(values, known) + _parent_problems(session, values.parent_id, action)
    if problems:
        raise PlanError(*problems)


def create(session: orm.Session, values: ActionValues, known: Mapping[str, Status], *, role: str,
           by: audit.Actor, now: datetime, today: date) -> Action:
    """Write a new action, as a draft (anyone on the staff may draft).

    :raises PlanError: every field that does not fit, "won't do" without a reason, or a parent that is not
        a top-level action.
    """
    with writing(session):
        _check(session, values, known, None)
        action = Action(**{f.name: getattr(values, f.name) for f in fields(values) if f.name != "versions"},
                        versions=_cleaned_versions(values.versions or {}), published=False, created_on=today)
        session.add(action)
        session.flush()
        audit.record(session, by, audit.Action.ACTION_CREATED, now=now,
                     details={"action_id": action.id, "title": action.title, "parent_id": action.parent_id,
                              "role": role})
    return action


def edit(session: orm.Session, action_id: int, values: ActionValues, known: Mapping[str, Status], *, role: str,
         by: audit.Actor, now: datetime) -> list[str]:
    """Change an action's fields; returns the names of those that changed.

    :raises NotAllowed: a facilitator and a published action.
    :raises PlanError: as for create, or a status, progress or reason changed here when only an update
        may change it.
    """
    with writing(session):
        action = _action(session, action_id)
        _require_editor(action, role)
        _check(session, values, known, action)
        changed = [f.name for f in fields(values)
                   if f.name != "versions" and getattr(action, f.name) != getattr(values, f.name)]
        texts = _cleaned_versions(values.versions) if values.versions is not None else None
        if texts is not None and texts != (action.versions or {}):
            changed.append("versions")  # named, never the texts, as every field is
        if owned := [name for name in changed if name in STATE_FIELDS and timeline_owns_state(session, action)]:
            raise PlanError(*((name, Sentence("Post an update to change this: on a published action each change "
                                              "of status or progress is dated on its timeline.")) for name in owned))
        if "next_update_due" in changed and _due_set_by_update(session, action):
            raise PlanError(("next_update_due", Sentence("Post an update to move this: an update has set the next "
                                                         "update due, and the latest one in force decides it.")))
        if not changed:
            return []
        for name in changed:
            setattr(action, name, texts if name == "versions" else getattr(values, name))
        audit.record(session, by, audit.Action.ACTION_EDITED, now=now,
                     details={"action_id": action.id, "title": action.title, "changed": changed})
    return changed


def set_published(session: orm.Session, action_id: int, published: bool, *, role: str, by: audit.Actor,
                  now: datetime) -> bool:
    """Publish an action (public from now on, with its timeline's published updates) or take it back to draft.

    :returns: False when it already was in that state.
    :raises NotAllowed: a facilitator.
    :raises PlanError: a sub-action of a draft, or an action whose sub-actions are still published.
    """
    _require_publisher(role)
    with writing(session):
        action = _action(session, action_id)
        if action.published == published:
            return False
        parent = session.get(Action, action.parent_id) if action.parent_id else None
        if published and parent is not None and not parent.published:
            raise PlanError(("", Sentence("Publish “%(title)s” first: this is one of its sub-actions.",
                                          title=parent.title)))
        if not published and (shown := [s.title for s in sub_actions(session, action.id) if s.published]):
            raise PlanError(("", Sentence("Unpublish its sub-actions first: %(titles)s.",
                                          titles=", ".join(f"“{t}”" for t in shown))))
        action.published = published
        if action.first_published_on is None:
            # Set on the first publication and never cleared, so a spell as a draft cannot change its state
            # off the timeline. (An action published before this was recorded gets it when unpublished.)
            action.first_published_on = now.date()
        event = audit.Action.ACTION_PUBLISHED if published else audit.Action.ACTION_UNPUBLISHED
        audit.record(session, by, event, now=now, details={"action_id": action.id, "title": action.title})
    return True


def _target(session: orm.Session, kind: str, target: str) -> int | uuid.UUID:
    """The id of the theme, town hall or submission to link, checked to exist."""
    if kind == SUBMISSION:
        try:
            submission_id = uuid.UUID(target.strip().rstrip("/").rsplit("/", 1)[-1])
        except ValueError:
            raise PlanError(("target", Sentence("Enter the submission's id as the desk shows it, or paste the "
                                                "address of its page."))) from None
        if session.get(Submission, submission_id) is None:
            raise PlanError(("target", Sentence("No submission has that id. It may have been withdrawn.")))
        return submission_id
    found: Theme | TownHall | None = None
    if target.isdigit():
        found = session.get(Theme, int(target)) if kind == THEME else session.get(TownHall, int(target))
    if found is None or (isinstance(found, Theme) and found.archived):
        raise PlanError(("target", Sentence("Choose a theme from the list.") if kind == THEME
                         else Sentence("Choose a town hall from the list.")))
    return found.id


def set_link(session: orm.Session, action_id: int, kind: str, target: str, linked: bool, *, role: str,
             by: audit.Actor, now: datetime) -> bool:
    """Link an action to a theme or a town hall (both shown publicly) or a submission (internal only), or unlink.

    :param kind: THEME, TOWN_HALL or SUBMISSION.
    :param target: the theme's or town hall's id, or the submission's id (or the address of its desk page).
    :returns: False when it already was (or was not) linked.
    :raises NotAllowed: a facilitator and a published action; a leader and a submission (whatever its id).
    :raises PlanError: no such theme, town hall or submission.
    """
    model, column = _LINKS[kind]
    if kind == SUBMISSION and not may_link_submissions(role):
        raise NotAllowed(Sentence("Only facilitators and admins link actions to submissions."))
    with writing(session):
        action = _action(session, action_id)
        _require_editor(action, role)
        target_id = _target(session, kind, target) if linked else _unlink_target(kind, target)
        key = {"action_id": action.id, column: target_id}
        row = session.get(model, key)
        if (row is not None) == linked:
            return False
        if linked:
            session.add(model(**key))
        else:
            session.delete(row)
        session.flush()
        audit.record(session, by, audit.Action.ACTION_LINKED if linked else audit.Action.ACTION_UNLINKED, now=now,
                     submission_id=target_id if isinstance(target_id, uuid.UUID) else None,
                     details={"action_id": action.id, "kind": kind,
                              **({} if kind == SUBMISSION else {column: target_id})})
    return True


def _unlink_target(kind: str, target: str) -> int | uuid.UUID:
    try:
        return uuid.UUID(target) if kind == SUBMISSION else int(target)
    except ValueError:
        raise PlanError(("target", Sentence("That link is not on this action. Reload the page."))) from None


@dataclass(frozen=True)
class Links:
    themes: list[Theme]
    town_halls: list[TownHall]
    submission_ids: list[uuid.UUID]  # internal only


def links(session: orm.Session, action_id: int) -> Links:
    themes = session.scalars(sa.select(Theme).join(ActionTheme, ActionTheme.theme_id == Theme.id)
                             .where(ActionTheme.action_id == action_id).order_by(Theme.name))
    halls = session.scalars(sa.select(TownHall).join(ActionTownHall, ActionTownHall.town_hall_id == TownHall.id)
                            .where(ActionTownHall.action_id == action_id).order_by(TownHall.held_on.desc()))
    submissions = session.scalars(sa.select(ActionSubmission.submission_id)
                                  .where(ActionSubmission.action_id == action_id))
    return Links(list(themes), list(halls), sorted(submissions, key=str))


def parent_options(session: orm.Session, action_id: int | None = None) -> list[Action]:
    """The actions that may be a parent: top-level ones, other than the action itself."""
    query = sa.select(Action).where(Action.parent_id.is_(None)).order_by(Action.title)
    if action_id is not None:
        query = query.where(Action.id != action_id)
    return list(session.scalars(query))


def status_label(known: Mapping[str, Status], key: str) -> str:
    return known[key].label if key in known else key



def link_options(session: orm.Session, action_id: int) -> tuple[list[Theme], list[TownHall]]:
    """The themes in use and the town halls not archived that the action is not linked to yet."""
    linked_themes = sa.select(ActionTheme.theme_id).where(ActionTheme.action_id == action_id)
    linked_halls = sa.select(ActionTownHall.town_hall_id).where(ActionTownHall.action_id == action_id)
    themes = session.scalars(sa.select(Theme).where(Theme.archived.is_(False), Theme.id.not_in(linked_themes))
                             .order_by(Theme.name))
    halls = session.scalars(sa.select(TownHall).where(TownHall.status != "archived",
                                                      TownHall.id.not_in(linked_halls))
                            .order_by(TownHall.held_on.desc()))
    return list(themes), list(halls)
