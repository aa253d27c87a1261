"""An action's timeline: updates dated today, scheduled ones that change nothing until their day, append-only."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

import pytest

from feedback import audit, clock
from feedback.config import Defaults
from feedback.models import Action, ActionUpdate
from feedback.services.actions import plan, updates
from feedback.services.actions.progress import FROM_SUB_ACTIONS, MANUAL, statuses
from tests.stored import details, events

KNOWN = statuses(Defaults.ACTION_STATUSES)
BY = audit.Actor("leader@example.org", None)
TODAY = clock.today()
VALUES = plan.ActionValues(title="Publish the pay bands", description="", owner="Office of HR", status="planned",
                           progress_from="status", progress=0, parent_id=None, target_on=None,
                           next_update_due=None, wont_do_reason="")


def create(session, **changes) -> Action:
    return plan.create(session, dataclasses.replace(VALUES, **changes), KNOWN, role="leader", by=BY,
                       now=clock.now(), today=TODAY)


def post(session, action: Action, text: str = "", status: str | None = None, progress: int | None = None,
         publish_on=TODAY, role: str = "leader", **more) -> ActionUpdate:
    return updates.post(session, action.id, updates.NewUpdate(text, status, progress, publish_on, **more), KNOWN,
                        role=role, by=BY, now=clock.now(), today=TODAY)


def problems(raised: pytest.ExceptionInfo) -> dict[str, str]:
    return {field: str(message) for field, message in raised.value.problems}  # each a Sentence: its English


def standing(session, action: Action, day=TODAY) -> updates.Standing:
    session.rollback()  # a fresh read
    action = session.get(Action, action.id)
    subs = [(s, updates.timeline(session, s.id)) for s in plan.sub_actions(session, action.id)]
    return updates.standing(action, updates.timeline(session, action.id), subs, KNOWN, day)


def test_an_update_publishing_today_is_dated_today_and_moves_the_action_at_once(db_session):
    action = create(db_session, next_update_due=TODAY - timedelta(days=3))
    assert standing(db_session, action).overdue
    update = post(db_session, action, "Work has started.", "in-progress", next_update_due=TODAY + timedelta(days=30))
    assert (update.written_on, update.publish_on) == (TODAY, TODAY)
    now = standing(db_session, action)
    assert (now.state.status, now.progress, now.overdue) == ("in-progress", 50, False)
    assert (now.state.last_update_on, now.state.next_update_due) == (TODAY, TODAY + timedelta(days=30))
    # The action's own fields keep the state it was written with: the update is the record of the change.
    assert (now.action.status, now.action.next_update_due) == ("planned", TODAY - timedelta(days=3))
    [event] = events(db_session, "action.update_posted")
    assert details(event) == {"action_id": action.id, "update_id": update.id, "publish_on": TODAY.isoformat(),
                              "status": "in-progress", "progress": None,
                              "next_update_due": (TODAY + timedelta(days=30)).isoformat()}


def test_a_scheduled_update_changes_nothing_until_its_day(db_session):
    action = create(db_session)
    on = TODAY + timedelta(days=7)
    post(db_session, action, "Done: the bands are on the intranet.", "done", publish_on=on)
    before = standing(db_session, action)
    assert (before.action.status, before.state.status, before.progress, before.scheduled) == ("planned", "planned",
                                                                                            0, 1)
    assert before.state.last_update_on is None
    assert updates.published(updates.timeline(db_session, action.id), TODAY) == []
    after = standing(db_session, action, on)
    assert (after.state.status, after.progress, after.scheduled, after.state.last_update_on) == ("done", 100, 0, on)


def test_the_latest_published_update_wins_over_an_earlier_one_and_the_field(db_session):
    action = create(db_session, progress_from=MANUAL)
    post(db_session, action, progress=20)
    post(db_session, action, progress=90, publish_on=TODAY + timedelta(days=2))
    post(db_session, action, progress=40)
    assert standing(db_session, action).progress == 40
    assert standing(db_session, action, TODAY + timedelta(days=2)).progress == 90


def test_a_scheduled_next_update_due_is_in_force_from_its_publish_date_only(db_session):
    due, on, moved = TODAY - timedelta(days=5), TODAY + timedelta(days=30), TODAY + timedelta(days=90)
    action = create(db_session, next_update_due=due)
    post(db_session, action, "The bands will be published.", publish_on=on, next_update_due=moved)
    now = standing(db_session, action)
    assert (now.state.next_update_due, now.overdue) == (due, True)
    assert now.action.next_update_due == due
    later = standing(db_session, action, on)
    assert (later.state.next_update_due, later.overdue) == (moved, False)


def test_a_past_day_stands_where_the_updates_published_by_then_put_it(db_session):
    action = create(db_session, status="planned", next_update_due=TODAY + timedelta(days=3))
    post(db_session, action, "Started.", "in-progress")
    post(db_session, action, "Will not do it.", "wont-do", publish_on=TODAY + timedelta(days=10),
         next_update_due=TODAY + timedelta(days=40))
    yesterday = standing(db_session, action, TODAY - timedelta(days=1))
    assert (yesterday.state.status, yesterday.progress, yesterday.state.last_update_on) == ("planned", 0, None)
    assert standing(db_session, action).state.status == "in-progress"
    last = standing(db_session, action, TODAY + timedelta(days=10))
    assert (last.state.status, last.state.wont_do_reason, last.state.next_update_due) == (
        "wont-do", "Will not do it.", TODAY + timedelta(days=40))


def test_wont_do_in_an_update_needs_its_text_which_becomes_the_public_reason(db_session):
    action = create(db_session)
    with pytest.raises(plan.PlanError) as raised:
        post(db_session, action, status="wont-do")
    assert "“won't do” needs a public reason" in problems(raised)["text"]
    post(db_session, action, "The clinic needed the budget more.", "wont-do", publish_on=TODAY + timedelta(days=1))
    now = standing(db_session, action)
    assert (now.state.status, now.state.wont_do_reason) == ("planned", "")
    assert now.action.wont_do_reason == ""  # the field is never written by an update
    later = standing(db_session, action, TODAY + timedelta(days=1))
    assert (later.state.status, later.state.wont_do_reason, later.overdue) == (
        "wont-do", "The clinic needed the budget more.", False)


def test_an_update_with_problems_is_refused_with_each_one_named(db_session):
    action = create(db_session)
    with pytest.raises(plan.PlanError) as raised:
        post(db_session, action)
    assert problems(raised) == {"text": "Write the update, or choose a new status or progress."}
    with pytest.raises(plan.PlanError) as raised:
        post(db_session, action, "x" * 5001, "someday", 40, publish_on=TODAY - timedelta(days=1))
    assert problems(raised) == {
        "text": "Shorten the update to 5,000 characters or fewer.",
        "status": "Choose a status from the list.",
        "progress": "This action's progress comes from its status or its sub-actions. To set it by hand, edit "
                    "the action and choose “set by hand” first.",
        "publish_on": "Choose today or a later day: an update cannot be backdated.",
    }
    assert updates.timeline(db_session, action.id) == []
    assert events(db_session, "action.update_posted") == []


def test_facilitators_may_not_post_updates(db_session):
    action = create(db_session)
    with pytest.raises(plan.NotAllowed, match="Only leaders and admins may post updates"):
        post(db_session, action, "A facilitator's note.", role="facilitator")
    assert updates.timeline(db_session, action.id) == []


def test_progress_from_sub_actions_follows_their_own_timelines(db_session):
    parent = create(db_session, title="Pay", progress_from=FROM_SUB_ACTIONS)
    first = create(db_session, title="Bands", parent_id=parent.id)
    create(db_session, title="Audit", parent_id=parent.id)
    post(db_session, first, status="done", publish_on=TODAY + timedelta(days=1))
    assert standing(db_session, parent).progress == 0
    assert standing(db_session, parent, TODAY + timedelta(days=1)).progress == 50


def test_the_overview_lists_each_action_with_its_sub_actions(db_session):
    parent = create(db_session, title="Pay")
    create(db_session, title="Bands", parent_id=parent.id)
    create(db_session, title="Childcare")
    rows = updates.overview(db_session, KNOWN, TODAY)
    assert [(row.action.title, [sub.action.title for sub in subs]) for row, subs in rows] == [
        ("Childcare", []), ("Pay", ["Bands"])]


def test_the_timeline_has_no_way_to_change_or_remove_an_update():
    public = {name for name in vars(updates) if not name.startswith("_") and callable(getattr(updates, name))}
    verbs = ("edit", "change", "delete", "remove", "update_", "amend", "retract")
    assert not [name for name in public if name.startswith(verbs)]
