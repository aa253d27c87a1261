"""What a person sending a concern does and sees, driven through a real browser."""

from __future__ import annotations

import re
import time

from playwright.sync_api import Page, expect

from tests.browser.steps import (
    assert_no_third_party_requests,
    check_receipt,
    guard_page,
    read_receipt_code,
    send_concern,
)

PENDING = "Received. A facilitator has not reviewed it yet."
NOT_FOUND = "We could not find a submission with that code"


def as_typed_carelessly(code: str) -> str:
    """A receipt code the way people copy it down: lowercase, spaces instead of dashes."""
    return code.lower().replace("-", " ")


def walk_the_anonymous_journey(page: Page, server) -> str:
    page.goto(server.url("/"))
    page.get_by_role("link", name=server.open_title).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(server.open_title)
    page.get_by_label("Your concern").press_sequentially("The rota ignores childcare. Please publish it earlier.")
    page.get_by_role("button", name="Send").click()
    return read_receipt_code(page)


def test_a_person_can_send_a_concern_anonymously_and_gets_a_receipt_code(page: Page, live_server):
    walk_the_anonymous_journey(page, live_server)

    expect(page.get_by_text("It was sent anonymously.")).to_be_visible()
    assert live_server.count_submissions() == 1
    assert_no_third_party_requests(page)


def test_the_name_fields_appear_only_after_choosing_to_add_a_name(page: Page, live_server):
    page.goto(live_server.url(f"/t/{live_server.open_slug}"))
    name = page.get_by_label("Your name")
    expect(page.get_by_label("Send it anonymously")).to_be_checked()
    expect(name).to_be_hidden()

    page.get_by_label("Add my name and email").check()

    expect(name).to_be_visible()
    assert_no_third_party_requests(page)


def test_a_person_can_send_a_concern_with_their_name_and_is_told_it_is_encrypted(page: Page, live_server):
    page.goto(live_server.url(f"/t/{live_server.open_slug}"))
    page.get_by_label("Your concern").press_sequentially("I was told to stop raising staffing at handover.")
    name = page.get_by_label("Your name")
    expect(name).to_be_hidden()
    page.get_by_label("Add my name and email").check()
    expect(name).to_be_visible()
    name.press_sequentially("Ada Okafor")
    page.get_by_label("Your email (optional)").press_sequentially("ada@example.org")
    page.get_by_label("A facilitator may contact me about this").check()
    page.get_by_role("button", name="Send").click()

    read_receipt_code(page)
    expect(page.locator("main")).to_contain_text("encrypted")
    expect(page.get_by_text("It was sent anonymously.")).to_have_count(0)
    assert_no_third_party_requests(page)


def test_a_receipt_code_typed_in_lowercase_with_spaces_shows_the_status_and_the_text(page: Page, live_server):
    walk_the_anonymous_journey(page, live_server)
    code = page.locator("#receipt-code").inner_text().strip()

    page.get_by_role("main").get_by_role("link", name="Check a receipt").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check a receipt")
    page.get_by_label("Your receipt code").press_sequentially(as_typed_carelessly(code))
    page.get_by_role("button", name="Check").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Your submission")
    expect(page.get_by_text(PENDING)).to_be_visible()
    expect(page.locator(".submission-text")).to_have_text("The rota ignores childcare. Please publish it earlier.")
    assert_no_third_party_requests(page)


def test_a_web_address_in_a_concern_shows_as_a_link_marked_as_user_content(page: Page, live_server):
    code = send_concern(page, live_server, "The audit is at https://example.org/report and nobody read it.")

    check_receipt(page, live_server, code)

    link = page.locator(".submission-text").get_by_role("link", name="https://example.org/report")
    expect(link).to_be_visible()
    expect(link).to_have_attribute("href", "https://example.org/report")
    expect(link).to_have_attribute("rel", "nofollow noopener ugc")
    assert_no_third_party_requests(page)


def test_a_script_tag_in_a_concern_shows_as_text_and_never_runs(page: Page, live_server):
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    code = send_concern(page, live_server, "<script>alert(1)</script>")

    check_receipt(page, live_server, code)

    expect(page.locator(".submission-text")).to_have_text("<script>alert(1)</script>")
    expect(page.get_by_text(PENDING)).to_be_visible()
    assert dialogs == []
    assert_no_third_party_requests(page)


def test_a_wrong_receipt_code_says_it_was_not_found_and_keeps_what_was_typed(page: Page, live_server):
    check_receipt(page, live_server, "ABCD-2345-EFGH-6789-JKMN")

    expect(page.locator(".field-error")).to_contain_text(NOT_FOUND)
    expect(page.get_by_role("alert")).to_contain_text(NOT_FOUND)
    expect(page.get_by_label("Your receipt code")).to_have_value("ABCD-2345-EFGH-6789-JKMN")
    assert_no_third_party_requests(page)


def test_sending_nothing_shows_an_error_summary_whose_link_moves_focus_to_the_concern(page: Page, live_server):
    page.goto(live_server.url(f"/t/{live_server.open_slug}"))
    page.get_by_role("button", name="Send").click()

    summary = page.get_by_role("alert")
    expect(summary).to_be_visible()
    expect(summary).to_contain_text("Write your concern before sending it.")
    expect(summary).to_be_focused()  # so a screen reader announces it at once
    assert page.title().startswith("Error: ")
    # The summary comes before the form, at the top of the content.
    assert summary.evaluate(
        "el => !!(el.compareDocumentPosition(document.querySelector('form')) & Node.DOCUMENT_POSITION_FOLLOWING)"
    )

    summary.get_by_role("link", name="Write your concern before sending it.").click()

    expect(page.get_by_label("Your concern")).to_be_focused()
    assert_no_third_party_requests(page)


def test_the_concern_box_never_silently_cuts_pasted_text(page: Page, live_server):
    page.goto(live_server.url(f"/t/{live_server.open_slug}"))
    page.fill("#comment", "a" * 5001)

    expect(page.get_by_label("Your concern")).to_have_value("a" * 5001)


def test_a_concern_over_5000_characters_comes_back_with_the_text_kept_and_an_error(page: Page, live_server):
    too_long = "a" * 5001
    page.goto(live_server.url(f"/t/{live_server.open_slug}"))
    page.fill("#comment", too_long)
    page.get_by_role("button", name="Send").click()

    expect(page.get_by_role("alert")).to_contain_text("Shorten your concern to 5,000 characters or fewer.")
    expect(page.locator(".field-error")).to_contain_text("Shorten your concern to 5,000 characters or fewer.")
    expect(page.get_by_label("Your concern")).to_have_value(too_long)
    assert live_server.count_submissions() == 0
    assert_no_third_party_requests(page)


def test_double_clicking_send_stores_the_concern_exactly_once(page: Page, live_server):
    page.goto(live_server.url(f"/t/{live_server.open_slug}"))
    page.get_by_label("Your concern").press_sequentially("Handover runs late every single night.")

    page.get_by_role("button", name="Send").dblclick()

    code = read_receipt_code(page)
    assert live_server.count_submissions() == 1
    check_receipt(page, live_server, code)
    expect(page.locator(".submission-text")).to_have_text("Handover runs late every single night.")
    assert_no_third_party_requests(page)


def wait_until(page: Page, condition, timeout: float = 10.0) -> None:
    """Poll condition, letting Playwright keep working (it serves page.route) between tries."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out waiting"
        page.wait_for_timeout(25)


def test_pressing_send_again_while_the_first_is_on_its_way_stores_once_and_the_receipt_works(
    page: Page, live_server
):
    # Chromium folds a fast double click into one POST; on a slow connection a second press sends another.
    live_server.post_delay = 0.75
    page.goto(live_server.url(f"/t/{live_server.open_slug}"))
    page.get_by_label("Your concern").press_sequentially("Handover runs late every single night.")
    send = page.get_by_role("button", name="Send")
    send.scroll_into_view_if_needed()
    box = send.bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2

    # The mouse, not a locator: a locator would wait for the first navigation to finish.
    page.mouse.click(x, y)
    wait_until(page, lambda: live_server.posts_received == 1)
    page.mouse.click(x, y)

    code = read_receipt_code(page)
    wait_until(page, lambda: live_server.posts_answered == 2)
    assert live_server.posts_received == 2
    assert live_server.count_submissions() == 1
    live_server.post_delay = 0
    check_receipt(page, live_server, code)
    expect(page.locator(".submission-text")).to_have_text("Handover runs late every single night.")
    assert_no_third_party_requests(page)


def test_the_anonymous_journey_works_with_javascript_turned_off(new_context, live_server):
    page = guard_page(new_context(java_script_enabled=False).new_page())

    code = walk_the_anonymous_journey(page, live_server)
    check_receipt(page, live_server, as_typed_carelessly(code))

    expect(page.get_by_text(PENDING)).to_be_visible()
    assert live_server.count_submissions() == 1
    assert_no_third_party_requests(page)


def test_without_javascript_the_copy_button_that_needs_it_stays_hidden(new_context, live_server):
    page = guard_page(new_context(java_script_enabled=False).new_page())
    walk_the_anonymous_journey(page, live_server)

    expect(page.get_by_role("button", name="Copy the code")).to_be_hidden(timeout=1_000)


def test_a_closed_town_hall_says_input_closed_and_offers_no_send_button(page: Page, live_server):
    page.goto(live_server.url(f"/t/{live_server.closed_slug}"))

    expect(page.get_by_text(re.compile(r"Input closed on"))).to_be_visible()
    expect(page.get_by_role("button", name="Send")).to_have_count(0)
    expect(page.get_by_label("Your concern")).to_have_count(0)
    assert_no_third_party_requests(page)


def test_the_first_tab_reaches_the_skip_link_and_focus_on_a_field_is_visible(page: Page, live_server):
    page.goto(live_server.url(f"/t/{live_server.open_slug}"))

    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to content")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()

    page.keyboard.press("Enter")
    comment = page.get_by_label("Your concern")
    for _ in range(10):
        page.keyboard.press("Tab")
        if comment.evaluate("el => el === document.activeElement"):
            break
    expect(comment).to_be_focused()
    outline = comment.evaluate("el => getComputedStyle(el).outlineStyle")
    assert outline != "none", "a focused field must show where focus is"
    assert_no_third_party_requests(page)


def test_back_after_sending_shows_a_fresh_empty_form_and_sending_again_stores_nothing_silently(page: Page, live_server):
    text = "The night rota was changed without asking any of us."
    send_concern(page, live_server, text)
    assert live_server.count_submissions() == 1

    page.go_back()

    expect(page.get_by_role("heading", level=1)).to_have_text(live_server.open_title)
    expect(page.get_by_label("Your concern")).to_have_value("")
    expect(page.locator("#sent-before")).to_be_visible()
    expect(page.locator("#sent-before")).to_contain_text("Already sent a concern? It was received")
    page.get_by_role("button", name="Send").click()
    expect(page.get_by_role("alert")).to_be_visible()  # an empty form is refused, out loud
    assert live_server.count_submissions() == 1
    assert_no_third_party_requests(page)
