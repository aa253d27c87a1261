"""The action plan's staff pages, over HTTP: who may open what, writing, publishing, linking, the timeline."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta

import pytest
import sqlalchemy as sa

from feedback.models import Action, ActionUpdate, Submission
from tests.browsing import csrf_for, post_form, text
from tests.factories import make_submission, make_theme, today
from tests.staff import staff_client
from tests.stored import details, events

PLAN = "/staff/plan"
FIELDS = {"title": "Publish the pay bands", "description": "For every grade, on the intranet.",
          "owner": "Office of HR", "status": "planned", "wont_do_reason": "", "progress_from": "status",
          "progress": "", "parent": "", "target_on": "", "next_update_due": ""}


@pytest.fixture
def admin(app):
    return staff_client(app, "admin")


def write(client, **changes):
    """Fill in "Write an action" and save it."""
    return post_form(client, f"{PLAN}/new", f"{PLAN}/new", **{**FIELDS, **changes})


def written(client, **changes) -> int:
    response = write(client, **changes)
    assert response.status_code == 302, text(response)
    return int(response.headers["Location"].rsplit("/", 1)[1])


def press(client, action_id: int, path: str, **fields):
    """Press a button or send a form on the action's page."""
    return post_form(client, f"{PLAN}/{action_id}/{path}", f"{PLAN}/{action_id}", **fields)


def post_update(client, action_id: int, update: str = "", status: str = "", progress: str = "", publish_on=None,
                **more):
    return press(client, action_id, "updates", text=update, status=status, progress=progress,
                 publish_on=(publish_on or today()).isoformat(), next_update_due="", **more)


def stored(db_session, action_id: int) -> Action:
    db_session.rollback()  # a fresh read
    return db_session.get(Action, action_id)


# --- who may open what ---

STAFF, PUBLISHERS, MODERATORS = {"admin", "facilitator", "leader"}, {"admin", "leader"}, {"admin", "facilitator"}
ROUTES = [  # endpoint, method, path (with {id} for an action), the roles that reach the view
    ("index", "GET", "", STAFF),
    ("new", "GET", "/new", STAFF),
    ("create", "POST", "/new", STAFF),
    ("show", "GET", "/{id}", STAFF),
    ("edit", "GET", "/{id}/edit", STAFF),
    ("save", "POST", "/{id}/edit", STAFF),
    ("link", "POST", "/{id}/links/theme", STAFF),
    ("unlink", "POST", "/{id}/links/theme/1/remove", STAFF),
    ("publish", "POST", "/{id}/publish", PUBLISHERS),
    ("unpublish", "POST", "/{id}/unpublish", PUBLISHERS),
    ("post_update", "POST", "/{id}/updates", PUBLISHERS),
    ("release_answers", "POST", "/answers/release", MODERATORS),
]


def test_every_plan_route_is_in_the_role_matrix(app):
    rules = {(rule.endpoint, method) for rule in app.url_map.iter_rules() if rule.endpoint.startswith("plan_staff.")
             for method in rule.methods - {"HEAD", "OPTIONS"}}
    assert rules == {(f"plan_staff.{endpoint}", method) for endpoint, method, _path, _roles in ROUTES}


@pytest.mark.parametrize(("endpoint", "method", "path", "allowed"), ROUTES)
def test_each_role_reaches_only_its_plan_routes(app, leader, facilitator, admin, endpoint, method, path, allowed):
    action_id = written(leader)
    url = PLAN + path.format(id=action_id)
    anonymous = app.test_client().open(url, method=method)
    if method == "GET":
        assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]
    else:
        assert anonymous.status_code == 401 and "Your session ended" in text(anonymous)
    for role, client in {"leader": leader, "facilitator": facilitator, "admin": admin}.items():
        # Without a CSRF token an allowed POST is refused as a bad request, never carried out.
        assert client.open(url, method=method).status_code in ({200} if method == "GET" else {400, 422}) \
            if role in allowed else {403}, (role, method, url)


def test_every_post_needs_the_csrf_token(leader, db_session):
    action_id = written(leader)
    assert leader.post(f"{PLAN}/{action_id}/publish").status_code == 400
    assert leader.post(f"{PLAN}/new", data=FIELDS).status_code == 400
    assert leader.post(f"{PLAN}/{action_id}/updates", data={"text": "Forged.",
                                                           "publish_on": today().isoformat()}).status_code == 400
    assert not stored(db_session, action_id).published
    assert db_session.scalar(sa.select(sa.func.count()).select_from(Action)) == 1
    assert db_session.scalar(sa.select(sa.func.count()).select_from(ActionUpdate)) == 0


# --- writing an action ---

def test_a_facilitator_drafts_an_action_that_the_plan_lists_as_a_draft(facilitator, db_session):
    action_id = written(facilitator, title="Publish the <b>pay</b> bands", next_update_due=(
        today() - timedelta(days=1)).isoformat())
    page = text(facilitator.get(f"{PLAN}/{action_id}"))
    assert "Saved “Publish the <b>pay</b> bands” as a draft: nothing is public until it is published." in page
    assert "Draft: seen by staff only" in page and "Update overdue" in page
    assert "Publish the &lt;b&gt;pay&lt;/b&gt; bands" in facilitator.get(PLAN).get_data(as_text=True)
    listed = text(facilitator.get(PLAN))
    assert "Office of HR" in listed and "Planned" in listed and "0%" in listed and "Draft" in listed
    assert 'class="button">Publish<' not in facilitator.get(f"{PLAN}/{action_id}").get_data(as_text=True)
    [event] = events(db_session, "action.created")
    assert details(event)["action_id"] == action_id


def test_an_action_with_problems_comes_back_filled_in_with_each_message(leader, db_session):
    response = write(leader, title="", owner="o" * 201, description="Keep what I wrote.", progress="lots",
                     target_on="next spring")
    assert response.status_code == 422
    page = text(response)
    assert "Enter the progress as a whole number from 0 to 100, like 40." in page
    assert "Enter the target date as a date, like 2026-12-01, or leave it empty." in page
    assert "Keep what I wrote." in page and "next spring" in page
    response = write(leader, title="", owner="o" * 201, description="Keep what I wrote.")
    assert response.status_code == 422
    page = text(response)
    assert "Enter a title for the action." in page and "Shorten the owner to 200 characters or fewer." in page
    assert "Keep what I wrote." in page and "o" * 201 in page and page.startswith("<!doctype html>")
    assert "<title>Error:" in page
    assert db_session.scalar(sa.select(sa.func.count()).select_from(Action)) == 0


def test_wont_do_without_a_reason_is_refused_with_the_form_kept(leader, db_session):
    response = write(leader, status="wont-do", description="We looked into it.")
    assert response.status_code == 422
    page = text(response)
    assert "Say why it will not be done: “won't do” needs a public reason." in page
    assert "We looked into it." in page and re.search(r'<option selected value="wont-do">', page)
    action_id = written(leader, status="wont-do", wont_do_reason="The budget went to the night clinic.")
    assert "The budget went to the night clinic." in text(leader.get(f"{PLAN}/{action_id}"))


def test_a_facilitator_edits_a_draft_but_not_a_published_action(leader, facilitator, db_session):
    action_id = written(facilitator)
    edited = post_form(facilitator, f"{PLAN}/{action_id}/edit", f"{PLAN}/{action_id}/edit",
                       **{**FIELDS, "title": "Publish every pay band"})
    assert edited.status_code == 302 and stored(db_session, action_id).title == "Publish every pay band"
    assert press(leader, action_id, "publish").status_code == 302
    assert facilitator.get(f"{PLAN}/{action_id}/edit").status_code == 403
    csrf = csrf_for(facilitator, f"{PLAN}/{action_id}")
    refused = facilitator.post(f"{PLAN}/{action_id}/edit", data={**FIELDS, "title": "Sneaky", "csrf_token": csrf})
    assert refused.status_code == 403
    assert "Edit the action" not in text(facilitator.get(f"{PLAN}/{action_id}"))
    assert stored(db_session, action_id).title == "Publish every pay band"


def test_a_published_actions_form_says_to_post_an_update_for_its_status(leader, db_session):
    action_id = written(leader)
    press(leader, action_id, "publish")
    page = text(leader.get(f"{PLAN}/{action_id}/edit"))
    assert "change through updates on its" in page and 'name="status"' not in page
    fields = {k: v for k, v in FIELDS.items() if k not in {"status", "progress", "wont_do_reason"}}
    saved = post_form(leader, f"{PLAN}/{action_id}/edit", f"{PLAN}/{action_id}/edit",
                      **{**fields, "owner": "Office of the Provost", "status": "done"})
    assert saved.status_code == 302
    action = stored(db_session, action_id)
    assert (action.owner, action.status) == ("Office of the Provost", "planned")


# --- publishing ---

def test_a_leader_publishes_and_unpublishes_an_action(leader, db_session):
    action_id = written(leader)
    published = press(leader, action_id, "publish")
    assert published.status_code == 302 and stored(db_session, action_id).published
    assert "Published “Publish the pay bands”: it is on the public plan" in text(leader.get(published.location))
    press(leader, action_id, "unpublish")
    assert not stored(db_session, action_id).published
    assert "is a draft again" in text(leader.get(f"{PLAN}/{action_id}"))
    assert len(events(db_session, "action.published")) == len(events(db_session, "action.unpublished")) == 1


def test_a_facilitator_cannot_publish_or_post_an_update(facilitator, db_session):
    action_id = written(facilitator)
    csrf = csrf_for(facilitator, f"{PLAN}/{action_id}/edit")
    assert facilitator.post(f"{PLAN}/{action_id}/publish", data={"csrf_token": csrf}).status_code == 403
    assert facilitator.post(f"{PLAN}/{action_id}/updates", data={"csrf_token": csrf, "text": "Hi",
                                                                 "publish_on": today().isoformat()}).status_code == 403
    assert not stored(db_session, action_id).published
    assert db_session.scalar(sa.select(sa.func.count()).select_from(ActionUpdate)) == 0
    assert "Post an update" not in text(facilitator.get(f"{PLAN}/{action_id}"))


# --- the timeline ---

def test_an_update_posted_today_moves_the_status_and_shows_on_the_timeline(leader, db_session):
    action_id = written(leader)
    response = post_update(leader, action_id, "The bands are drafted.", "in-progress")
    assert response.status_code == 302
    page = text(leader.get(f"{PLAN}/{action_id}"))
    assert "Posted the update to the timeline." in page and "The bands are drafted." in page
    assert "Status: In progress" in page and "50%" in page
    assert stored(db_session, action_id).status == "planned"  # the timeline, not the field, moved it
    [event] = events(db_session, "action.update_posted")
    assert details(event)["status"] == "in-progress"


def test_a_scheduled_update_is_marked_and_changes_nothing_until_its_day(leader, db_session):
    action_id = written(leader)
    day = today() + timedelta(days=5)
    response = post_update(leader, action_id, "Done and published.", "done", publish_on=day)
    assert response.status_code == 302
    page = text(leader.get(f"{PLAN}/{action_id}"))
    assert f"Scheduled the update: it will be public on {day.day} {day:%B %Y}." in page
    assert f"Scheduled for {day.day} {day:%B %Y}" in page and "1 scheduled" in page
    assert stored(db_session, action_id).status == "planned"
    assert "Planned" in text(leader.get(PLAN)) and "0%" in text(leader.get(PLAN))


def test_a_scheduled_next_update_due_leaves_the_public_overdue_flag_until_its_day(leader, client, db_session):
    due = today() - timedelta(days=5)
    action_id = written(leader, next_update_due=due.isoformat())
    assert press(leader, action_id, "publish").status_code == 302
    assert "update overdue" in text(client.get("/plan"))
    later, moved = today() + timedelta(days=30), today() + timedelta(days=90)
    response = press(leader, action_id, "updates", text="The bands will be published.", status="", progress="",
                     publish_on=later.isoformat(), next_update_due=moved.isoformat())
    assert response.status_code == 302
    public = text(client.get(f"/plan/{action_id}"))
    assert "update overdue" in text(client.get("/plan")) and "update overdue" in public
    assert f"Next update due{due.day} {due:%B %Y}" in re.sub(r"<[^>]+>", "", public)
    staff = re.sub(r"<[^>]+>", "", text(leader.get(f"{PLAN}/{action_id}")))
    assert f"Next update due{due.day} {due:%B %Y}" in staff and "Update overdue" in staff
    # On its day the update moves the date; the action's own field never did.
    db_session.add(ActionUpdate(action_id=action_id, written_on=today(), publish_on=today(), text="Now due later.",
                                next_update_due=moved))
    db_session.commit()
    assert "update overdue" not in text(client.get("/plan"))
    public = re.sub(r"<[^>]+>", "", text(client.get(f"/plan/{action_id}")))
    assert f"Next update due{moved.day} {moved:%B %Y}" in public
    assert stored(db_session, action_id).next_update_due == due


def test_taking_an_action_back_to_draft_does_not_let_its_status_change_off_the_timeline(leader, client,
                                                                                        db_session):
    action_id = written(leader)
    assert press(leader, action_id, "publish").status_code == 302
    assert press(leader, action_id, "unpublish").status_code == 302
    assert "Post an update" in text(leader.get(f"{PLAN}/{action_id}/edit"))
    response = post_form(leader, f"{PLAN}/{action_id}/edit", f"{PLAN}/{action_id}/edit",
                         **{**FIELDS, "status": "done"})
    assert response.status_code == 302
    assert press(leader, action_id, "publish").status_code == 302
    public = text(client.get(f"/plan/{action_id}"))
    assert "Planned" in public and "Done" not in public and "Did this help?" not in public
    assert stored(db_session, action_id).status == "planned"


def test_a_bad_update_comes_back_with_its_text_and_a_message(leader, db_session):
    action_id = written(leader)
    response = post_update(leader, action_id, "", "wont-do")
    assert response.status_code == 422
    assert "“won't do” needs a public reason" in text(response)
    response = post_update(leader, action_id, "Backdated news.", publish_on=today() - timedelta(days=3))
    assert response.status_code == 422
    page = text(response)
    assert "an update cannot be backdated" in page and "Backdated news." in page
    assert db_session.scalar(sa.select(sa.func.count()).select_from(ActionUpdate)) == 0


def test_no_route_edits_or_deletes_an_update(app, leader, db_session):
    action_id = written(leader)
    post_update(leader, action_id, "First words.")
    update_id = db_session.scalar(sa.select(ActionUpdate.id))
    timeline_rules = [rule for rule in app.url_map.iter_rules() if "updates" in rule.rule]
    assert [(rule.rule, rule.methods - {"OPTIONS"}) for rule in timeline_rules] == [
        ("/staff/plan/<int:action_id>/updates", {"POST"})]
    csrf = csrf_for(leader, f"{PLAN}/{action_id}")
    for method, path in [("POST", f"/updates/{update_id}"), ("POST", f"/updates/{update_id}/edit"),
                         ("POST", f"/updates/{update_id}/delete"), ("DELETE", "/updates"), ("PUT", "/updates"),
                         ("PATCH", "/updates")]:
        response = leader.open(f"{PLAN}/{action_id}{path}", method=method, data={"csrf_token": csrf, "text": "Gone"})
        assert response.status_code in {404, 405}, (method, path)
    db_session.rollback()
    assert [u.text for u in db_session.scalars(sa.select(ActionUpdate))] == ["First words."]
    assert "never edited or deleted" in text(leader.get(f"{PLAN}/{action_id}"))


# --- links ---

def test_a_leader_links_and_unlinks_a_theme_and_a_town_hall(leader, db_session, hall):
    theme = make_theme(db_session, "Pay and grades")
    action_id = written(leader)
    assert press(leader, action_id, "links/theme", target=str(theme.id)).status_code == 302
    assert press(leader, action_id, "links/town-hall", target=str(hall.id)).status_code == 302
    page = text(leader.get(f"{PLAN}/{action_id}"))
    assert "Pay and grades" in page and "Belonging on the wards" in page and "Unlink" in page
    assert press(leader, action_id, f"links/theme/{theme.id}/remove").status_code == 302
    assert [details(e)["kind"] for e in events(db_session, "action.linked")] == ["theme", "town-hall"]
    assert [details(e) for e in events(db_session, "action.unlinked")] == [
        {"action_id": action_id, "kind": "theme", "theme_id": theme.id}]
    refused = press(leader, action_id, "links/theme", target="")
    assert refused.status_code == 422 and "Choose a theme from the list." in text(refused)


def test_a_submission_is_linked_by_its_desk_address_and_shown_to_staff_only(app, leader, facilitator, db_session,
                                                                            ring, hall):
    receipt = make_submission(db_session, ring, hall, "My pay band is a secret.")
    action_id = written(facilitator)
    linked = press(facilitator, action_id, "links/submission",
                   target=f"http://localhost/facilitate/s/{receipt.submission_id}")
    assert linked.status_code == 302
    as_facilitator = facilitator.get(f"{PLAN}/{action_id}").get_data(as_text=True)
    assert f'href="/facilitate/s/{receipt.submission_id}"' in as_facilitator
    as_leader = leader.get(f"{PLAN}/{action_id}").get_data(as_text=True)
    assert str(receipt.submission_id) not in as_leader and "/facilitate/s/" not in as_leader
    assert "My pay band is a secret." not in as_leader and "Submissions (internal" not in as_leader
    [event] = events(db_session, "action.linked")
    assert event.submission_id == receipt.submission_id
    refused = press(facilitator, action_id, "links/submission", target="SUB-1234")
    assert refused.status_code == 422
    page = text(refused)
    assert "Enter the submission's id as the desk shows it" in page and 'value="SUB-1234"' in page


def test_a_leader_sees_no_linked_submission_and_may_neither_link_nor_unlink_one(leader, admin, db_session,
                                                                               ring, hall):
    kept, withdrawn = (make_submission(db_session, ring, hall, body) for body in ("One.", "Two."))
    action_id = written(leader)
    for receipt in (kept, withdrawn):
        assert press(admin, action_id, "links/submission", target=str(receipt.submission_id)).status_code == 302
    page = leader.get(f"{PLAN}/{action_id}").get_data(as_text=True)
    assert str(kept.submission_id) not in page and "Submissions (internal" not in page
    assert "Link submission" not in page
    db_session.execute(sa.delete(Submission).where(Submission.id == withdrawn.submission_id))
    db_session.commit()
    for target in (str(withdrawn.submission_id), str(kept.submission_id), str(uuid.uuid4())):
        refused = press(leader, action_id, "links/submission", target=target)
        assert refused.status_code == 403 and "No submission has that id" not in text(refused)
    refused = post_form(leader, f"{PLAN}/{action_id}/links/submission/{kept.submission_id}/remove",
                        f"{PLAN}/{action_id}")
    assert refused.status_code == 403
    assert [e.submission_id for e in events(db_session, "action.linked")] == [kept.submission_id,
                                                                              withdrawn.submission_id]
    assert events(db_session, "action.unlinked") == []
    assert str(kept.submission_id) in admin.get(f"{PLAN}/{action_id}").get_data(as_text=True)


def test_a_sub_action_is_added_from_its_actions_page(leader, db_session):
    parent_id = written(leader, title="Pay", progress_from="sub-actions")
    form = leader.get(f"{PLAN}/{parent_id}").get_data(as_text=True)
    assert f'href="{PLAN}/new?parent={parent_id}"' in form
    assert f'<option selected value="{parent_id}">Pay</option>' in text(leader.get(f"{PLAN}/new?parent={parent_id}"))
    child_id = written(leader, title="Bands", parent=str(parent_id), status="done")
    page = text(leader.get(f"{PLAN}/{parent_id}"))
    assert "Bands</a>:" in page and "Done, 100%, draft" in page
    assert stored(db_session, child_id).parent_id == parent_id
    assert "Add a sub-action" not in text(leader.get(f"{PLAN}/{child_id}"))
