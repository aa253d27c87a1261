"""Issue 12, item 3, the other direction: a submitter's POST is padded by pad-form.js, so its size (which TLS does
not hide) cannot be matched to the question when it appears on the room's screen, nor tell a named one."""

from __future__ import annotations

from collections.abc import Callable

from playwright.sync_api import Page, expect

from feedback import clock
from feedback.services.live import sessions
from tests.browser.steps import read_receipt_code
from tests.live_pages import MODERATOR

BLOCK = 16 * 1024
SHORT = "Rotas late"  # 10 characters
# 3,000 characters with what costs most on the wire: spaces ("+"), "&" ("%26"), accents and emoji (UTF-8, escaped),
# line breaks (sent as CRLF, "%0D%0A")
LONG = ("Rotas & nights, café – 😀\n" * 200)[:3000]
NAME, EMAIL = "Ngozi Abernathy-Cole", "ngozi@example.org"


def sent_body(page: Page, path: str, press_send: Callable[[], None]) -> bytes:
    """The body of the POST pressing Send makes to path, as it left the browser."""
    with page.expect_request(lambda request: request.method == "POST" and request.url.endswith(path)) as sent:
        press_send()
    body = sent.value.post_data_buffer
    assert body is not None, "the POST had no body"
    return body


def fill_concern(page: Page, label: str, text: str, named: bool) -> None:
    page.get_by_label(label).fill(text)
    if named:
        page.get_by_label("Add my name and email").check()
        page.get_by_label("Your name").fill(NAME)
        page.get_by_label("Your email (optional)").fill(EMAIL)


def assert_one_padded_size(bodies: list[bytes]) -> None:
    sizes = [len(body) for body in bodies]
    assert len(set(sizes)) == 1 and sizes[0] % BLOCK == 0, sizes
    assert all(body.count(b"&pad=") == 1 for body in bodies)


def test_the_town_hall_form_sends_short_long_and_named_concerns_in_one_size(page: Page, live_server):
    path = f"/t/{live_server.open_slug}"
    bodies = []
    for text, named in [(SHORT, False), (LONG, False), (SHORT, True)]:
        page.goto(live_server.url(path))
        fill_concern(page, "Your concern", text, named)
        bodies.append(sent_body(page, path, page.get_by_role("button", name="Send").click))
        read_receipt_code(page)
    assert_one_padded_size(bodies)
    assert b"Rotas+%26+nights" in bodies[1] and b"Ngozi" in bodies[2]  # the words were sent, urlencoded
    assert live_server.count_submissions() == 3


def test_a_live_question_is_sent_in_one_size_however_long_and_whether_named(page: Page, live_server, arranged):
    session = arranged.extensions["feedback_db"]()
    try:
        code = sessions.start(session, live_server.open_hall(session).id, by=MODERATOR, now=clock.now()).code
    finally:
        session.close()
    path = f"/live/{code}/ask"
    bodies = []
    for text, named in [(SHORT, False), (LONG, False), (SHORT, True)]:
        page.goto(live_server.url(f"/live/{code}"))
        fill_concern(page, "Your question", text, named)
        bodies.append(sent_body(page, path, page.locator("#ask").get_by_role("button", name="Send").click))
        read_receipt_code(page)
    assert_one_padded_size(bodies)
    assert live_server.count_submissions() == 3


def test_a_receipts_check_answers_and_withdrawal_are_padded_too(page: Page, live_server):
    page.goto(live_server.url(f"/t/{live_server.open_slug}"))
    fill_concern(page, "Your concern", SHORT, False)
    page.get_by_role("button", name="Send").click()
    code = read_receipt_code(page)
    page.goto(live_server.url("/receipt"))
    page.get_by_label("Your receipt code").fill(code)
    bodies = [sent_body(page, "/receipt", page.get_by_role("button", name="Check").click)]
    for answer in [SHORT, LONG]:
        page.get_by_label("Your answer").fill(answer)
        bodies.append(sent_body(page, "/receipt/reply", page.get_by_role("button", name="Send your answer").click))
        expect(page.get_by_text(answer[:40]).first).to_be_visible()
    page.get_by_label("I understand").check()
    bodies.append(sent_body(page, "/receipt/withdraw", page.get_by_role("button", name="Withdraw").click))
    expect(page.get_by_role("heading", level=1)).to_have_text("Your submission was withdrawn")
    assert_one_padded_size(bodies)
