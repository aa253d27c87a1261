"""What a person does in the browser, as small steps the journey and accessibility tests share."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from tests.staff import PASSWORD

LOCAL_HOST = "127.0.0.1"
# Schemes that never leave the browser, so they are not requests to anyone.
LOCAL_SCHEMES = ("data", "blob", "about")
RECEIPT_CODE = re.compile(r"^[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){4}$")
AXE = Axe()


@dataclass
class Guard:
    """What a page tried to fetch from anywhere but 127.0.0.1 (all of it was blocked)."""

    third_party: list[str] = field(default_factory=list)


def guard_page(page):
    """Block and record every request a page makes to a host other than 127.0.0.1."""
    guard = Guard()

    def route(route):
        url = route.request.url
        parts = urlsplit(url)
        if parts.scheme in LOCAL_SCHEMES or parts.hostname == LOCAL_HOST:
            route.continue_()
        else:
            guard.third_party.append(url)
            route.abort("blockedbyclient")

    page.route("**/*", route)
    page.third_party_guard = guard
    page.set_default_timeout(10_000)
    return page


def assert_no_third_party_requests(page) -> None:
    """The page never tried to reach anyone but the app itself."""
    attempted = page.third_party_guard.third_party
    assert attempted == [], f"the page tried to reach third parties: {attempted}"


def send_concern(page: Page, server, text: str) -> str:
    """Open the open town hall, type a concern, press Send; return the receipt code shown."""
    page.goto(server.url(f"/t/{server.open_slug}"))
    page.get_by_label("Your concern").press_sequentially(text)
    page.get_by_role("button", name="Send").click()
    return read_receipt_code(page)


def read_receipt_code(page: Page) -> str:
    """The receipt code on the "we received your concern" page, checked for shape."""
    expect(page.get_by_role("heading", level=1)).to_contain_text("We received your concern")
    code = page.locator("#receipt-code").inner_text().strip()
    assert RECEIPT_CODE.match(code), f"not a receipt code: {code!r}"
    return code


def check_receipt(page: Page, server, code: str) -> None:
    """Go to "Check a receipt", type the code and press Check."""
    page.goto(server.url("/receipt"))
    page.get_by_label("Your receipt code").press_sequentially(code)
    page.get_by_role("button", name="Check").click()


def log_in(page: Page, server, email: str, password: str = PASSWORD) -> None:
    """Fill in the staff login form and press Log in."""
    page.goto(server.url("/login"))
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()


def log_in_to_staff_home(page: Page, server, email: str) -> None:
    """Log in with the test password and wait for the staff home's welcome."""
    log_in(page, server, email)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Welcome")


def assert_accessible(page: Page) -> None:
    """axe-core finds no accessibility violations on the page as it is now."""
    results = AXE.run(page)
    assert results.violations_count == 0, results.generate_report()
