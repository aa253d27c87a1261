"""A leader in a real browser: the summary, switching town hall, the brief in print; axe on each page."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser.steps import assert_accessible, log_in
from tests.factories import make_theme
from tests.staff import make_staff
from tests.summary_data import add, two_town_halls


@pytest.fixture
def halls(arranged):
    """Two town halls of data, a small group (Parking) and a lone faculty voice (a "not shown" cell)."""
    session = arranged.extensions["feedback_db"]()
    ring = arranged.extensions["feedback_keyring"]
    try:
        made = two_town_halls(session, ring)
        parking = make_theme(session, "Parking")
        for i in range(3):
            add(session, ring, made.spring, f"parking {i}", "published", parking)
        add(session, ring, made.spring, "A lone faculty voice.", "published", made.workload, affiliation="faculty")
        return made
    finally:
        session.close()


@pytest.fixture
def leader(page: Page, live_server, arranged):
    make_staff(arranged, "leader", "lee@example.org", "Lee")
    log_in(page, live_server, "lee@example.org")
    expect(page.get_by_role("heading", level=1)).to_have_text("Welcome, Lee")
    return page


def test_a_leader_reads_the_summary_switches_town_hall_and_prints_the_brief(leader: Page, live_server, halls):
    page = leader
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Leadership summary").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Leadership summary")
    expect(page.get_by_text("All town halls together.")).to_be_visible()
    expect(page.get_by_role("img", name="Published submissions per theme, largest first")).to_be_visible()

    page.get_by_label("Town hall", exact=True).select_option(halls.spring.slug)
    page.get_by_role("button", name="Show").click()

    assert page.url == live_server.url(f"/leadership/{halls.spring.slug}")
    themes = page.get_by_role("table", name="Published submissions per theme", exact=True)
    expect(themes.get_by_role("row", name="Safety")).to_contain_text("10 more")
    expect(themes.get_by_role("row", name="Parking")).to_contain_text("fewer than 5")
    page.get_by_role("link", name="not shown").first.click()
    expect(page.locator("#not-shown")).to_be_in_viewport()

    page.get_by_role("link", name="Printable brief").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Spring listening")
    page.emulate_media(media="print")
    expect(page.get_by_role("navigation", name="Main")).to_be_hidden()
    expect(page.get_by_text("Print this page")).to_be_hidden()
    expect(page.get_by_role("heading", name="Top themes")).to_be_visible()


@pytest.mark.parametrize("where", ["all town halls", "one town hall", "brief", "nothing yet"])
def test_leadership_pages_have_no_accessibility_violations(where, leader: Page, live_server, arranged, request):
    if where == "nothing yet":
        path = f"/leadership/{live_server.open_slug}"
    else:
        halls = request.getfixturevalue("halls")
        path = {"all town halls": "/leadership", "one town hall": f"/leadership/{halls.spring.slug}",
                "brief": f"/leadership/{halls.spring.slug}/brief"}[where]

    leader.goto(live_server.url(path))
    assert_accessible(leader)
