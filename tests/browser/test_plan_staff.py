"""The action plan in a real browser: a leader writes an action, links a theme, publishes it and posts an update.

Every page on the way passes axe-core, and the strict CSP reports nothing.
"""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.browser.steps import assert_accessible, log_in_to_staff_home
from tests.factories import make_theme
from tests.staff import make_staff


def test_a_leader_writes_an_action_links_a_theme_publishes_it_and_posts_an_update(page: Page, live_server,
                                                                                   arranged):
    session = arranged.extensions["feedback_db"]()
    make_theme(session, "Pay and grades")
    session.close()
    make_staff(arranged, "leader", "lee@example.org", "Lee")
    csp_errors: list[str] = []
    page.on("console", lambda message: csp_errors.append(message.text)
            if "Content Security Policy" in message.text else None)
    log_in_to_staff_home(page, live_server, "lee@example.org")

    page.goto(live_server.url("/staff/plan"))
    expect(page.get_by_role("heading", level=1)).to_have_text("The action plan")
    assert_accessible(page)
    page.get_by_role("link", name="Write an action").click()
    page.get_by_role("button", name="Save draft").click()  # empty: the form says what is missing
    expect(page.get_by_role("alert")).to_contain_text("Enter a title for the action.")
    assert_accessible(page)

    page.get_by_label("Title", exact=True).fill("Publish the pay bands")
    page.get_by_label("Description", exact=True).fill("Every grade's band, on the intranet.")
    page.get_by_label("Responsible (shown publicly)").fill("Office of HR")
    page.get_by_label("Status", exact=True).select_option(label="Planned")
    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_role("status")).to_contain_text("Saved “Publish the pay bands” as a draft")
    expect(page.get_by_text("Draft: seen by staff only")).to_be_visible()
    assert_accessible(page)

    page.get_by_label("Theme", exact=True).select_option(label="Pay and grades")
    page.get_by_role("button", name="Link theme").click()
    expect(page.get_by_role("status")).to_contain_text("Linked.")
    themes = page.get_by_role("region", name="Themes it answers (shown publicly)")
    expect(themes.get_by_role("listitem")).to_contain_text("Pay and grades")

    # The internal links to submissions are for facilitators and admins: a leader is offered none.
    expect(page.get_by_label("Submission id (internal: never shown publicly)")).to_have_count(0)
    expect(page.get_by_role("button", name="Link submission")).to_have_count(0)

    page.get_by_role("button", name="Publish", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text("Published “Publish the pay bands”")

    page.get_by_label("Update (shown publicly)").fill("The bands for grades 1 to 5 are drafted.")
    page.get_by_label("New status").select_option(label="In progress")
    page.get_by_role("button", name="Post update").click()
    expect(page.get_by_role("status")).to_contain_text("Posted the update to the timeline.")
    timeline = page.get_by_role("region", name="Timeline")
    expect(timeline.get_by_role("listitem")).to_contain_text("The bands for grades 1 to 5 are drafted.")
    expect(timeline.get_by_role("listitem")).to_contain_text("Status: In progress")
    assert_accessible(page)

    page.get_by_role("link", name="Edit the action").click()
    expect(page.get_by_text("change through updates on its")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Back to “Publish the pay bands”").click()
    page.get_by_role("link", name="Back to the plan").click()
    row = page.get_by_role("row").filter(has_text="Publish the pay bands")
    expect(row).to_contain_text(re.compile(r"In progress.*50%.*Published", re.DOTALL))
    assert_accessible(page)
    assert csp_errors == []
