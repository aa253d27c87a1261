"""Progress from a status, by hand or from sub-actions; an update is overdue only on an open action."""

from __future__ import annotations

from datetime import date, timedelta

from feedback.config import Defaults
from feedback.models import Action
from feedback.services.actions import progress

KNOWN = progress.statuses(Defaults.ACTION_STATUSES)
TODAY = date(2026, 12, 1)


def action(status: str = "planned", source: str = progress.FROM_STATUS, value: int = 0, due: date | None = None):
    return Action(title="An action", status=status, progress_from=source, progress=value, next_update_due=due,
                  created_on=TODAY)


def test_progress_comes_from_the_status_unless_the_status_keeps_it():
    assert progress.progress(action("in-progress"), [], KNOWN) == 50
    assert progress.progress(action("done"), [], KNOWN) == 100
    assert progress.progress(action("on-hold", value=30), [], KNOWN) == 30


def test_progress_set_by_hand_is_kept_within_0_and_100():
    assert progress.progress(action("done", progress.MANUAL, 40), [], KNOWN) == 40
    assert progress.progress(action(source=progress.MANUAL, value=140), [], KNOWN) == 100


def test_progress_from_sub_actions_is_their_mean():
    parent = action(source=progress.FROM_SUB_ACTIONS)
    assert progress.progress(parent, [], KNOWN) == 0
    assert progress.progress(parent, [action("done"), action("planned"), action("in-progress")], KNOWN) == 50


def test_an_update_is_overdue_once_its_date_has_passed_on_an_open_action():
    assert progress.overdue(action(due=TODAY - timedelta(days=1)), TODAY)
    assert not progress.overdue(action(due=TODAY), TODAY)
    assert not progress.overdue(action("done", due=TODAY - timedelta(days=30)), TODAY)
    assert not progress.overdue(action("wont-do", due=TODAY - timedelta(days=30)), TODAY)
    assert not progress.overdue(action(), TODAY)
