"""axe-core finds no accessibility violations on any public page, in any state a person can reach."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser.steps import assert_accessible, assert_no_third_party_requests, check_receipt, send_concern


def home(page: Page, server) -> None:
    page.goto(server.url("/"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Town halls taking input")


def open_town_hall(page: Page, server) -> None:
    page.goto(server.url(f"/t/{server.open_slug}"))
    expect(page.get_by_role("button", name="Send")).to_be_visible()


def open_town_hall_with_errors(page: Page, server) -> None:
    """Named, with contact ticked but no name or email: several field errors and the summary at once."""
    open_town_hall(page, server)
    page.get_by_label("Add my name and email").check()
    page.get_by_label("Your email (optional)").fill("not an email")
    page.get_by_label("A facilitator may contact me about this").check()
    page.get_by_role("button", name="Send").click()
    expect(page.get_by_role("alert")).to_contain_text("Write your concern before sending it.")


def upcoming_town_hall(page: Page, server) -> None:
    page.goto(server.url(f"/t/{server.upcoming_slug}"))
    expect(page.get_by_text("Input opens on")).to_be_visible()


def closed_town_hall(page: Page, server) -> None:
    page.goto(server.url(f"/t/{server.closed_slug}"))
    expect(page.get_by_text("Input closed on")).to_be_visible()


def receipt_after_sending(page: Page, server) -> None:
    send_concern(page, server, "The rota ignores childcare.")


def receipt_check(page: Page, server) -> None:
    page.goto(server.url("/receipt"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Check a receipt")


def receipt_check_with_unknown_code(page: Page, server) -> None:
    check_receipt(page, server, "ABCD-2345-EFGH-6789-JKMN")
    expect(page.get_by_role("alert")).to_contain_text("We could not find a submission with that code")


def receipt_check_with_nothing_typed(page: Page, server) -> None:
    page.goto(server.url("/receipt"))
    page.get_by_role("button", name="Check").click()
    expect(page.get_by_role("alert")).to_contain_text("Enter your receipt code.")


def submission_status(page: Page, server) -> None:
    code = send_concern(page, server, "The audit at https://example.org/report was never discussed.")
    check_receipt(page, server, code)
    expect(page.get_by_role("heading", level=1)).to_have_text("Your submission")


def page_not_found(page: Page, server) -> None:
    response = page.goto(server.url("/t/no-such-town-hall"))
    assert response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("Page not found")


PAGES = [
    home,
    open_town_hall,
    open_town_hall_with_errors,
    upcoming_town_hall,
    closed_town_hall,
    receipt_after_sending,
    receipt_check,
    receipt_check_with_unknown_code,
    receipt_check_with_nothing_typed,
    submission_status,
    page_not_found,
]


@pytest.mark.parametrize("reach", PAGES, ids=[reach.__name__ for reach in PAGES])
def test_the_page_has_no_accessibility_violations(reach, page: Page, live_server):
    reach(page, live_server)

    assert_accessible(page)
    assert_no_third_party_requests(page)
