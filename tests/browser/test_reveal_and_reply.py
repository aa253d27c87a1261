"""A facilitator reveals a named submitter with a reason; a submitter reads a reply and answers back."""

from __future__ import annotations

import sqlalchemy as sa
from playwright.sync_api import Page, expect

from feedback import audit, clock
from feedback.models import AuditEvent, Reply
from feedback.services.admin import settings
from feedback.services.moderation import escrow, replies
from tests.browser.steps import assert_accessible, assert_no_third_party_requests, check_receipt, log_in_to_staff_home
from tests.factories import make_submission
from tests.staff import make_staff

NAME, EMAIL = "Tamsin Achterberg", "tamsin.achterberg@example.org"
REASON = "She reported an unsafe discharge and asked to be contacted."
STAFF_REPLY = "Thank you for telling us. Which ward was it, so we can follow up?"
ANSWER = "Ward 4, on the night of the fire drill."


def submission(server, **identity):
    """A submission in the open town hall; returns its receipt."""
    session = server.app.extensions["feedback_db"]()
    try:
        return make_submission(session, server.app.extensions["feedback_keyring"], server.open_hall(session),
                               "The discharge lounge has no nurse at night.", **identity)
    finally:
        session.close()


def test_a_facilitator_reveals_an_identity_with_a_reason(page: Page, live_server, arranged):
    receipt = submission(live_server, name=NAME, email=EMAIL)
    make_staff(arranged, "facilitator", "fola@example.org", "Fola")
    log_in_to_staff_home(page, live_server, "fola@example.org")

    page.get_by_role("link", name="Reveal requests").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Reveal requests")
    page.goto(live_server.url(f"/facilitate/s/{receipt.submission_id}/reveal"))
    expect(page.get_by_text(NAME)).to_have_count(0)
    assert_accessible(page)

    page.get_by_role("button", name="Reveal identity").click()
    expect(page.get_by_role("alert")).to_contain_text("Write the reason for revealing this identity.")
    assert_accessible(page)
    page.get_by_label("Why do you need to know who wrote this?").fill(REASON)
    page.get_by_role("button", name="Reveal identity").click()

    expect(page.get_by_role("heading", name="Who wrote this")).to_be_visible()
    expect(page.get_by_text(NAME)).to_be_visible()
    expect(page.get_by_text(EMAIL)).to_be_visible()
    assert NAME not in page.url and EMAIL not in page.url
    assert_accessible(page)

    page.reload()  # a refresh sends the form again: the identity is not shown again, nor recorded again
    expect(page.get_by_role("main")).to_contain_text("already revealed")
    expect(page.get_by_text(NAME)).to_have_count(0)

    page.goto(page.url)  # the same address again, by GET: the identity is not there any more
    expect(page.get_by_role("heading", level=1)).to_have_text("Reveal a named submitter")
    expect(page.get_by_text(NAME)).to_have_count(0)
    session = arranged.extensions["feedback_db"]()
    try:
        [event] = session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "identity_revealed"))
        assert (event.actor, event.reason, event.submission_id) == ("fola@example.org", REASON, receipt.submission_id)
    finally:
        session.close()
    assert_no_third_party_requests(page)


def test_the_reveal_requests_page_with_a_request_waiting_is_accessible(page: Page, live_server, arranged):
    receipt = submission(live_server, name=NAME, email=EMAIL)
    asker = make_staff(arranged, "facilitator", "asker@example.org", "Asha Asker")
    make_staff(arranged, "admin", "admin@example.org", "Ada Admin")
    session = arranged.extensions["feedback_db"]()
    try:
        settings.set_flag(session, settings.REVEAL_NEEDS_APPROVAL, True, by=audit.Actor(audit.SYSTEM),
                          now=clock.now())
        escrow.request_reveal(session, receipt.submission_id, REASON, by=asker.actor, now=clock.now())
    finally:
        session.close()
    log_in_to_staff_home(page, live_server, "admin@example.org")
    page.get_by_role("link", name="Reveal requests").click()
    expect(page.get_by_role("cell", name=REASON)).to_be_visible()
    assert_accessible(page)

    page.get_by_role("button", name="Approve request").click()
    expect(page.get_by_text("Request approved")).to_be_visible()
    expect(page.get_by_text("No requests are waiting.")).to_be_visible()
    assert_no_third_party_requests(page)


def test_a_submitter_reads_a_reply_and_answers_back(page: Page, live_server, arranged):
    receipt = submission(live_server)
    session = arranged.extensions["feedback_db"]()
    try:
        replies.add_staff_reply(session, receipt.submission_id, STAFF_REPLY, by=audit.Actor("fola@example.org"),
                                now=clock.now())
    finally:
        session.close()

    check_receipt(page, live_server, receipt.code)
    expect(page.get_by_role("heading", level=1)).to_have_text("Your submission")
    expect(page.get_by_text(STAFF_REPLY)).to_be_visible()
    assert_accessible(page)

    page.get_by_role("button", name="Send your answer").click()
    expect(page.get_by_role("alert")).to_contain_text("Write your answer before sending it.")
    assert_accessible(page)
    page.get_by_label("Your answer").fill(ANSWER)
    page.get_by_role("button", name="Send your answer").click()

    expect(page.get_by_text("Your answer was sent.")).to_be_visible()
    thread = page.get_by_role("list", name="Replies, oldest first").get_by_role("listitem")
    expect(thread).to_have_count(2)
    expect(thread.nth(0)).to_contain_text(STAFF_REPLY)
    expect(thread.nth(1)).to_contain_text(ANSWER)
    assert receipt.code not in page.url
    assert all(receipt.code not in cookie["value"] for cookie in page.context.cookies())
    assert_accessible(page)

    session = arranged.extensions["feedback_db"]()
    try:
        authors = list(session.scalars(sa.select(Reply.author).order_by(Reply.position)))
        assert authors == [replies.STAFF, replies.SUBMITTER]
    finally:
        session.close()
    assert_no_third_party_requests(page)
