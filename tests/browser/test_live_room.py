"""A live session in the browser: the audience's phone, the moderator's queue and the presenter screen, each in
its own browser, updating without a reload; "me too" once per browser; no name in the room; the audience page
without JavaScript; axe, third-party requests and console errors on every live page."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest
import sqlalchemy as sa
from playwright.sync_api import Browser, Page, expect

from feedback import clock, crypto
from feedback.models import LiveQuestion, LiveVote, Submission
from feedback.services.intake import submitting
from feedback.services.live import questions, sessions
from tests.browser.steps import (
    assert_accessible,
    assert_no_third_party_requests,
    guard_page,
    log_in_to_staff_home,
    read_receipt_code,
)
from tests.live_pages import MODERATOR, asked
from tests.staff import make_staff

FACILITATOR = "fola@example.org"
PHONE = {"width": 390, "height": 844}
DESK = {"width": 1280, "height": 800}
QUESTION = "Why are the rotas posted so late?"
SECOND = "Who decides who works nights?"
NAME, EMAIL = "Priya Raman", "priya.raman@example.org"
WAIT = 10_000  # ms: polling every LIVE_POLL_SECONDS (2 s) shows a change within a few seconds
MARK = "window.__notReloaded = true"
MARKED = "window.__notReloaded === true"


def watch(page: Page) -> Page:
    """Guard the page against third-party requests and record its console errors and uncaught exceptions."""
    guard_page(page)
    problems: list[str] = []

    def console(message) -> None:
        # The status of the page itself (a 404 of an unknown code, a 422 of a refused form) is asserted by the
        # tests; any other error (a CSP violation, a failed script, style sheet or feed) is a problem.
        if message.type == "error" and not (message.text.startswith("Failed to load resource")
                                             and message.location.get("url") == page.url):
            problems.append(f"{message.text} at {message.location.get('url')}")

    page.on("console", console)
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.console_problems = problems  # type: ignore[attr-defined]
    return page


def assert_clean(page: Page, expected: str | None = None) -> None:
    """No request left 127.0.0.1 and the console stayed free of errors (a CSP violation is one), but the
    expected one (the browser logs the 404 by which a page's feed says the session ended)."""
    assert_no_third_party_requests(page)
    problems = [problem for problem in page.console_problems  # type: ignore[attr-defined]
                if expected is None or not problem.endswith(expected)]
    assert problems == [], f"console errors: {problems}"


def mark_loaded(page: Page) -> None:
    """Set a marker in the page's window: a reload or a navigation would drop it."""
    page.evaluate(MARK)


def assert_not_reloaded(page: Page) -> None:
    assert page.evaluate(MARKED) is True, "the page was reloaded or left"


@pytest.fixture
def open_browser(browser: Browser) -> Iterator[Callable[..., Page]]:
    """Open a page in a browser of its own (its own cookies), guarded and watched; closed at the end."""
    opened = []

    def open_page(viewport: dict = DESK, **options) -> Page:
        context = browser.new_context(viewport=viewport, **options)
        opened.append(context)
        return watch(context.new_page())

    yield open_page
    for context in opened:
        context.close()


def phone(open_browser, **options) -> Page:
    return open_browser(PHONE, is_mobile=True, has_touch=True, **options)


@dataclass(frozen=True)
class Room:
    """A running live session, as the tests need it after its database session closed."""

    id: int
    code: str


def start(live_server, arranged, *, presenter: bool = True):
    """A running live session on the open town hall (and a presenter link), arranged through the services."""
    session = arranged.extensions["feedback_db"]()
    live = sessions.start(session, live_server.open_hall(session).id, by=MODERATOR, now=clock.now())
    token = sessions.new_presenter_link(session, live.id, by=MODERATOR, now=clock.now()) if presenter else None
    return session, Room(live.id, live.code), token


def ask_through_services(arranged, session, live, body: str, **fields) -> uuid.UUID:
    receipt = questions.ask(session, arranged.extensions["feedback_keyring"], live.code, crypto.new_form_token(),
                            submitting.NewSubmission(body=body, **fields), clock.today())
    return receipt.submission_id


def approved(arranged, session, live, body: str) -> uuid.UUID:
    submission_id = ask_through_services(arranged, session, live, body)
    questions.approve(session, submission_id, by=MODERATOR, now=clock.now())
    return submission_id


def ask(page: Page, question: str, *, name: str | None = None, email: str | None = None) -> str:
    """On the audience page: type a question (anonymous unless a name is given), press Send; the receipt code."""
    page.get_by_label("Your question").fill(question)
    if name is not None:
        page.get_by_label("Add my name and email").check()
        page.get_by_label("Your name").fill(name)
        page.get_by_label("Your email (optional)").fill(email or "")
    page.get_by_role("button", name="Send").click()
    return read_receipt_code(page)


def facilitator_on_live_page(open_browser, live_server, arranged) -> Page:
    make_staff(arranged, "facilitator", FACILITATOR, "Fola")
    moderator = open_browser(DESK)
    log_in_to_staff_home(moderator, live_server, FACILITATOR)
    moderator.goto(live_server.url(f"/facilitate/live/{live_server.open_slug}"))
    return moderator


def votes_shown(page: Page, submission_id: uuid.UUID):
    return page.locator(f"#q-{submission_id} .live-votes")


def stored_votes(live_server) -> int:
    return live_server.stored(sa.select(sa.func.count()).select_from(LiveVote))[0][0]


def test_a_question_from_a_phone_is_approved_and_shown_on_screen_and_no_page_reloads(live_server, arranged,
                                                                                     open_browser):
    moderator = facilitator_on_live_page(open_browser, live_server, arranged)
    moderator.get_by_role("button", name="Start live session").click()
    code = moderator.locator("#live-code").inner_text().strip()
    assert re.fullmatch(r"[0-9A-Z]{6}", code), code
    moderator.get_by_role("button", name="Make a presenter link").click()
    presenter_url = moderator.locator("#presenter-url").inner_text().strip()
    assert presenter_url.startswith(live_server.url("/present/")), presenter_url

    presenter = open_browser(DESK)
    presenter.goto(presenter_url)
    expect(presenter.locator("#presenter-code")).to_have_text(code)
    mark_loaded(presenter)
    moderator.goto(live_server.url(f"/facilitate/live/{live_server.open_slug}"))
    expect(moderator.locator("#pending")).to_contain_text("No questions waiting.")
    mark_loaded(moderator)

    audience = phone(open_browser)
    audience.goto(live_server.url(f"/live/{code}"))
    expect(audience.get_by_text("Questions are read by a moderator before they appear here.")).to_be_visible()
    assert audience.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]  # no sideways scrolling
    ask(audience, QUESTION)
    audience.get_by_role("link", name="Back to the live questions").click()
    expect(audience).to_have_url(live_server.url(f"/live/{code}"))
    mark_loaded(audience)
    expect(audience.locator("#live-questions")).not_to_contain_text(QUESTION)  # pending: the room does not see it

    pending = moderator.locator("#pending li").filter(has_text=QUESTION)
    expect(pending).to_be_visible(timeout=WAIT)  # the moderator's queue polled it in
    assert_not_reloaded(moderator)
    expect(presenter.locator("#presenter-feed")).not_to_contain_text(QUESTION)
    pending.get_by_role("button", name=re.compile("^Approve as asked")).click()
    expect(moderator.get_by_text("Approved: the question is at the end of the queue")).to_be_visible()

    expect(audience.locator("#live-questions li").filter(has_text=QUESTION)).to_be_visible(timeout=WAIT)
    expect(presenter.locator("#presenter-queue")).to_contain_text(QUESTION, timeout=WAIT)
    expect(presenter.locator("#presenter-on-screen")).to_contain_text("No question is on screen.")

    moderator.locator("#approved li").filter(has_text=QUESTION).get_by_role(
        "button", name=re.compile("^Show on screen")).click()
    expect(presenter.locator("#presenter-on-screen")).to_contain_text(QUESTION, timeout=WAIT)
    expect(audience.locator("#on-screen")).to_contain_text(QUESTION, timeout=WAIT)
    expect(presenter.locator("#presenter-queue")).to_contain_text("No approved questions waiting.")
    expect(audience.locator("#live-announce")).to_have_text("New question on screen.")
    for page in (audience, presenter):
        assert_not_reloaded(page)
    for page in (audience, presenter, moderator):
        assert_clean(page)


def test_me_too_counts_once_per_browser_and_the_first_browser_still_sees_it_after_a_reload(live_server, arranged,
                                                                                          open_browser):
    session, live, token = start(live_server, arranged)
    submission_id = approved(arranged, session, live, QUESTION)
    session.close()
    first, second = phone(open_browser), phone(open_browser)
    presenter = open_browser(DESK)
    presenter.goto(live_server.url(f"/present/{token}"))
    mark_loaded(presenter)
    for page in (first, second):
        page.goto(live_server.url(f"/live/{live.code}"))
        mark_loaded(page)
        expect(votes_shown(page, submission_id)).to_have_text("0 “me too”")

    first.locator(f"#q-{submission_id}").get_by_role("button", name="Me too").click()
    expect(first.locator(f"#q-{submission_id} button")).to_have_text("You said me too")
    expect(first.locator(f"#q-{submission_id} button")).to_be_disabled()
    expect(votes_shown(second, submission_id)).to_have_text("1 “me too”", timeout=WAIT)
    second.locator(f"#q-{submission_id}").get_by_role("button", name="Me too").click()
    for page in (first, second):
        expect(votes_shown(page, submission_id)).to_have_text("2 “me too”", timeout=WAIT)
        expect(page.locator(f"#q-{submission_id} button")).to_have_text("You said me too")  # marked again after
        expect(page.locator(f"#q-{submission_id} button")).to_be_disabled()  # the poll replaced the list
        assert_not_reloaded(page)
    expect(presenter.locator(f"#p-{submission_id} .presenter-votes")).to_have_text("2 “me too”", timeout=WAIT)
    assert_not_reloaded(presenter)

    sent: list[str] = []
    first.on("request", lambda request: sent.append(request.url) if request.method == "POST" else None)
    first.locator(f"#q-{submission_id} form").evaluate("form => form.requestSubmit()")  # pressing again
    first.wait_for_event("request", lambda request: request.url.endswith("/feed"))  # a vote would be sent by now
    assert sent == []  # the page did not even send it
    first.reload()
    expect(first.locator(f"#q-{submission_id} button")).to_have_text("You said me too")
    expect(first.locator(f"#q-{submission_id} button")).to_be_disabled()
    expect(votes_shown(first, submission_id)).to_have_text("2 “me too”")
    # Sent anyway, with this browser's cookie and the page's CSRF token: the server counts it once.
    answer = first.evaluate("""url => fetch(url, {method: "POST", headers: {"Accept": "application/json",
        "X-CSRFToken": document.querySelector('meta[name="csrf-token"]').content}}).then(r => r.json())""",
                            f"/live/{live.code}/q/{submission_id}/vote")
    assert answer == {"counted": True, "message": "You said “me too”."}  # the same answer as a counted vote
    assert stored_votes(live_server) == 2
    for page in (first, second, presenter):
        assert_clean(page)


def test_a_named_question_shows_no_name_in_the_room_on_the_screen_or_in_the_queue(live_server, arranged,
                                                                                  open_browser):
    moderator = facilitator_on_live_page(open_browser, live_server, arranged)
    session, live, token = start(live_server, arranged)
    session.close()
    audience, presenter = phone(open_browser), open_browser(DESK)
    audience.goto(live_server.url(f"/live/{live.code}"))
    ask(audience, QUESTION, name=NAME, email=EMAIL)
    audience.get_by_role("link", name="Back to the live questions").click()
    presenter.goto(live_server.url(f"/present/{token}"))
    for page in (audience, presenter):
        mark_loaded(page)

    moderator.goto(live_server.url(f"/facilitate/live/{live_server.open_slug}"))
    pending = moderator.locator("#pending li").filter(has_text=QUESTION)
    expect(pending.locator(".badge")).to_have_text("Named")
    pending.get_by_role("button", name=re.compile("^Approve as asked")).click()
    expect(moderator.locator("#approved li").filter(has_text=QUESTION).locator(".badge")).to_have_text("Named")
    moderator.locator("#approved li").filter(has_text=QUESTION).get_by_role(
        "button", name=re.compile("^Show on screen")).click()
    expect(moderator.locator("#on-screen")).to_contain_text(QUESTION)

    expect(audience.locator("#on-screen")).to_contain_text(QUESTION, timeout=WAIT)
    expect(presenter.locator("#presenter-on-screen")).to_contain_text(QUESTION, timeout=WAIT)
    for page in (audience, presenter, moderator):
        text = page.locator("body").inner_text()
        html = page.content()
        for secret in (NAME, "Priya", EMAIL):
            assert secret not in text and secret not in html, f"{secret!r} shown on {page.url}"
    for page, region in ((audience, "#live-questions"), (presenter, "#presenter-feed")):
        assert "Named" not in page.locator(region).inner_text()  # not even that the question had a name
        assert_not_reloaded(page)
    for page in (audience, presenter, moderator):
        assert_clean(page)


def test_without_javascript_the_audience_page_asks_and_says_me_too(live_server, arranged, open_browser):
    session, live, _token = start(live_server, arranged, presenter=False)
    submission_id = approved(arranged, session, live, QUESTION)
    session.close()
    audience = phone(open_browser, java_script_enabled=False)
    audience.goto(live_server.url(f"/live/{live.code}"))
    ask(audience, SECOND)
    assert set(live_server.stored(sa.select(Submission.body).join(LiveQuestion))) == {(QUESTION,), (SECOND,)}
    audience.get_by_role("link", name="Back to the live questions").click()
    expect(votes_shown(audience, submission_id)).to_have_text("0 “me too”")

    audience.locator(f"#q-{submission_id}").get_by_role("button", name="Me too").click()
    expect(audience).to_have_url(live_server.url(f"/live/{live.code}#q-{submission_id}"))
    expect(audience.get_by_text("You said “me too”.")).to_be_visible()
    expect(votes_shown(audience, submission_id)).to_have_text("1 “me too”")
    expect(audience.locator(f"#q-{submission_id} button")).to_have_text("You said me too")
    expect(audience.locator(f"#q-{submission_id} button")).to_be_disabled()
    assert stored_votes(live_server) == 1

    session = arranged.extensions["feedback_db"]()
    try:
        questions.approve(session, asked(session, SECOND), by=MODERATOR, now=clock.now())
    finally:
        session.close()
    audience.get_by_role("link", name="Show the latest questions").click()
    expect(audience.locator("#live-questions li").filter(has_text=SECOND)).to_be_visible()
    assert_clean(audience)


def test_the_live_pages_have_no_accessibility_violations_nor_third_party_requests_nor_console_errors(
        live_server, arranged, open_browser):
    session, live, token = start(live_server, arranged)
    first = approved(arranged, session, live, QUESTION)
    waiting = approved(arranged, session, live, SECOND)
    questions.show(session, first, by=MODERATOR, now=clock.now())
    questions.set_note(session, waiting, "Ask the head of nursing", by=MODERATOR, now=clock.now())
    ask_through_services(arranged, session, live, "Can the car park lights be fixed?")
    session.close()

    audience = phone(open_browser)
    for path, status in (("/live", 200), ("/live?code=nope", 404), (f"/live/{live.code}", 200),
                         ("/live/ZZZZZZ", 404), (f"/present/{token}", 200), ("/present/not-a-token", 404)):
        assert audience.goto(live_server.url(path)).status == status, path
        assert_accessible(audience)
    audience.goto(live_server.url(f"/live/{live.code}"))
    audience.get_by_role("button", name="Send").click()  # empty: the form comes back with its error
    expect(audience.get_by_role("alert")).to_be_visible()
    assert_accessible(audience)
    audience.goto(live_server.url(f"/live/{live.code}"))
    audience.locator(f"#q-{waiting}").get_by_role("button", name="Me too").click()
    expect(audience.locator(f"#q-{waiting}")).to_have_attribute("data-votes", "1", timeout=WAIT)  # polled in
    assert_accessible(audience)
    ask(audience, "A question")
    assert_accessible(audience)

    moderator = facilitator_on_live_page(open_browser, live_server, arranged)
    expect(moderator.locator("#pending")).to_contain_text("Can the car park lights be fixed?")
    expect(moderator.locator("#approved")).to_contain_text(SECOND)
    assert_accessible(moderator)
    moderator.get_by_role("button", name="Make a new presenter link").click()
    expect(moderator.locator("#presenter-url")).to_contain_text("/present/")
    assert_accessible(moderator)
    token = moderator.locator("#presenter-url").inner_text().strip().rsplit("/", 1)[1]  # the old link is replaced
    moderator.goto(live_server.url(f"/facilitate/live/{live_server.open_slug}"))
    moderator.locator("#pending li").first.get_by_role("link", name=re.compile("^Redact, dismiss or merge")).click()
    expect(moderator.get_by_role("button", name="Approve", exact=True)).to_be_visible()
    assert_accessible(moderator)
    moderator.goto(live_server.url(f"/facilitate/live/{live.id}/print"))
    expect(moderator.locator("#live-code")).to_have_text(live.code)
    assert_accessible(moderator)

    presenter = open_browser(DESK)
    presenter.goto(live_server.url(f"/present/{token}"))
    expect(presenter.locator("#presenter-on-screen")).to_contain_text(QUESTION)
    assert_accessible(presenter)
    for page in (audience, moderator, presenter):
        assert_clean(page)


def test_a_keyboard_user_keeps_focus_on_their_me_too_button_while_the_list_refreshes(live_server, arranged,
                                                                                    open_browser):
    session, room, _token = start(live_server, arranged, presenter=False)
    first = approved(arranged, session, room, QUESTION)
    second = approved(arranged, session, room, SECOND)
    session.close()
    voter, keyboard = phone(open_browser), phone(open_browser)
    for page in (voter, keyboard):
        page.goto(live_server.url(f"/live/{room.code}"))
    keyboard.locator(f"#q-{second}").get_by_role("button", name="Me too").focus()
    mark_loaded(keyboard)
    voter.locator(f"#q-{first}").get_by_role("button", name="Me too").click()
    expect(keyboard.locator(f"#q-{first}")).to_have_attribute("data-votes", "1", timeout=WAIT)  # the list replaced
    expect(keyboard.locator(f"#q-{second}").get_by_role("button", name="Me too")).to_be_focused()
    keyboard.keyboard.press("Enter")
    expect(keyboard.locator(f"#q-{second} button")).to_have_text("You said me too")
    expect(keyboard.locator(f"#q-{second}")).to_have_attribute("data-votes", "1", timeout=WAIT)
    assert_not_reloaded(keyboard)
    for page in (voter, keyboard):
        assert_clean(page)


RECORD_WAITS = """
window.__waits = [];
const later = window.setTimeout;
window.setTimeout = function (callback, ms, ...rest) {
  if (ms >= 1000) { window.__waits.push(ms); }
  return later.call(window, callback, ms, ...rest);
};
"""


def test_phones_that_open_the_page_together_do_not_poll_in_step(live_server, arranged, open_browser):
    """A room's phones poll about every period, but each wait is drawn anew (0.9 to 1.1 times the period): phones
    that loaded together, or whose answers a slow moment held back, must not all come back together every period,
    each burst queueing a question behind hundreds of polls (bench/RESULTS.md, live_load)."""
    session, room, _token = start(live_server, arranged, presenter=False)
    session.close()
    page = phone(open_browser)
    page.add_init_script(RECORD_WAITS)
    first_waits = []
    for _ in range(6):  # six phones opening the page: each first wait is the script's own draw
        page.goto(live_server.url(f"/live/{room.code}"))
        every = float(page.locator("[data-live-feed]").get_attribute("data-live-every") or "") * 1000
        page.wait_for_function("window.__waits.length > 0")
        first_waits.append(page.evaluate("window.__waits[0]"))
    assert all(0.9 * every <= wait <= 1.1 * every for wait in first_waits), (every, first_waits)
    assert len(set(first_waits)) > 1, f"every phone waits {first_waits[0]} ms: they poll in step"
    assert_clean(page)


def test_a_revoked_presenter_link_and_an_ended_session_stop_the_pages_and_say_so(live_server, arranged,
                                                                                 open_browser):
    moderator = facilitator_on_live_page(open_browser, live_server, arranged)
    session, room, token = start(live_server, arranged)
    approved(arranged, session, room, QUESTION)
    session.close()
    presenter, audience = open_browser(DESK), phone(open_browser)
    presenter.goto(live_server.url(f"/present/{token}"))
    audience.goto(live_server.url(f"/live/{room.code}"))
    for page in (presenter, audience):
        expect(page.locator("body")).to_contain_text(QUESTION)
        mark_loaded(page)

    moderator.goto(live_server.url(f"/facilitate/live/{live_server.open_slug}"))
    moderator.get_by_role("button", name="Revoke the presenter link").click()
    expect(moderator.get_by_text("The presenter link no longer works.")).to_be_visible()
    gone = "This live session has ended, or this page's link no longer works."
    expect(presenter.locator("#live-announce")).to_have_text(gone, timeout=WAIT)
    expect(audience.locator("#live-announce")).not_to_have_text(gone)
    assert presenter.goto(live_server.url(f"/present/{token}")).status == 404

    moderator.get_by_role("button", name="End the live session").click()
    expect(moderator.get_by_text("The live session has ended")).to_be_visible()
    expect(audience.locator("#live-announce")).to_have_text(gone, timeout=WAIT)
    expect(audience.locator("#live-questions")).to_contain_text(QUESTION)  # what was shown stays readable
    assert_not_reloaded(audience)
    assert_clean(moderator)
    assert_clean(audience, expected=f"404 (NOT FOUND) at {live_server.url(f'/live/{room.code}/feed')}")
    assert_clean(presenter, expected=f"404 (NOT FOUND) at {live_server.url(f'/present/{token}/feed')}")


def test_a_redacted_question_reaches_the_room_a_note_only_the_screen_and_a_dismissed_one_leaves_both(
        live_server, arranged, open_browser):
    moderator = facilitator_on_live_page(open_browser, live_server, arranged)
    session, room, token = start(live_server, arranged)
    ask_through_services(arranged, session, room, "Dr Okafor shouted at me on ward 7. What will be done?")
    session.close()
    audience, presenter = phone(open_browser), open_browser(DESK)
    audience.goto(live_server.url(f"/live/{room.code}"))
    presenter.goto(live_server.url(f"/present/{token}"))
    for page in (audience, presenter):
        mark_loaded(page)

    moderator.goto(live_server.url(f"/facilitate/live/{live_server.open_slug}"))
    moderator.locator("#pending li").first.get_by_role("link", name=re.compile("^Redact, dismiss or merge")).click()
    moderator.get_by_label("Text the room will see").fill("A consultant shouted at staff. What will be done?")
    moderator.get_by_role("button", name="Approve", exact=True).click()
    expect(moderator.get_by_text("Approved with your redaction")).to_be_visible()
    expect(audience.locator("#live-questions")).to_contain_text("A consultant shouted at staff.", timeout=WAIT)
    expect(presenter.locator("#presenter-queue")).to_contain_text("A consultant shouted at staff.", timeout=WAIT)

    moderator.locator("#approved li").first.get_by_role("link", name=re.compile("^Note or dismiss")).click()
    moderator.get_by_label("Note to the presenter").fill("Ask the medical director to answer")
    moderator.get_by_role("button", name="Save the note").click()
    expect(moderator.get_by_text("Note saved: the presenter sees it.")).to_be_visible()
    expect(presenter.locator("#presenter-queue")).to_contain_text("Ask the medical director to answer", timeout=WAIT)
    for page in (audience, presenter):
        text = page.locator("body").inner_text()
        assert "Okafor" not in text and "ward 7" not in text, page.url
    assert "medical director" not in audience.locator("body").inner_text()

    moderator.locator("#approved li").first.get_by_role("link", name=re.compile("^Note or dismiss")).click()
    moderator.get_by_label("Reason for dismissing").select_option("identifying")
    moderator.get_by_role("button", name="Dismiss", exact=True).click()
    expect(moderator.get_by_text("Dismissed (identifying)")).to_be_visible()
    expect(audience.locator("#live-questions")).not_to_contain_text("A consultant shouted", timeout=WAIT)
    expect(presenter.locator("#presenter-feed")).not_to_contain_text("A consultant shouted", timeout=WAIT)
    for page in (audience, presenter):
        assert_not_reloaded(page)
    for page in (audience, presenter, moderator):
        assert_clean(page)
