"""A facilitator tags rows from the keyboard, accepts and dismisses suggestions, groups a duplicate; axe is content."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa
from playwright.sync_api import Page, expect

from feedback.models import DuplicateLink, SuggestionDecision, Tagging, Theme
from tests.browser.steps import assert_accessible, assert_no_third_party_requests, log_in_to_staff_home
from tests.factories import make_submission, make_theme
from tests.staff import make_staff

FACILITATOR = "fola@example.org"
HANDOVER = "Handover runs late every day and nobody is paid for the extra hour."
HANDOVER_AGAIN = "Handover runs late every single day, and nobody is paid for that extra hour."
HARASSMENT = "A supervisor keeps trying to harass the new residents on nights."
PARKING = "The car park for staff is unlit."


@pytest.fixture
def desk(page: Page, live_server, arranged):
    """Four pending submissions (two near-duplicates), a small codebook, and a facilitator logged in."""
    session = arranged.extensions["feedback_db"]()
    try:
        hall = live_server.open_hall(session)
        ring = arranged.extensions["feedback_keyring"]
        for body in (HANDOVER, HANDOVER_AGAIN, HARASSMENT, PARKING):
            make_submission(session, ring, hall, body)
        safety = make_theme(session, "Safety", colour="#a4161a")
        make_theme(session, "Harassment", parent_id=safety.id, keywords="harass\nbullying")
        make_theme(session, "Nights", keywords="nights")
        make_theme(session, "Pay", colour="#1e5631", keywords="unpaid")
    finally:
        session.close()
    make_staff(arranged, "facilitator", FACILITATOR, "Fola")
    log_in_to_staff_home(page, live_server, FACILITATOR)


def taggings(server) -> list[str]:
    return sorted(name for (name,) in server.stored(sa.select(Theme.name).join(Tagging, Tagging.theme_id == Theme.id)))


def open_desk(page: Page, server) -> None:
    page.goto(server.url("/facilitate"))
    page.get_by_role("link", name=server.open_title).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(server.open_title)


def open_submission(page: Page, server, text: str) -> None:
    open_desk(page, server)
    page.get_by_role("row").filter(has_text=text).get_by_role("link", name=re.compile(r"^Open submission from")).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Submission from")


def tag_first_two_rows_with_pay(page: Page) -> None:
    boxes = page.get_by_role("checkbox", name=re.compile(r"^Select submission from"))
    expect(page.get_by_text("T opens “Tag selected with…”.")).to_be_visible()
    page.keyboard.press("j")
    page.keyboard.press("Space")
    page.keyboard.press("j")
    page.keyboard.press("Space")
    expect(boxes.nth(0)).to_be_checked()
    expect(boxes.nth(1)).to_be_checked()
    page.keyboard.press("t")
    expect(page.get_by_role("group", name="Themes to add to the selected submissions")).to_be_visible()
    expect(page.get_by_role("checkbox", name="Nights")).to_be_focused()
    page.keyboard.press("Tab")
    expect(page.get_by_role("checkbox", name="Pay")).to_be_focused()
    page.keyboard.press("Space")
    page.get_by_role("button", name="Tag selected").focus()
    page.keyboard.press("Enter")


def test_a_facilitator_tags_from_the_keyboard_accepts_dismisses_and_groups(page: Page, live_server, desk):
    open_desk(page, live_server)
    tag_first_two_rows_with_pay(page)

    expect(page.get_by_role("status").filter(has_text="2 submissions tagged.")).to_be_visible()
    assert taggings(live_server) == ["Pay", "Pay"]
    expect(page.locator(".theme-chips").filter(has_text="Pay")).to_have_count(2)

    page.get_by_label("Theme", exact=True).select_option(label="Not tagged yet")
    page.get_by_role("button", name="Filter").click()
    expect(page.get_by_role("checkbox", name=re.compile(r"^Select submission from"))).to_have_count(2)

    open_submission(page, live_server, "harass the new residents")
    suggestions = page.locator(".suggestion")
    expect(suggestions.filter(has_text="Harassment")).to_contain_text("Why: keyword 'harass' matched")
    expect(suggestions.filter(has_text="Nights")).to_contain_text("Why: keyword 'nights' matched")
    assert taggings(live_server) == ["Pay", "Pay"]  # suggestions never tag on their own

    page.get_by_role("button", name="Accept Harassment").click()
    expect(page.get_by_role("status").filter(has_text="Tagged with Harassment.")).to_be_visible()
    expect(page.get_by_role("checkbox", name="Harassment")).to_be_checked()
    page.get_by_role("button", name="Dismiss Nights").press("Enter")
    expect(page.get_by_role("status").filter(has_text="Suggestion dismissed")).to_be_visible()
    expect(page.get_by_text("No suggestions for this submission.")).to_be_visible()
    assert taggings(live_server) == ["Harassment", "Pay", "Pay"]
    decisions = sorted(d for (d,) in live_server.stored(sa.select(SuggestionDecision.decision)))
    assert decisions == ["accepted", "dismissed"]

    open_submission(page, live_server, "nobody is paid for the extra hour")
    page.get_by_role("button", name=re.compile(r"^Group under this one")).click()
    expect(page.get_by_role("status").filter(has_text="Grouped 1 submission under this one")).to_be_visible()
    expect(page.get_by_text("Raised by 2 people.")).to_be_visible()
    assert len(live_server.stored(sa.select(DuplicateLink.submission_id))) == 1
    assert_no_third_party_requests(page)


def desk_with_themes(page: Page, server) -> None:
    open_desk(page, server)
    tag_first_two_rows_with_pay(page)
    expect(page.get_by_role("status").filter(has_text="2 submissions tagged.")).to_be_visible()
    page.keyboard.press("t")  # the theme picker open too


def desk_with_a_refused_tag(page: Page, server) -> None:
    open_desk(page, server)
    page.get_by_role("checkbox", name=re.compile(r"^Select submission from")).first.check()
    page.get_by_text("Tag selected with…", exact=True).click()
    page.get_by_role("button", name="Tag selected").click()
    expect(page.get_by_role("alert")).to_contain_text("Choose at least one theme to tag the selected submissions with.")


def submission_with_suggestions_and_similar(page: Page, server) -> None:
    open_submission(page, server, "nobody is paid for the extra hour")
    expect(page.get_by_role("heading", name="Similar submissions")).to_be_visible()
    open_submission(page, server, "harass the new residents")
    expect(page.locator(".suggestion")).to_have_count(2)


def representative_with_a_group(page: Page, server) -> None:
    open_submission(page, server, "nobody is paid for the extra hour")
    page.get_by_role("button", name=re.compile(r"^Group under this one")).click()
    expect(page.get_by_text("Raised by 2 people.")).to_be_visible()


def member_of_a_group(page: Page, server) -> None:
    representative_with_a_group(page, server)
    page.get_by_role("link", name=re.compile(r"^Open the submission from")).first.click()
    expect(page.get_by_text("Grouped under")).to_be_visible()


PAGES = [desk_with_themes, desk_with_a_refused_tag, submission_with_suggestions_and_similar,
         representative_with_a_group, member_of_a_group]


@pytest.mark.parametrize("reach", PAGES, ids=[reach.__name__ for reach in PAGES])
def test_tagging_pages_have_no_accessibility_violations(reach, page: Page, live_server, desk):
    reach(page, live_server)

    assert_accessible(page)
    assert_no_third_party_requests(page)
