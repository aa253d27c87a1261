"""A facilitator clears a batch from the keyboard, redacts one submission and answers it; axe finds nothing."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa
from playwright.sync_api import Page, expect

from feedback.models import Submission
from feedback.services.moderation import replies
from tests.browser.steps import assert_accessible, assert_no_third_party_requests, check_receipt, log_in_to_staff_home
from tests.factories import make_submission, today
from tests.staff import make_staff

FACILITATOR = "fola@example.org"
BODIES = [
    "Handover runs late every day and nobody is paid for it.",
    "I am the only Black woman in my class of 2027 and I was told to smile more.",
    "The rota is published two days before it starts.",
    "Call me on 07700 900123: nobody answers the harassment line.",
    "Parking for night staff is unlit.",
]


@pytest.fixture
def desk(page: Page, live_server, arranged):
    """Five pending submissions (one named, one with an unanswered message), and a facilitator logged in."""
    session = arranged.extensions["feedback_db"]()
    try:
        hall = live_server.open_hall(session)
        ring = arranged.extensions["feedback_keyring"]
        receipts = [make_submission(session, ring, hall, body, affiliation=affiliation, **identity)
                    for body, affiliation, identity in zip(BODIES, ["student", "faculty", None, "staff", "student"],
                                                           [{}, {}, {}, {"name": "Sam Okafor"}, {}], strict=True)]
        replies.add_submitter_reply(session, receipts[2].submission_id, "Is anyone reading these?", today())
    finally:
        session.close()
    make_staff(arranged, "facilitator", FACILITATOR, "Fola")
    log_in_to_staff_home(page, live_server, FACILITATOR)
    return receipts


def statuses(server) -> list[str]:
    return sorted(status for (status,) in server.stored(sa.select(Submission.status)))


def open_desk(page: Page, server) -> None:
    page.get_by_role("link", name="Moderation desk").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Moderation desk")
    page.get_by_role("link", name=server.open_title).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(server.open_title)


def test_a_facilitator_publishes_a_batch_redacts_one_and_replies_from_the_keyboard(page: Page, live_server, desk):
    open_desk(page, live_server)
    boxes = page.get_by_role("checkbox", name=re.compile(r"^Select submission from"))
    expect(boxes).to_have_count(5)

    boxes.first.focus()
    page.keyboard.press("Space")
    for _ in range(2):  # each row: its checkbox, then its "Open" link
        page.keyboard.press("Tab")
        page.keyboard.press("Tab")
        page.keyboard.press("Space")
    for n, ticked in enumerate([True, True, True, False, False]):
        (expect(boxes.nth(n)).to_be_checked if ticked else expect(boxes.nth(n)).not_to_be_checked)()
    page.get_by_role("button", name="Publish selected").focus()
    page.keyboard.press("Enter")

    expect(page.get_by_role("status").filter(has_text="3 submissions published.")).to_be_visible()
    assert statuses(live_server) == ["pending", "pending", "published", "published", "published"]

    page.get_by_role("link", name="Published: 3").click()
    page.get_by_role("link", name=re.compile(r"^Open submission from")).first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Submission from")
    original = page.get_by_label("Redacted text").input_value()
    page.get_by_label("Redacted text").fill("[Redacted by the facilitator] " + original[:20])
    page.get_by_role("button", name="Save", exact=True).press("Enter")
    expect(page.get_by_role("status").filter(has_text="Redaction saved.")).to_be_visible()
    expect(page.get_by_role("heading", name="As others see it")).to_be_visible()

    page.get_by_label("Your reply").fill("Thank you. We are raising this with the rota team this week.")
    page.get_by_role("button", name="Send reply").press("Enter")
    expect(page.get_by_role("status").filter(has_text="Reply sent.")).to_be_visible()
    expect(page.get_by_text("Thank you. We are raising this with the rota team this week.")).to_be_visible()
    assert_no_third_party_requests(page)


def test_a_submitter_sees_the_redacted_text_and_the_reply_on_their_receipt(page: Page, live_server, desk):
    open_desk(page, live_server)
    page.get_by_role("link", name=re.compile(r"^Open submission from")).nth(1).click()
    page.get_by_label("Redacted text").fill("I am one of few people like me in my year and was told to smile more.")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_role("status").filter(has_text="Redaction saved.")).to_be_visible()
    url = page.url
    receipt = next(r for r in desk if str(r.submission_id) in url)

    check_receipt(page, live_server, receipt.code)

    expect(page.get_by_role("heading", name="As others see it")).to_be_visible()
    expect(page.get_by_text("I am one of few people like me in my year")).to_be_visible()


def desk_list(page: Page, server) -> None:
    page.goto(server.url("/facilitate"))


def desk_page(page: Page, server) -> None:
    open_desk(page, server)


def desk_with_filters(page: Page, server) -> None:
    open_desk(page, server)
    page.get_by_label("Status", exact=True).select_option("pending")
    page.get_by_label("Affiliation", exact=True).select_option("faculty")
    page.get_by_label("Search the text").fill("class")
    page.get_by_role("button", name="Filter").click()
    expect(page.get_by_role("checkbox", name=re.compile(r"^Select submission from"))).to_have_count(1)


def desk_with_a_refused_action(page: Page, server) -> None:
    open_desk(page, server)
    page.get_by_role("checkbox", name=re.compile(r"^Select submission from")).first.check()
    page.get_by_role("button", name="Hide selected").click()
    expect(page.get_by_role("alert")).to_contain_text("Choose why the selected submissions are hidden.")


def submission_page(page: Page, server) -> None:
    open_desk(page, server)
    row = page.get_by_role("row").filter(has_text="class of 2027")
    row.get_by_role("link", name=re.compile(r"^Open submission from")).click()
    expect(page.locator("mark.flag").first).to_be_visible()


def submission_page_with_errors(page: Page, server) -> None:
    submission_page(page, server)
    page.get_by_label("Hidden", exact=True).check()
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_role("alert")).to_contain_text("Choose why the submission is hidden.")


PAGES = [desk_list, desk_page, desk_with_filters, desk_with_a_refused_action, submission_page,
         submission_page_with_errors]


@pytest.mark.parametrize("reach", PAGES, ids=[reach.__name__ for reach in PAGES])
def test_the_desk_has_no_accessibility_violations(reach, page: Page, live_server, desk):
    reach(page, live_server)

    assert_accessible(page)
    assert_no_third_party_requests(page)


def test_j_and_k_move_between_rows_when_javascript_is_on(page: Page, live_server, desk):
    open_desk(page, live_server)
    boxes = page.get_by_role("checkbox", name=re.compile(r"^Select submission from"))
    expect(page.get_by_text("J and K move between rows.")).to_be_visible()

    page.keyboard.press("j")
    expect(boxes.nth(0)).to_be_focused()
    page.keyboard.press("j")
    page.keyboard.press("j")
    page.keyboard.press("k")
    expect(boxes.nth(1)).to_be_focused()
    page.keyboard.press("Space")
    expect(boxes.nth(1)).to_be_checked()

    page.get_by_label("Search the text").press_sequentially("jk")
    expect(page.get_by_label("Search the text")).to_have_value("jk")  # typing is never taken over
