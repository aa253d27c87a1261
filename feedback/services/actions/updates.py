"""An action's timeline: dated updates, posted by leaders and admins, never edited or deleted.

An update may change the status, the (manual) progress or the "next update due", and may be scheduled to
publish on a later day. The rule is applied when the plan is read, never by a job: on any day an action
stands where its latest update published by then (publish_on that day or before) put it, and where no
update has yet, where its own fields say. Updates never write into the action's fields, so those keep the
state it was written with and a past day's state (a past quarter's report) is the state of that day.
Every reader of status, progress, the "won't do" reason or the "next update due" goes through state() or
standing(). There is deliberately no function here that changes or removes an update.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy import orm

from feedback import audit
from feedback.db import writing
from feedback.models import Action, ActionUpdate
from feedback.sentences import Sentence
from feedback.services.actions import progress
from feedback.services.actions.plan import CHOOSE_STATUS, GONE, PROGRESS_RANGE, NotAllowed, PlanError, get, may_publish
from feedback.services.actions.progress import MANUAL, WONT_DO, Status

TEXT_MAX = 5000


@dataclass(frozen=True)
class NewUpdate:
    text: str
    status: str | None  # None: no change
    progress: int | None  # None: no change
    publish_on: date
    next_update_due: date | None = None  # moves the action's "next update due" from publish_on, when given


@dataclass(frozen=True)
class State:
    """Where an action stands on a day: from its latest published updates, else its own fields."""

    status: str
    manual_progress: int
    wont_do_reason: str
    last_update_on: date | None  # the publish date of its latest published update
    next_update_due: date | None = None  # from its latest published update that set one, else its own field


def timeline(session: orm.Session, action_id: int) -> list[ActionUpdate]:
    """Every update of an action, scheduled ones included, newest (by publish date) first."""
    return list(session.scalars(sa.select(ActionUpdate).where(ActionUpdate.action_id == action_id)
                                .order_by(ActionUpdate.publish_on.desc(), ActionUpdate.id.desc())))


def published(updates: Sequence[ActionUpdate], today: date) -> list[ActionUpdate]:
    """The updates public on this day, newest first."""
    return sorted((u for u in updates if u.publish_on <= today), key=lambda u: (u.publish_on, u.id), reverse=True)


def state(action: Action, updates: Sequence[ActionUpdate], today: date) -> State:
    """Where the action stands today; updates scheduled for a later day change nothing yet."""
    shown = published(updates, today)
    by_status = next((u for u in shown if u.status is not None), None)
    by_progress = next((u for u in shown if u.progress is not None), None)
    status, reason = action.status, action.wont_do_reason
    if by_status is not None and by_status.status is not None:
        status, reason = by_status.status, by_status.text
    manual = by_progress.progress if by_progress is not None and by_progress.progress is not None else action.progress
    due = next((u.next_update_due for u in shown if u.next_update_due is not None), action.next_update_due)
    return State(status, manual, reason if status == WONT_DO else "", shown[0].publish_on if shown else None, due)


def as_of(action: Action, current: State) -> Action:
    """A detached copy of the action with its state of the day, for progress.progress and progress.overdue."""
    return Action(id=action.id, title=action.title, status=current.status, progress_from=action.progress_from,
                  progress=current.manual_progress, next_update_due=current.next_update_due,
                  wont_do_reason=current.wont_do_reason, published=action.published, created_on=action.created_on)


def _problems(action: Action, new: NewUpdate, known: Mapping[str, Status],
              today: date) -> list[tuple[str, Sentence]]:
    found = []
    if not new.text and new.status is None and new.progress is None:
        found.append(("text", Sentence("Write the update, or choose a new status or progress.")))
    if len(new.text) > TEXT_MAX:
        found.append(("text", Sentence("Shorten the update to %(max)s characters or fewer.",
                                       max=TEXT_MAX)))
    if new.status is not None and new.status not in known:
        found.append(("status", CHOOSE_STATUS))
    if new.status == WONT_DO and not new.text:
        found.append(("text", Sentence("Say why it will not be done: “won't do” needs a public reason, and the "
                                       "update's text is it.")))
    if new.progress is not None and not 0 <= new.progress <= 100:
        found.append(("progress", PROGRESS_RANGE))
    elif new.progress is not None and action.progress_from != MANUAL:
        found.append(("progress", Sentence("This action's progress comes from its status or its sub-actions. To "
                                           "set it by hand, edit the action and choose “set by hand” first.")))
    if new.publish_on < today:
        found.append(("publish_on", Sentence("Choose today or a later day: an update cannot be backdated.")))
    return found


def post(session: orm.Session, action_id: int, new: NewUpdate, known: Mapping[str, Status], *, role: str,
         by: audit.Actor, now: datetime, today: date) -> ActionUpdate:
    """Add an update to the action's timeline, written today; its changes are in force from its publish_on.

    :raises NotAllowed: a facilitator.
    :raises PlanError: an empty update, an unknown status, "won't do" without its reason, a progress out of
        range or for an action whose progress is not set by hand, or a publish date in the past.
    """
    if not may_publish(role):
        raise NotAllowed(Sentence("Only leaders and admins may post updates; facilitators write drafts."))
    with writing(session):
        action = get(session, action_id)
        if action is None:
            raise PlanError(("", GONE))
        if problems := _problems(action, new, known, today):
            raise PlanError(*problems)
        update = ActionUpdate(action_id=action.id, written_on=today, publish_on=new.publish_on, text=new.text,
                              status=new.status, progress=new.progress, next_update_due=new.next_update_due)
        session.add(update)
        session.flush()
        audit.record(session, by, audit.Action.ACTION_UPDATE_POSTED, now=now,
                     details={"action_id": action.id, "update_id": update.id, "publish_on": new.publish_on.isoformat(),
                              "status": new.status, "progress": new.progress,
                              "next_update_due": new.next_update_due.isoformat() if new.next_update_due else None})
    return update


@dataclass(frozen=True)
class Standing:
    """An action as the plan shows it on a day."""

    action: Action
    state: State
    progress: int
    overdue: bool
    scheduled: int  # updates not yet published


def standing(action: Action, updates: Sequence[ActionUpdate], subs: Sequence[tuple[Action, Sequence[ActionUpdate]]],
             known: Mapping[str, Status], today: date) -> Standing:
    """The action's state, progress (from its sub-actions' own states when it takes it from them) and flags."""
    today_state = state(action, updates, today)
    current = as_of(action, today_state)
    sub_states = [as_of(sub, state(sub, sub_updates, today)) for sub, sub_updates in subs]
    return Standing(action, today_state, progress.progress(current, sub_states, known),
                    progress.overdue(current, today), sum(1 for u in updates if u.publish_on > today))


def overview(session: orm.Session, known: Mapping[str, Status], today: date) -> list[tuple[Standing, list[Standing]]]:
    """Every action, drafts included: top-level ones by title, each with its sub-actions."""
    actions = list(session.scalars(sa.select(Action).order_by(Action.title, Action.id)))
    updates: dict[int, list[ActionUpdate]] = {a.id: [] for a in actions}
    for update in session.scalars(sa.select(ActionUpdate)):
        updates[update.action_id].append(update)
    children: dict[int, list[Action]] = {}
    for action in actions:
        if action.parent_id is not None:
            children.setdefault(action.parent_id, []).append(action)

    def one(action: Action) -> Standing:
        subs = [(sub, updates[sub.id]) for sub in children.get(action.id, [])]
        return standing(action, updates[action.id], subs, known, today)

    return [(one(a), [one(s) for s in children.get(a.id, [])]) for a in actions if a.parent_id is None]
