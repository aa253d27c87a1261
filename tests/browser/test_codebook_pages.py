"""The codebook in a real browser: a facilitator adds a sub-theme with a colour; axe and the CSP find nothing."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.browser.steps import assert_accessible, log_in
from tests.factories import make_theme
from tests.staff import make_staff


def test_a_facilitator_adds_a_sub_theme_and_the_pages_pass_axe_and_the_csp(page: Page, live_server, arranged):
    session = arranged.extensions["feedback_db"]()
    top = make_theme(session, "Reporting and accountability", keywords="report\nombuds")
    make_theme(session, "Parking", archived=True)
    session.close()
    make_staff(arranged, "facilitator", "fola@example.org", "Fola")
    csp_errors: list[str] = []
    page.on("console", lambda message: csp_errors.append(message.text)
            if "Content Security Policy" in message.text else None)
    log_in(page, live_server, "fola@example.org")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Themes").click()
    assert_accessible(page)

    page.get_by_role("button", name="Add theme").click()  # empty: the form says what is missing
    expect(page.get_by_role("alert")).to_contain_text("Enter a name for the theme.")
    assert_accessible(page)

    page.get_by_label("Name", exact=True).fill("Fear of retaliation")
    page.get_by_label("Colour").fill("#aa3311")
    page.get_by_label("Keywords").fill("retaliation\nafraid")
    page.get_by_label("Parent theme").select_option(label=top.name)
    page.get_by_role("button", name="Add theme").click()
    expect(page.get_by_role("status")).to_contain_text("Added the theme “Fear of retaliation”")
    row = page.get_by_role("row").filter(has_text="Fear of retaliation")
    expect(row.locator("svg rect")).to_have_attribute("fill", "#aa3311")

    row.get_by_role("link", name="Fear of retaliation").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Fear of retaliation")
    assert_accessible(page)
    assert csp_errors == []
