"""A community member reads a closed town hall's response, follows an action, sends feedback on it and gets
a receipt, then sees the action from that receipt; axe on every new page."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa
from playwright.sync_api import Page, expect

from feedback import audit, clock
from feedback.models import ActionFeedback, Submission, Theme, TownHall
from feedback.services.summary import releases
from feedback.services.summary.disclosure import Mechanism
from tests.browser.steps import assert_accessible, check_receipt, read_receipt_code
from tests.factories import make_submission, make_theme, tag, today
from tests.plan_rows import add_update, make_action, publish

ACTION = "Publish the rota six weeks ahead"


@pytest.fixture
def plan(arranged, live_server):
    """The open hall took 20 concerns on Workload (published, released) and closed; one action answers it."""
    session = arranged.extensions["feedback_db"]()
    ring = arranged.extensions["feedback_keyring"]
    try:
        hall = session.scalar(sa.select(TownHall).where(TownHall.slug == live_server.open_slug))
        workload = make_theme(session, "Workload")
        ids = [make_submission(session, ring, hall, f"The rota comes too late, week {n}.").submission_id
               for n in range(20)]
        publish(session, *ids)
        for submission_id in ids:
            tag(session, submission_id, workload)
        hall.intake_closes_on = today() - timedelta(days=1)
        session.commit()
        config = arranged.config
        releases.release(session, hall, mechanism=Mechanism.from_config(config),
                         total_budget=config["SUMMARY_BUDGET"], k=config["SUMMARY_K"],
                         affiliations=list(config["AFFILIATIONS"]), by=audit.Actor(audit.SYSTEM), now=clock.now())
        action = make_action(session, ACTION, themes=[workload], halls=[hall], status="in-progress",
                             owner="Nursing directorate", next_update_due=today() + timedelta(days=14))
        add_update(session, action, "The first rota went out on time.", days_ago=3)
        make_action(session, "Build a car park", status="wont-do", wont_do_reason="The land is protected.")
        return action.id, hall.slug
    finally:
        session.close()


def test_a_member_reads_the_response_follows_an_action_and_sends_feedback(page: Page, live_server, plan):
    action_id, slug = plan
    page.goto(live_server.url(f"/t/{slug}/response"))
    expect(page.get_by_role("heading", level=1)).to_have_text("What we heard, what we are doing")
    expect(page.get_by_role("heading", name="Workload")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name=ACTION).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(ACTION)
    expect(page.get_by_text("The first rota went out on time.")).to_be_visible()
    assert_accessible(page)

    page.get_by_label("What do you think of this action?").press_sequentially("Better, but nights still change.")
    page.get_by_role("button", name="Send").click()
    code = read_receipt_code(page)
    assert_accessible(page)
    stored = live_server.stored(sa.select(Submission.body, ActionFeedback.action_id)
                                .join(ActionFeedback, ActionFeedback.submission_id == Submission.id))
    assert [tuple(row) for row in stored] == [("Better, but nights still change.", action_id)]

    check_receipt(page, live_server, code)
    expect(page.get_by_role("heading", level=1)).to_have_text("Your submission")
    expect(page.get_by_text("Better, but nights still change.")).to_be_visible()


def test_the_plan_and_a_refused_feedback_form_are_accessible(page: Page, live_server, plan):
    action_id, _slug = plan
    page.goto(live_server.url("/plan"))
    expect(page.get_by_text("The land is protected.")).to_be_visible()
    assert_accessible(page)

    page.goto(live_server.url(f"/plan/{action_id}"))
    page.get_by_role("button", name="Send").click()
    expect(page.get_by_role("alert")).to_contain_text("Write your concern before sending it.")
    assert_accessible(page)


def test_a_receipt_holder_sees_the_action_on_their_concern_s_theme(page: Page, live_server, plan, arranged):
    session = arranged.extensions["feedback_db"]()
    try:
        hall = session.scalar(sa.select(TownHall).where(TownHall.slug == live_server.open_slug))
        hall.intake_closes_on = today() + timedelta(days=3)  # open again for this concern
        session.commit()
    finally:
        session.close()
    page.goto(live_server.url(f"/t/{live_server.open_slug}"))
    page.get_by_label("Your concern").press_sequentially("The rota changes without notice.")
    page.get_by_role("button", name="Send").click()
    code = read_receipt_code(page)
    session = arranged.extensions["feedback_db"]()
    try:
        submission = session.scalar(sa.select(Submission).where(Submission.body == "The rota changes without notice."))
        tag(session, submission.id, session.scalar(sa.select(Theme).where(Theme.name == "Workload")))
        publish(session, submission.id)
    finally:
        session.close()
    check_receipt(page, live_server, code)
    expect(page.get_by_role("heading", name="What is being done")).to_be_visible()
    page.get_by_role("link", name=ACTION).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(ACTION)
    check_receipt(page, live_server, code)
    assert_accessible(page)


@pytest.mark.parametrize(("hall", "says"), [("closed_slug", "have not been released yet"),
                                            ("upcoming_slug", "What we heard comes after intake closes")])
def test_response_pages_before_any_release_are_accessible(page: Page, live_server, hall, says):
    page.goto(live_server.url(f"/t/{getattr(live_server, hall)}/response"))
    expect(page.get_by_text(says)).to_be_visible()
    assert_accessible(page)


def test_an_action_without_a_town_hall_is_accessible_and_offers_no_form(page: Page, live_server, arranged):
    session = arranged.extensions["feedback_db"]()
    try:
        action_id = make_action(session, "Light the car park", status="planned").id
    finally:
        session.close()
    page.goto(live_server.url(f"/plan/{action_id}"))
    expect(page.get_by_text("Feedback on this action opens when it is linked to a town hall.")).to_be_visible()
    expect(page.get_by_role("button", name="Send")).to_have_count(0)
    assert_accessible(page)
