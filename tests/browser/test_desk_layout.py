"""The desk at 1280 x 800 as a facilitator meets it: text that reads, bulk actions in reach, a header on one line."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa
from playwright.sync_api import Page, expect

from feedback.models import Submission
from tests.browser.steps import assert_accessible, assert_no_third_party_requests, log_in_to_staff_home
from tests.factories import make_submission, make_theme
from tests.staff import make_staff

DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 375, "height": 740}
ADMIN = "ada@example.org"
SHORT = "Handover runs late every day, nobody is paid for the extra half hour, and the ward manager says it is " \
        "part of the job. We have raised it at three staff meetings since the spring and nothing has changed yet."


@pytest.fixture
def desk(page: Page, live_server, arranged):
    """Thirty pending submissions (short ones and one long one), two themes, and Ada Admin logged in at 1280 px."""
    session = arranged.extensions["feedback_db"]()
    try:
        make_theme(session, "Pay")
        make_theme(session, "Safety")
        hall = live_server.open_hall(session)
        ring = arranged.extensions["feedback_keyring"]
        for n in range(29):
            make_submission(session, ring, hall, f"{n}: {SHORT}")
        make_submission(session, ring, hall, "The long one. " + "It goes on and on. " * 40)
    finally:
        session.close()
    make_staff(arranged, "admin", ADMIN, "Ada Admin")
    page.set_viewport_size(DESKTOP)
    log_in_to_staff_home(page, live_server, ADMIN)
    page.goto(live_server.url(f"/facilitate/{live_server.open_slug}"))
    expect(page.get_by_role("heading", level=1)).to_have_text(live_server.open_title)
    return page


def boxes(page: Page):
    return page.get_by_role("checkbox", name=re.compile(r"^Select submission from"))


def in_viewport(page: Page, locator) -> bool:
    box = locator.bounding_box()
    viewport = page.viewport_size
    return box is not None and box["y"] >= 0 and box["y"] + box["height"] <= viewport["height"]


def statuses(server) -> list[str]:
    return sorted(status for (status,) in server.stored(sa.select(Submission.status)))


def test_the_bulk_actions_are_in_view_at_the_top_of_the_list_and_stay_there_while_scrolling(desk: Page):
    publish = desk.get_by_role("button", name="Publish selected")
    first_row = boxes(desk).first
    assert in_viewport(desk, publish), publish.bounding_box()
    assert publish.bounding_box()["y"] < first_row.bounding_box()["y"]  # above the list, not under it

    boxes(desk).last.scroll_into_view_if_needed()
    desk.mouse.wheel(0, 400)
    expect(boxes(desk).last).to_be_in_viewport()
    assert in_viewport(desk, publish), publish.bounding_box()
    assert in_viewport(desk, desk.get_by_role("button", name="Hide selected"))
    assert in_viewport(desk, desk.get_by_text("Tag selected with…", exact=True))


def test_b_goes_to_the_bulk_actions_and_the_hint_says_so(desk: Page, live_server):
    expect(desk.get_by_text("B goes to the bulk actions.")).to_be_visible()
    desk.keyboard.press("j")
    desk.keyboard.press("Space")
    desk.keyboard.press("j")
    desk.keyboard.press("Space")
    for _ in range(20):
        desk.keyboard.press("j")  # far down the list

    desk.keyboard.press("b")

    publish = desk.get_by_role("button", name="Publish selected")
    expect(publish).to_be_focused()
    assert in_viewport(desk, publish)
    desk.keyboard.press("Enter")
    expect(desk.get_by_role("status").filter(has_text="2 submissions published.")).to_be_visible()
    assert statuses(live_server).count("published") == 2


def test_k_up_the_list_never_leaves_the_focused_row_under_the_sticky_bulk_bar(desk: Page):
    for _ in range(20):
        desk.keyboard.press("j")  # far down the list
    bar = desk.locator(".bulk-bar").first
    for _ in range(12):
        desk.keyboard.press("k")  # back up: each row comes in at the top, under the bar
        row = desk.locator("tr", has=desk.locator("input:focus"))
        assert row.bounding_box()["y"] >= bar.bounding_box()["y"] + bar.bounding_box()["height"] - 1, (
            row.bounding_box(), bar.bounding_box())


def test_a_bulk_action_is_undone_from_the_desk(desk: Page, live_server):
    boxes(desk).nth(0).check()
    boxes(desk).nth(1).check()
    boxes(desk).nth(2).check()
    desk.get_by_role("button", name="Publish selected").click()
    expect(desk.get_by_role("status").filter(has_text="3 submissions published.")).to_be_visible()
    expect(desk.get_by_text("Your last bulk action changed the status of 3 submissions.")).to_be_visible()
    assert statuses(live_server).count("published") == 3

    desk.get_by_role("button", name="Undo").click()

    expect(desk.get_by_role("status").filter(has_text="Undone: 3 submissions back to the status they had.")) \
        .to_be_visible()
    expect(desk.get_by_role("button", name="Undo")).to_have_count(0)
    assert statuses(live_server) == ["pending"] * 30


def test_the_text_takes_most_of_the_row_and_short_texts_are_shown_whole(desk: Page):
    table = desk.locator("table.desk-table").bounding_box()
    text = desk.locator("table.desk-table thead th.desk-text").bounding_box()
    assert text["width"] > 0.6 * table["width"], (text, table)
    expect(desk.get_by_text(f"0: {SHORT}", exact=True)).to_be_visible()  # the whole text, not an excerpt
    long_text = desk.get_by_text(re.compile(r"^The long one\."))
    expect(long_text).to_have_text(re.compile(r"…$"))
    # A short one's row, whichever place it has (rows come by day, then random id: the long one can be first).
    short = desk.get_by_text(f"0: {SHORT}", exact=True)
    short_row = desk.locator("table.desk-table tbody tr").filter(has=short).bounding_box()
    assert short_row["height"] < 100, short_row  # compact: the facts are stacked beside the text, not above it


def test_the_staff_header_is_one_line_on_a_desktop_and_fits_a_phone(desk: Page):
    header = desk.locator("header.site-header")
    log_out = desk.get_by_role("button", name="Log out (Ada Admin)")
    expect(desk.get_by_role("navigation", name="Main").get_by_role("link", name="Mail")).to_be_visible()
    assert header.bounding_box()["height"] < 60, header.bounding_box()
    assert log_out.bounding_box()["height"] < 30, log_out.bounding_box()

    desk.set_viewport_size(PHONE)
    assert desk.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert log_out.bounding_box()["height"] < 30  # wraps between links, never inside "Log out (Ada Admin)"
    assert header.bounding_box()["width"] <= PHONE["width"]


LONG_NAME = "Alexandra Montgomery-Featherstonehaugh"


def test_a_long_display_name_keeps_the_staff_header_on_one_line_and_is_there_whole_for_a_screen_reader(
        desk: Page, live_server, arranged):
    make_staff(arranged, "admin", "alexandra@example.org", LONG_NAME)
    desk.context.clear_cookies()
    log_in_to_staff_home(desk, live_server, "alexandra@example.org")
    desk.goto(live_server.url(f"/facilitate/{live_server.open_slug}"))
    items = desk.locator("header.site-header .staff-nav > li")
    tops = {round(items.nth(i).bounding_box()["y"]) for i in range(items.count())}
    assert items.count() > 8 and len(tops) == 1, tops  # every link and the log-out button on one line
    log_out = desk.get_by_role("button", name=f"Log out ({LONG_NAME})")  # the whole name, for assistive tech
    expect(log_out).to_be_visible()
    assert log_out.bounding_box()["height"] < 30
    expect(log_out.locator("[title]")).to_have_attribute("title", LONG_NAME)  # and on hover
    assert desk.evaluate("document.documentElement.scrollWidth") <= DESKTOP["width"]


def test_the_changed_desk_has_no_accessibility_violations(desk: Page):
    boxes(desk).first.check()
    desk.get_by_role("button", name="Publish selected").click()
    expect(desk.get_by_role("button", name="Undo")).to_be_visible()
    assert_accessible(desk)
    desk.keyboard.press("t")
    expect(desk.get_by_role("button", name="Tag selected")).to_be_visible()
    assert_accessible(desk)
    desk.get_by_label("Named only").check()
    desk.get_by_role("button", name="Filter").click()
    expect(desk.get_by_text("No submissions match these filters.")).to_be_visible()
    assert_accessible(desk)
    assert_no_third_party_requests(desk)


def test_the_staff_header_stays_one_line_in_spanish(desk: Page, live_server):
    """Spanish labels are longer than English ones: the header still holds every link on one line at 1280 px."""
    desk.goto(live_server.url(f"/language/es?next=/facilitate/{live_server.open_slug}"))
    expect(desk.locator("html")).to_have_attribute("lang", "es")
    items = desk.locator("header.site-header .staff-nav > li")
    tops = {round(items.nth(i).bounding_box()["y"]) for i in range(items.count())}
    assert items.count() > 8 and len(tops) == 1, tops
    assert desk.locator("header.site-header").bounding_box()["height"] < 60
    assert desk.evaluate("document.documentElement.scrollWidth") <= DESKTOP["width"]
