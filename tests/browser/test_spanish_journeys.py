"""A community member who reads Spanish does everything in Spanish: switch, send, keep the receipt, check it,
read a reply, answer it and withdraw; and the Spanish pages have no accessibility violations.

The words the test looks for come from the shipped Spanish catalog (feedback/translations), so it follows the
translation as it is reworded; it fails if a page is left in English or a label is not translated."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import polib
import sqlalchemy as sa
from playwright.sync_api import Page, expect

from feedback import clock
from feedback.audit import Actor
from feedback.models import Submission
from feedback.services.moderation import replies
from tests.browser.steps import RECEIPT_CODE, assert_accessible, assert_no_third_party_requests

CATALOG = Path(__file__).resolve().parents[2] / "feedback/translations/es/LC_MESSAGES/messages.po"
CONCERN = "El horario de guardias no tiene en cuenta a quienes cuidan a sus hijos. ¿Pueden publicarlo antes?"
STAFF_REPLY = "Gracias por escribirnos. ¿En qué servicio trabaja?"
ANSWER = "En pediatría, en el turno de noche."


@cache
def spanish() -> dict[str, str]:
    return {entry.msgid: entry.msgstr for entry in polib.pofile(str(CATALOG)) if entry.msgstr}


def es(english: str) -> str:
    """The Spanish of one of our messages; a message the catalog does not translate fails the test here."""
    return spanish()[english]


def expect_spanish_page(page: Page) -> None:
    expect(page.locator("html")).to_have_attribute("lang", "es")


def send_in_spanish(page: Page, server) -> str:
    """From the home page in English: switch to Spanish, open the town hall, send a concern; the receipt code."""
    page.goto(server.url("/"))
    page.get_by_role("link", name="Español").click()
    expect_spanish_page(page)
    page.get_by_role("link", name=server.open_title).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(server.open_title)
    expect(page.get_by_label(es("Send it anonymously"))).to_be_checked()
    assert_accessible(page)
    page.get_by_label(es("Your concern")).fill(CONCERN)
    page.get_by_role("button", name=es("Send"), exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(es("Thank you. We received your concern."))
    expect_spanish_page(page)
    code = page.locator("#receipt-code").inner_text().strip()
    assert RECEIPT_CODE.match(code)
    assert_accessible(page)
    return code


def check_in_spanish(page: Page, server, code: str) -> None:
    page.goto(server.url("/receipt"))
    expect(page.get_by_role("heading", level=1)).to_have_text(es("Check a receipt"))
    page.get_by_label(es("Your receipt code")).fill(code.lower().replace("-", " "))
    page.get_by_role("button", name=es("Check"), exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(es("Your submission"))


def test_a_spanish_reader_sends_checks_answers_and_withdraws_in_spanish(page: Page, live_server, arranged):
    code = send_in_spanish(page, live_server)

    check_in_spanish(page, live_server, code)
    main = page.get_by_role("main")
    expect(main).to_contain_text(es("Received. A facilitator has not reviewed it yet."))
    expect(main).to_contain_text(CONCERN)
    # The date as a Spanish reader writes it ("1 de diciembre de 2026").
    expect(main).to_contain_text(re.compile(r"\d{1,2} de [a-z]+ de \d{4}"))
    assert_accessible(page)

    session = arranged.extensions["feedback_db"]()
    try:
        [(submission_id,)] = live_server.stored(sa.select(Submission.id))
        replies.add_staff_reply(session, submission_id, STAFF_REPLY, by=Actor("facilitator@example.org"),
                                now=clock.now())
    finally:
        session.close()

    check_in_spanish(page, live_server, code)
    expect(main).to_contain_text(STAFF_REPLY)
    expect(main).to_contain_text(es("A facilitator"))
    page.get_by_label(es("Your answer")).fill(ANSWER)
    page.get_by_role("button", name=es("Send your answer")).click()
    expect(page.get_by_text(es("Your answer was sent. A facilitator will see it."))).to_be_visible()
    expect(main).to_contain_text(ANSWER)
    expect_spanish_page(page)
    assert_accessible(page)

    page.get_by_role("button", name=es("Withdraw this submission")).click()  # the box not ticked: refused
    expect(page.get_by_role("alert")).to_contain_text(
        es("Tick the box to confirm that you want to withdraw your submission."))
    assert_accessible(page)
    page.get_by_label(es("I understand that my submission, my name if I gave it, and all replies will be deleted "
                         "for good")).check()
    page.get_by_role("button", name=es("Withdraw this submission")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(es("Your submission was withdrawn"))
    expect_spanish_page(page)
    assert_accessible(page)
    assert live_server.count_submissions() == 0
    assert_no_third_party_requests(page)


def test_a_browser_set_to_spanish_gets_spanish_pages_without_switching(browser, live_server):
    context = browser.new_context(locale="es-419")
    try:
        page = context.new_page()
        page.goto(live_server.url("/receipt"))
        expect_spanish_page(page)
        expect(page.get_by_role("heading", level=1)).to_have_text(es("Check a receipt"))
        page.get_by_role("button", name=es("Check"), exact=True).click()  # nothing typed
        expect(page.get_by_role("alert")).to_be_visible()
        assert_accessible(page)
        page.get_by_role("link", name="English").click()
        expect(page.locator("html")).to_have_attribute("lang", "en")
        expect(page.get_by_role("heading", level=1)).to_have_text("Check a receipt")
    finally:
        context.close()


def test_a_wrong_code_is_refused_in_spanish_with_what_was_typed_kept(page: Page, live_server):
    page.goto(live_server.url("/language/es?next=/receipt"))
    page.get_by_label(es("Your receipt code")).fill("ABCD-2345-EFGH-6789-JKMN")
    page.get_by_role("button", name=es("Check"), exact=True).click()
    expect(page.get_by_role("main")).to_contain_text(
        es("We could not find a submission with that code. Check each character and try again."))
    expect(page.get_by_label(es("Your receipt code"))).to_have_value("ABCD-2345-EFGH-6789-JKMN")
    assert_accessible(page)
