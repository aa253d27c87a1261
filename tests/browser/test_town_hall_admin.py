"""Town halls in a real browser: a facilitator creates one, opens it early, and the public finds it; axe and the CSP
find nothing on the new pages."""

from __future__ import annotations

from datetime import timedelta

from playwright.sync_api import Page, expect

from tests.browser.steps import assert_accessible, log_in_to_staff_home
from tests.factories import today
from tests.staff import make_staff

QUESTION = "What would make it safer to report bias here?"


def test_a_facilitator_creates_a_town_hall_opens_it_and_it_appears_on_the_home_page(page: Page, live_server,
                                                                                    arranged):
    make_staff(arranged, "facilitator", "fola@example.org", "Fola")
    csp_errors: list[str] = []
    page.on("console", lambda message: csp_errors.append(message.text)
            if "Content Security Policy" in message.text else None)
    log_in_to_staff_home(page, live_server, "fola@example.org")
    page.goto(live_server.url("/facilitate/town-halls"))
    expect(page.get_by_role("row").filter(has_text=live_server.open_title)).to_contain_text("open")
    assert_accessible(page)

    page.get_by_role("link", name="Create a town hall").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Create a town hall")
    assert_accessible(page)

    opens = today() + timedelta(days=7)
    page.get_by_label("Title", exact=True).fill("Race and respect at work")
    page.get_by_label("Question asked", exact=True).fill(QUESTION)
    page.get_by_label("Date held").fill(str(opens))
    page.get_by_label("Intake opens").fill(str(opens))
    page.get_by_label("Intake closes").fill(str(opens - timedelta(days=1)))  # a slip: before it opens
    page.get_by_role("button", name="Create town hall").click()
    expect(page.get_by_role("alert")).to_contain_text("The intake window closes before it opens")
    expect(page.get_by_label("Title", exact=True)).to_have_value("Race and respect at work")
    assert_accessible(page)

    page.get_by_label("Intake closes").fill(str(opens + timedelta(days=14)))
    page.get_by_role("button", name="Create town hall").click()
    expect(page.get_by_role("status")).to_contain_text("Created “Race and respect at work”")
    expect(page.locator(".facts")).to_contain_text("upcoming")
    assert_accessible(page)

    page.get_by_role("button", name="Open now").click()
    expect(page.get_by_role("status")).to_contain_text("is open: it takes input from today")
    expect(page.locator(".facts")).to_contain_text("open")
    assert_accessible(page)

    page.goto(live_server.url("/"))
    card = page.get_by_role("listitem").filter(has_text="Race and respect at work")
    expect(card).to_contain_text(QUESTION)
    card.get_by_role("link", name="Race and respect at work").click()
    expect(page.get_by_role("heading", level=2, name=QUESTION)).to_be_visible()
    expect(page.get_by_role("button", name="Send")).to_be_visible()
    assert_accessible(page)
    assert csp_errors == []


def test_the_home_page_with_upcoming_and_recently_closed_town_halls_passes_axe(page: Page, live_server):
    page.goto(live_server.url("/"))
    expect(page.get_by_role("heading", name="Coming up")).to_be_visible()
    expect(page.get_by_role("heading", name="Recently closed")).to_be_visible()
    assert_accessible(page)
