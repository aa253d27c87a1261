"""A receipt holder checks their receipt, sees the done action on their concern's theme and answers "Did this
help?"; the action's own page asks it too; staff release the answers and a leader reads them. axe on each page."""

from __future__ import annotations

import time

import sqlalchemy as sa
from playwright.sync_api import Page, expect

from feedback.models import HelpAnswer, Submission, Theme
from tests.browser.steps import assert_accessible, check_receipt, log_in_to_staff_home, send_concern
from tests.factories import make_theme, tag
from tests.plan_rows import make_action, publish
from tests.staff import make_staff

ACTION = "Open a staff nursery"
CONCERN = "Nobody can cover the early shift with children at home."


def done_action(arranged, *, tag_body: str | None = None) -> int:
    """A done action on the theme Childcare; with tag_body, that concern is tagged Childcare and published."""
    session = arranged.extensions["feedback_db"]()
    try:
        theme = session.scalar(sa.select(Theme).where(Theme.name == "Childcare")) or make_theme(session, "Childcare")
        action = make_action(session, ACTION, themes=[theme], status="done", owner="Estates")
        if tag_body:
            submission = session.scalar(sa.select(Submission).where(Submission.body == tag_body))
            tag(session, submission.id, theme)
            publish(session, submission.id)
        return action.id
    finally:
        session.close()


def test_a_receipt_holder_answers_did_this_help_about_the_action_on_their_theme(page: Page, live_server, arranged):
    code = send_concern(page, live_server, CONCERN)
    done_action(arranged, tag_body=CONCERN)

    check_receipt(page, live_server, code)
    expect(page.get_by_role("heading", name="What is being done")).to_be_visible()
    expect(page.get_by_role("link", name=ACTION)).to_be_visible()
    assert_accessible(page)

    page.get_by_role("button", name="Did this help? Answer").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Did this help?")
    expect(page.get_by_text(f"“{ACTION}” is done.")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("button", name="Send your answer").click()  # no answer chosen
    expect(page.get_by_role("alert")).to_contain_text("Choose one answer")
    assert_accessible(page)

    page.get_by_label("Somewhat").check()
    page.get_by_label("Anything to add?").press_sequentially("Two places is not enough.")
    page.get_by_role("button", name="Send your answer").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your submission")
    expect(page.get_by_role("status")).to_contain_text("your answer to “Did this help?” was stored")
    expect(page.get_by_role("button", name="Did this help? Answer")).to_have_count(0)
    assert_accessible(page)
    stored = live_server.stored(sa.select(HelpAnswer.answer, HelpAnswer.comment, HelpAnswer.receipt_hash.is_not(None)))
    assert [tuple(row) for row in stored] == [("somewhat", "Two places is not enough.", True)]


def test_a_done_action_s_page_asks_and_thanks_and_staff_read_the_released_answers(page: Page, live_server,
                                                                                   arranged):
    action_id = done_action(arranged)
    page.goto(live_server.url(f"/plan/{action_id}"))
    expect(page.get_by_role("heading", name="Did this help?")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("It helped").check()
    page.get_by_role("button", name="Send your answer").click()
    expect(page.get_by_role("status")).to_contain_text("your answer was stored")
    assert_accessible(page)

    make_staff(arranged, "facilitator")
    log_in_to_staff_home(page, live_server, "facilitator@example.org")
    page.goto(live_server.url("/staff/plan"))
    page.get_by_role("button", name="Release answers").click()
    expect(page.get_by_text("Released the answers")).to_be_visible()
    assert_accessible(page)
    page.goto(live_server.url(f"/staff/plan/{action_id}"))
    expect(page.get_by_role("heading", name="Answers so far (exact: facilitators and admins only)")).to_be_visible()
    assert_accessible(page)

    page.context.clear_cookies()
    make_staff(arranged, "leader")
    log_in_to_staff_home(page, live_server, "leader@example.org")
    page.goto(live_server.url(f"/staff/plan/{action_id}"))
    expect(page.get_by_text("Released on")).to_be_visible()
    expect(page.get_by_text("Answers so far")).to_have_count(0)
    assert_accessible(page)


def wait_until(page: Page, condition, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out waiting"
        page.wait_for_timeout(25)


def test_pressing_send_your_answer_again_while_the_first_is_on_its_way_stores_one_answer(page: Page, live_server,
                                                                                          arranged):
    action_id = done_action(arranged)
    live_server.post_delay = 0.75  # a slow connection: the person presses again before the thanks arrives
    page.goto(live_server.url(f"/plan/{action_id}"))
    page.get_by_label("No", exact=True).check()
    page.get_by_label("Anything to add?").press_sequentially("Not for night shifts.")
    send = page.get_by_role("button", name="Send your answer")
    send.scroll_into_view_if_needed()
    box = send.bounding_box()
    assert box is not None
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.click(x, y)  # the mouse, not a locator: a locator would wait for the first navigation
    wait_until(page, lambda: live_server.posts_received == 1)
    page.mouse.click(x, y)
    wait_until(page, lambda: live_server.posts_answered == 2)
    expect(page.get_by_role("status")).to_contain_text("your answer was stored")
    live_server.post_delay = 0
    stored = live_server.stored(sa.select(HelpAnswer.answer, HelpAnswer.comment))
    assert [tuple(row) for row in stored] == [("no", "Not for night shifts.")]
