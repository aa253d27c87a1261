"""Mail in a real browser: a facilitator chooses messages, a leader is offered none, an admin retries; axe on each."""

from __future__ import annotations

from datetime import timedelta

from playwright.sync_api import Page, expect

from feedback import clock
from feedback.models import OutgoingMail
from tests.browser.steps import assert_accessible, log_in_to_staff_home
from tests.staff import make_staff


def test_a_facilitator_chooses_mail_and_the_pages_pass_axe(page: Page, live_server, arranged):
    make_staff(arranged, "facilitator", "fay@example.org", "Fay")
    log_in_to_staff_home(page, live_server, "fay@example.org")
    page.goto(live_server.url("/account/notifications"))
    assert_accessible(page)
    page.get_by_label("A submission was escalated by a colleague").check()
    page.get_by_label("A daily digest of new submissions").check()
    page.get_by_role("button", name="Save my choices").click()
    expect(page.get_by_role("status")).to_contain_text("Your mail choices are saved.")
    expect(page.get_by_label("A submission was escalated by a colleague")).to_be_checked()
    expect(page.get_by_label("Submitters' answers are waiting for a reply")).not_to_be_checked()
    assert_accessible(page)


def test_a_leader_page_and_the_admin_mail_page_pass_axe(page: Page, live_server, arranged):
    make_staff(arranged, "leader", "lee@example.org", "Lee")
    make_staff(arranged, "admin", "ada@example.org", "Ada")
    session = arranged.extensions["feedback_db"]()
    session.add(OutgoingMail(kind="escalations", subject="s", body="b", status="failed", attempts=5,
                             send_after=clock.now() - timedelta(hours=1), last_error="ConnectionRefusedError"))
    session.commit()
    session.close()
    log_in_to_staff_home(page, live_server, "lee@example.org")
    page.goto(live_server.url("/account/notifications"))
    expect(page.get_by_text("No mail is offered to leaders")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Log out").click()
    log_in_to_staff_home(page, live_server, "ada@example.org")
    page.goto(live_server.url("/admin/mail"))
    assert_accessible(page)
    page.get_by_role("button", name="Retry").click()
    expect(page.get_by_role("status")).to_contain_text("queued again")
    expect(page.get_by_text("No message has failed.")).to_be_visible()
    assert_accessible(page)
