"""An action's status and progress: the configured statuses, where progress comes from, and "update overdue"."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from feedback.models import Action

DONE, WONT_DO = "done", "wont-do"
MANUAL, FROM_STATUS, FROM_SUB_ACTIONS = "manual", "status", "sub-actions"
PROGRESS_SOURCES = (MANUAL, FROM_STATUS, FROM_SUB_ACTIONS)
FINISHED = frozenset({DONE, WONT_DO})  # no update is due once an action is done or will not be done


@dataclass(frozen=True)
class Status:
    key: str
    label: str
    progress: int | None  # the progress an action takes from this status; None: it keeps its own


def statuses(configured: Iterable[Mapping[str, Any]]) -> dict[str, Status]:
    """ACTION_STATUSES (checked by feedback.config) by key, in the configured order."""
    return {s["key"]: Status(s["key"], s["label"], s["progress"]) for s in configured}


def progress(action: Action, sub_actions: Sequence[Action], known: Mapping[str, Status]) -> int:
    """0 to 100: set by hand, taken from the status (or kept, for a status without one), or the mean of
    the sub-actions' own progress (0 while there are none)."""
    if action.progress_from == FROM_SUB_ACTIONS:
        if not sub_actions:
            return 0
        return round(sum(progress(s, [], known) for s in sub_actions) / len(sub_actions))
    if action.progress_from == FROM_STATUS:
        status = known.get(action.status)
        if status is not None and status.progress is not None:
            return status.progress
    return max(0, min(100, action.progress))


def overdue(action: Action, today: date) -> bool:
    """Its "next update due" date has passed and it is still open: the plan shows "update overdue"."""
    return action.next_update_due is not None and action.next_update_due < today and action.status not in FINISHED
