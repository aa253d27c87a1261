"""Staff in a real browser: an admin adds a colleague; a leader is kept out of the desk; axe on staff pages."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser.steps import assert_accessible, log_in, log_in_to_staff_home
from tests.staff import make_staff


def test_an_admin_adds_a_facilitator_who_then_logs_in(page: Page, live_server, arranged):
    make_staff(arranged, "admin", "ada@example.org", "Ada")
    log_in(page, live_server, "ada@example.org")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Accounts").click()
    page.get_by_label("Email").fill("new.person@example.org")
    page.get_by_label("Name").fill("New Person")
    page.get_by_label("Facilitator").check()
    page.get_by_label("First password").fill("a long first password")
    page.get_by_role("button", name="Add account").click()
    expect(page.get_by_role("status")).to_contain_text("Added new.person@example.org")
    expect(page.get_by_role("cell", name="new.person@example.org", exact=True)).to_be_visible()
    page.get_by_role("button", name="Log out").click()
    log_in(page, live_server, "new.person@example.org", "a long first password")
    expect(page.get_by_role("heading", level=1)).to_have_text("Welcome, New Person")


def test_a_leader_never_reaches_the_desk_or_the_admin_pages(page: Page, live_server, arranged):
    make_staff(arranged, "leader", "lee@example.org", "Lee")
    log_in(page, live_server, "lee@example.org")
    expect(page.get_by_role("link", name="Moderation desk")).to_have_count(0)
    for path in ("/facilitate", "/admin/users", "/admin/audit"):
        response = page.goto(live_server.url(path))
        assert response.status == 403
        expect(page.get_by_role("heading", level=1)).to_have_text("You cannot do that here")


def test_a_wrong_password_keeps_the_email_and_says_what_to_do(page: Page, live_server, arranged):
    make_staff(arranged, "admin", "ada@example.org")
    log_in(page, live_server, "ada@example.org", "not the right one")
    expect(page.get_by_role("alert")).to_contain_text("do not match an active account")
    expect(page.get_by_label("Email")).to_have_value("ada@example.org")
    expect(page.get_by_label("Password")).to_have_value("")


STAFF_PAGES = {
    "login": (None, "/login"),
    "staff home as leader": ("leader", "/staff"),
    "staff home as admin": ("admin", "/staff"),
    "accounts": ("admin", "/admin/users"),
    "settings": ("admin", "/admin/settings"),
    "audit log": ("admin", "/admin/audit"),
    "audit log filtered": ("admin", "/admin/audit?action=login&actor=ada"),
    "forbidden": ("leader", "/admin/users"),
}


@pytest.mark.parametrize("name", STAFF_PAGES)
def test_staff_pages_have_no_accessibility_violations(name, page: Page, live_server, arranged):
    role, path = STAFF_PAGES[name]
    if role:
        make_staff(arranged, role, f"{role}@example.org", role.capitalize())
        log_in_to_staff_home(page, live_server, f"{role}@example.org")
    page.goto(live_server.url(path))
    assert_accessible(page)


def test_the_login_form_with_errors_has_no_accessibility_violations(page: Page, live_server):
    page.goto(live_server.url("/login"))
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("alert")).to_contain_text("Enter your email.")
    assert_accessible(page)
