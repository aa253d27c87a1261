"""Writing the action plan: actions and their checks, who may do what, publishing, links; every change audited."""

from __future__ import annotations

import dataclasses
import uuid
from datetime import timedelta

import pytest

from feedback import audit, clock
from feedback.config import Defaults
from feedback.models import Action
from feedback.services.actions import plan, updates
from feedback.services.actions.progress import FROM_SUB_ACTIONS, MANUAL, statuses
from tests.factories import make_submission, make_theme, make_town_hall
from tests.stored import details, events

KNOWN = statuses(Defaults.ACTION_STATUSES)
LEADER, FACILITATOR, ADMIN = "leader", "facilitator", "admin"
BY = audit.Actor("leader@example.org", None)
VALUES = plan.ActionValues(title="Publish the pay bands", description="For every grade.", owner="Office of HR",
                           status="planned", progress_from="status", progress=0, parent_id=None, target_on=None,
                           next_update_due=None, wont_do_reason="")


def create(session, role: str = LEADER, **changes) -> Action:
    return plan.create(session, dataclasses.replace(VALUES, **changes), KNOWN, role=role, by=BY, now=clock.now(),
                       today=clock.today())


def edit(session, action: Action, role: str = LEADER, **changes) -> list[str]:
    return plan.edit(session, action.id, dataclasses.replace(VALUES, **changes), KNOWN, role=role, by=BY,
                     now=clock.now())


def publish(session, action: Action, published: bool = True, role: str = LEADER) -> bool:
    return plan.set_published(session, action.id, published, role=role, by=BY, now=clock.now())


def problems(raised: pytest.ExceptionInfo) -> dict[str, str]:
    return {field: str(message) for field, message in raised.value.problems}  # each a Sentence: its English


# --- writing an action ---

def test_a_new_action_is_a_draft_dated_today_and_audited(db_session):
    action = create(db_session, FACILITATOR, target_on=clock.today())
    assert (action.published, action.created_on, action.owner) == (False, clock.today(), "Office of HR")
    [event] = events(db_session, "action.created")
    assert details(event) == {"action_id": action.id, "title": "Publish the pay bands", "parent_id": None,
                              "role": "facilitator"}


def test_every_problem_with_an_action_is_named_at_once(db_session):
    with pytest.raises(plan.PlanError) as raised:
        create(db_session, title="", owner="o" * 201, status="someday", progress_from="guess", progress=101)
    assert problems(raised) == {
        "title": "Enter a title for the action.",
        "owner": "Shorten the owner to 200 characters or fewer.",
        "status": "Choose a status from the list.",
        "progress_from": "Choose where the progress comes from.",
        "progress": "Enter the progress as a whole number from 0 to 100.",
    }
    assert events(db_session, "action.created") == []


def test_an_action_needs_someone_responsible(db_session):
    with pytest.raises(plan.PlanError) as raised:
        create(db_session, owner="")
    assert "an office or a role" in problems(raised)["owner"]


def test_wont_do_is_refused_without_a_public_reason(db_session):
    with pytest.raises(plan.PlanError) as raised:
        create(db_session, status="wont-do")
    assert problems(raised) == {"wont_do_reason": "Say why it will not be done: “won't do” needs a public reason."}
    action = create(db_session, status="wont-do", wont_do_reason="The budget went to the clinic instead.")
    assert action.wont_do_reason == "The budget went to the clinic instead."


def test_sub_actions_are_one_level_deep(db_session):
    parent = create(db_session, title="Pay", progress_from=FROM_SUB_ACTIONS)
    child = create(db_session, title="Bands", parent_id=parent.id)
    with pytest.raises(plan.PlanError) as raised:
        create(db_session, title="Grandchild", parent_id=child.id)
    assert "“Bands” is itself a sub-action" in problems(raised)["parent"]
    with pytest.raises(plan.PlanError) as raised:
        edit(db_session, parent, title="Pay", parent_id=create(db_session, title="Other").id,
             progress_from="status")
    assert problems(raised)["parent"] == "“Pay” has sub-actions, so it cannot be a sub-action itself."
    with pytest.raises(plan.PlanError) as raised:
        edit(db_session, parent, title="Pay", parent_id=parent.id, progress_from="status")
    assert problems(raised)["parent"] == "Choose a parent action from the list."
    with pytest.raises(plan.PlanError) as raised:
        create(db_session, title="Sub with subs", parent_id=parent.id, progress_from=FROM_SUB_ACTIONS)
    assert "A sub-action has no sub-actions" in problems(raised)["progress_from"]


def test_editing_records_which_fields_changed(db_session):
    action = create(db_session)
    assert edit(db_session, action, title="Publish every pay band", progress_from=MANUAL, progress=30) == [
        "title", "progress_from", "progress"]
    assert edit(db_session, action, title="Publish every pay band", progress_from=MANUAL, progress=30) == []
    [event] = events(db_session, "action.edited")
    assert details(event) == {"action_id": action.id, "title": "Publish every pay band",
                              "changed": ["title", "progress_from", "progress"]}


# --- who may do what ---

@pytest.mark.parametrize("role", [LEADER, ADMIN])
def test_leaders_and_admins_may_publish(role):
    assert plan.may_publish(role)


def test_facilitators_may_not_publish_unpublish_or_edit_a_published_action(db_session):
    assert not plan.may_publish(FACILITATOR)
    draft = create(db_session, FACILITATOR)
    assert edit(db_session, draft, FACILITATOR, title="Renamed by the facilitator") == ["title"]
    with pytest.raises(plan.NotAllowed, match="Only leaders and admins may publish"):
        publish(db_session, draft, role=FACILITATOR)
    publish(db_session, draft)
    with pytest.raises(plan.NotAllowed, match="is published: only leaders and admins may change it"):
        edit(db_session, draft, FACILITATOR, title="Renamed again")
    with pytest.raises(plan.NotAllowed):
        publish(db_session, draft, False, role=FACILITATOR)
    with pytest.raises(plan.NotAllowed):
        plan.set_link(db_session, draft.id, plan.THEME, str(make_theme(db_session).id), True, role=FACILITATOR,
                      by=BY, now=clock.now())
    db_session.expire_all()
    assert (db_session.get(Action, draft.id).title, db_session.get(Action, draft.id).published) == (
        "Renamed by the facilitator", True)


# --- publishing ---

def test_publishing_and_unpublishing_are_audited_once_each(db_session):
    action = create(db_session)
    assert publish(db_session, action) is True
    assert publish(db_session, action) is False
    assert publish(db_session, action, False) is True
    assert [details(e) for e in events(db_session, "action.published")] == [
        {"action_id": action.id, "title": "Publish the pay bands"}]
    assert len(events(db_session, "action.unpublished")) == 1


def test_a_sub_action_is_published_after_its_action_and_unpublished_before_it(db_session):
    parent = create(db_session, title="Pay")
    child = create(db_session, title="Bands", parent_id=parent.id)
    with pytest.raises(plan.PlanError, match="Publish “Pay” first"):
        publish(db_session, child)
    publish(db_session, parent)
    publish(db_session, child)
    with pytest.raises(plan.PlanError, match="Unpublish its sub-actions first: “Bands”."):
        publish(db_session, parent, False)


def test_a_published_actions_status_changes_only_through_an_update(db_session):
    action = create(db_session)
    assert edit(db_session, action, status="in-progress") == ["status"]  # a draft: the form sets it
    publish(db_session, action)
    with pytest.raises(plan.PlanError) as raised:
        edit(db_session, action, status="done")
    assert "Post an update to change this" in problems(raised)["status"]
    assert edit(db_session, action, status="in-progress", owner="Office of the Provost") == ["owner"]


def test_once_an_update_set_the_status_the_form_of_a_draft_cannot_either(db_session):
    action = create(db_session)
    updates.post(db_session, action.id, updates.NewUpdate("Started.", "in-progress", None, clock.today()), KNOWN,
                 role=LEADER, by=BY, now=clock.now(), today=clock.today())
    with pytest.raises(plan.PlanError, match="Post an update"):
        edit(db_session, action, status="done")



def test_once_published_the_state_stays_the_timelines_even_back_in_draft(db_session):
    action = create(db_session)
    assert publish(db_session, action)
    assert action.first_published_on == clock.today()
    assert publish(db_session, action, False) and not action.published
    assert action.first_published_on == clock.today()  # never cleared
    assert plan.timeline_owns_state(db_session, action)
    with pytest.raises(plan.PlanError, match="Post an update"):
        edit(db_session, action, status="done")
    assert edit(db_session, action, owner="Office of the Dean") == ["owner"]

def test_once_an_update_set_the_next_update_due_only_an_update_moves_it(db_session):
    action = create(db_session)
    later = clock.today() + timedelta(days=60)
    updates.post(db_session, action.id, updates.NewUpdate("Next news in June.", None, None, clock.today(),
                                                          next_update_due=later), KNOWN,
                 role=LEADER, by=BY, now=clock.now(), today=clock.today())
    with pytest.raises(plan.PlanError, match="Post an update to move this"):
        edit(db_session, action, next_update_due=clock.today() + timedelta(days=1))
    assert edit(db_session, action, title="Publish every pay band") == ["title"]

# --- links ---

def test_links_to_themes_town_halls_and_submissions_are_audited_and_undone(db_session, ring):
    action = create(db_session)
    theme, hall = make_theme(db_session, "Pay"), make_town_hall(db_session, "Pay and grades")
    receipt = make_submission(db_session, ring, hall, "My band is a secret.")

    def link(kind: str, target: str, linked: bool = True) -> bool:
        return plan.set_link(db_session, action.id, kind, target, linked, role=ADMIN, by=BY, now=clock.now())

    assert link(plan.THEME, str(theme.id)) and link(plan.TOWN_HALL, str(hall.id))
    assert link(plan.SUBMISSION, f"https://feedback.example.org/facilitate/s/{receipt.submission_id}")
    assert link(plan.THEME, str(theme.id)) is False
    found = plan.links(db_session, action.id)
    assert ([t.name for t in found.themes], [h.title for h in found.town_halls], found.submission_ids) == (
        ["Pay"], ["Pay and grades"], [receipt.submission_id])
    assert plan.link_options(db_session, action.id) == ([], [])
    linked = events(db_session, "action.linked")
    assert [details(e) for e in linked] == [{"action_id": action.id, "kind": "theme", "theme_id": theme.id},
                                            {"action_id": action.id, "kind": "town-hall", "town_hall_id": hall.id},
                                            {"action_id": action.id, "kind": "submission"}]
    assert linked[2].submission_id == receipt.submission_id
    assert link(plan.SUBMISSION, str(receipt.submission_id), False) and link(plan.THEME, str(theme.id), False)
    assert link(plan.THEME, str(theme.id), False) is False
    assert len(events(db_session, "action.unlinked")) == 2
    assert plan.links(db_session, action.id).submission_ids == []


def test_a_link_to_something_that_is_not_there_says_so(db_session):
    action = create(db_session)
    archived = make_theme(db_session, "Old", archived=True)
    cases = {(plan.THEME, str(archived.id)): "Choose a theme from the list.",
             (plan.TOWN_HALL, "999"): "Choose a town hall from the list.",
             (plan.SUBMISSION, "not an id"): "Enter the submission's id as the desk shows it",
             (plan.SUBMISSION, str(uuid.uuid4())): "No submission has that id."}
    for (kind, target), message in cases.items():
        with pytest.raises(plan.PlanError) as raised:
            plan.set_link(db_session, action.id, kind, target, True, role=ADMIN, by=BY, now=clock.now())
        assert problems(raised)["target"].startswith(message)
    assert events(db_session, "action.linked") == []


def test_a_leader_may_not_link_or_unlink_a_submission_nor_learn_whether_one_exists(db_session, ring):
    action = create(db_session)
    receipt = make_submission(db_session, ring, make_town_hall(db_session, "Pay and grades"), "My band.")
    plan.set_link(db_session, action.id, plan.SUBMISSION, str(receipt.submission_id), True, role=ADMIN, by=BY,
                  now=clock.now())
    for target, linked in ((str(uuid.uuid4()), True), ("not an id", True), (str(receipt.submission_id), False)):
        with pytest.raises(plan.NotAllowed, match="Only facilitators and admins"):
            plan.set_link(db_session, action.id, plan.SUBMISSION, target, linked, role=LEADER, by=BY,
                          now=clock.now())
    assert plan.links(db_session, action.id).submission_ids == [receipt.submission_id]
    assert len(events(db_session, "action.linked")) == 1 and events(db_session, "action.unlinked") == []
