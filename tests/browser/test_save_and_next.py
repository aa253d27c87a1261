"""At 1280 x 800 a facilitator moderates pending submissions one page load each, from the keyboard; axe is content."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa
from playwright.sync_api import Page, expect

from feedback.models import Submission, Tagging, Theme
from tests.browser.steps import assert_accessible, assert_no_third_party_requests, guard_page, log_in_to_staff_home
from tests.factories import make_submission, make_theme, today
from tests.staff import make_staff

FACILITATOR = "fola@example.org"
BODIES = [  # oldest first: the desk's order for pending submissions
    "Handover runs late every day and nobody is paid for it.",
    "Night staff park in an unlit car park.",
    "The rota is published two days before it starts.",
]


def arrange(server, app) -> None:
    """Three pending submissions received on different days, two themes, and a facilitator's account."""
    session = app.extensions["feedback_db"]()
    try:
        hall = server.open_hall(session)
        ring = app.extensions["feedback_keyring"]
        for days_ago, body in zip((3, 2, 1), BODIES, strict=True):
            stored = session.get(Submission, make_submission(session, ring, hall, body).submission_id)
            stored.received_on = today() - timedelta(days=days_ago)
            session.commit()  # before the next submission: each one's write starts by rolling back
        make_theme(session, "Nights", keywords="night")
        make_theme(session, "Pay", colour="#1e5631")
    finally:
        session.close()
    make_staff(app, "facilitator", FACILITATOR, "Fola")


@pytest.fixture
def desk(page: Page, live_server, arranged):
    """The submissions and themes arranged, and the facilitator logged in at 1280 x 800."""
    arrange(live_server, arranged)
    page.set_viewport_size({"width": 1280, "height": 800})
    log_in_to_staff_home(page, live_server, FACILITATOR)


def stored(server) -> dict[str, tuple[str, list[str]]]:
    """Each submission's status and themes, by its text."""
    found = {body: (status, []) for body, status in server.stored(sa.select(Submission.body, Submission.status))}
    for body, name in server.stored(sa.select(Submission.body, Theme.name).join(
            Tagging, Tagging.submission_id == Submission.id).join(Theme, Theme.id == Tagging.theme_id)):
        found[body][1].append(name)
    return found


def expect_open(page: Page, body: str) -> None:
    """The submission page showing this text under "What they wrote"."""
    expect(page.get_by_role("region", name="What they wrote")).to_contain_text(body)


def open_first_pending(page: Page, server) -> None:
    page.goto(server.url(f"/facilitate/{server.open_slug}"))
    page.get_by_role("row").filter(has_text=BODIES[0]).get_by_role(
        "link", name=re.compile(r"^Open submission from")).click()
    expect_open(page, BODIES[0])


def test_a_facilitator_publishes_and_tags_then_lands_on_the_next_pending_from_the_keyboard(page: Page, live_server,
                                                                                          desk):
    open_first_pending(page, live_server)
    expect(page.get_by_text("Ctrl+Enter (⌘+Enter on a Mac) saves and opens the next pending")).to_be_visible()
    page.get_by_role("checkbox", name="Pay").check()
    page.get_by_label("Published", exact=True).check()
    page.keyboard.press("Control+Enter")

    expect(page).to_have_url(re.compile(r"/facilitate/s/[0-9a-f-]+$"))
    expect_open(page, BODIES[1])
    expect(page.get_by_role("status").filter(has_text="Tagged with Pay.")).to_contain_text(
        "Status changed to published.")
    first_control = page.get_by_role("checkbox", name="Nights")
    expect(first_control).to_be_focused()
    expect(first_control).to_be_in_viewport()
    assert stored(live_server)[BODIES[0]] == ("published", ["Pay"])

    page.keyboard.press("Space")  # tick Nights, keep it pending, and go on with N
    page.keyboard.press("n")
    expect_open(page, BODIES[2])
    expect(page.get_by_role("checkbox", name="Nights")).to_be_focused()
    assert stored(live_server) == {BODIES[0]: ("published", ["Pay"]), BODIES[1]: ("pending", ["Nights"]),
                                   BODIES[2]: ("pending", [])}
    assert live_server.posts_received == 3  # the log-in, then one per submission
    assert_no_third_party_requests(page)


WATCH_SUBMITS = ("window.submitted = [];"
                 "document.addEventListener('submit', e => window.submitted.push(e.target.id), true)")


def test_n_on_another_control_or_with_a_reply_being_written_does_nothing(page: Page, live_server, desk):
    open_first_pending(page, live_server)
    page.evaluate(WATCH_SUBMITS)
    page.get_by_role("link", name=re.compile("^Back to the desk")).focus()
    page.keyboard.press("n")  # on a link outside the Moderate form
    page.get_by_label("Your reply").fill("Thank you, we will look at the rota")
    page.get_by_role("button", name="Send reply").focus()
    page.keyboard.press("n")  # the reply typed and not sent would be lost
    page.get_by_role("checkbox", name="Pay").focus()
    page.keyboard.press("n")  # in the Moderate form, but the reply is still unsent
    page.get_by_label("Your reply").press("Control+Enter")  # outside the Moderate form: not its shortcut
    assert page.evaluate("window.submitted") == []  # the handlers ran during each press; none submitted
    expect(page.get_by_label("Your reply")).to_have_value(re.compile(r"^Thank you, we will look at the rota"))
    page.get_by_label("Your reply").fill("")
    page.get_by_role("checkbox", name="Pay").focus()
    page.keyboard.press("n")  # nothing unsent elsewhere: N saves and goes on
    expect_open(page, BODIES[1])
    assert stored(live_server)[BODIES[0]] == ("pending", [])


def test_the_last_pending_one_goes_back_to_the_desk_with_a_message(page: Page, live_server, desk):
    open_first_pending(page, live_server)
    for _ in BODIES:
        page.get_by_label("Published", exact=True).check()
        page.get_by_role("button", name="Save and next").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(live_server.open_title)
    said = f"No more pending submissions in {live_server.open_title}."
    expect(page.get_by_role("status").filter(has_text=said)).to_be_visible()
    assert {status for status, _ in stored(live_server).values()} == {"published"}


def test_without_javascript_the_buttons_do_the_same_and_no_shortcut_is_offered(new_context, live_server, arranged):
    page = guard_page(new_context(java_script_enabled=False, viewport={"width": 1280, "height": 800}).new_page())
    arrange(live_server, arranged)
    log_in_to_staff_home(page, live_server, FACILITATOR)
    open_first_pending(page, live_server)
    expect(page.get_by_text("Ctrl+Enter (⌘+Enter on a Mac)")).to_be_hidden()
    page.get_by_role("checkbox", name="Pay").check()
    page.get_by_label("Published", exact=True).check()
    page.get_by_role("button", name="Save and next").click()
    expect_open(page, BODIES[1])
    page.get_by_role("button", name="Save", exact=True).click()
    expect_open(page, BODIES[1])
    expect(page.get_by_role("status")).to_have_text("Nothing changed.")
    assert stored(live_server)[BODIES[0]] == ("published", ["Pay"])
    assert_no_third_party_requests(page)


def submission_page(page: Page, server) -> None:
    open_first_pending(page, server)


def submission_page_refused(page: Page, server) -> None:
    open_first_pending(page, server)
    page.get_by_label("Hidden", exact=True).check()
    page.keyboard.press("Control+Enter")
    expect(page.get_by_role("alert")).to_contain_text("Choose why the submission is hidden.")
    expect(page.get_by_label("Hidden", exact=True)).to_be_checked()


PAGES = [submission_page, submission_page_refused]


@pytest.mark.parametrize("reach", PAGES, ids=[reach.__name__ for reach in PAGES])
def test_the_submission_page_has_no_accessibility_violations(reach, page: Page, live_server, desk):
    reach(page, live_server)

    assert_accessible(page)
    assert_no_third_party_requests(page)
