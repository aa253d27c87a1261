"""From a receipt to what is being done: the concern's public themes and the published actions on them."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest

from feedback.filters import format_date
from feedback.forms.public import COMMENT_MAX
from feedback.logs import DropSubmitterLines, is_submitter_path
from feedback.padding import BUCKET
from feedback.services.actions.public import RECEIPT_ACTIONS, RECEIPT_THEMES
from tests.browsing import check_receipt, receipt_code, send_concern, text
from tests.factories import make_theme, tag, today
from tests.plan_rows import add_update, make_action, publish
from tests.stored import submissions


def sent(client, db_session, hall, body: str = "The rota ignores childcare."):
    """Send a concern; return its receipt code and its submission's id."""
    code = receipt_code(send_concern(client, hall.slug, body))
    found = [s for s in submissions(db_session) if s.body == body]
    return code, found[-1].id


def test_the_status_page_shows_the_actions_on_a_published_concern_s_themes(client, db_session, hall):
    theme, other = make_theme(db_session, "Childcare"), make_theme(db_session, "Parking")
    code, submission_id = sent(client, db_session, hall)
    tag(db_session, submission_id, theme)
    action = make_action(db_session, "Open a nursery", themes=[theme], status="in-progress")
    add_update(db_session, action, "Found a building.", days_ago=4)
    make_action(db_session, "DRAFT-NURSERY-7Q", themes=[theme], published=False)
    make_action(db_session, "Paint the car park", themes=[other])
    assert "What is being done" not in text(check_receipt(client, code))  # tagged, not yet published

    publish(db_session, submission_id)
    page = text(check_receipt(client, code))
    assert "What is being done" in page and "Childcare" in page
    assert f'<a href="/plan/{action.id}">Open a nursery</a>: In progress' in page
    assert f"last update {format_date(today() - timedelta(days=4))}" in page
    assert "DRAFT-NURSERY-7Q" not in page and "Paint the car park" not in page


def test_a_status_page_with_the_longest_text_and_plan_stays_one_padded_size(client, db_session, hall):
    """What the page shows of the plan is bounded: with the longest text and the longest titles, one bucket."""
    code, submission_id = sent(client, db_session, hall, "&" * COMMENT_MAX)
    themes = [make_theme(db_session, "&" * 79 + str(n)) for n in range(RECEIPT_THEMES + 1)]
    tag(db_session, submission_id, *themes)
    publish(db_session, submission_id)
    for n in range(RECEIPT_ACTIONS + 3):
        action = make_action(db_session, "&" * 199 + str(n), themes=themes, status="in-progress",
                             next_update_due=today().replace(year=today().year - 1))
        add_update(db_session, action, "news", days_ago=n + 100)
    page = check_receipt(client, code)
    assert "What is being done" in text(page) and "update overdue" in text(page)
    assert len(page.get_data()) == BUCKET


@pytest.mark.parametrize(("path", "submitter"), [
    ("/plan/12/feedback", True), ("/plan/12", True), ("/t/spring/response", True),
    ("/plan", False), ("/plan/feed.atom", False),
    ("/live", True), ("/live/K7QF2M", True), ("/live/K7QF2M/q/1/vote", True), ("/present/token", True),
    ("/facilitate/live/3/feed", True), ("/facilitate/live/spring", True), ("/facilitate/live/q/1/approve", True),
    ("/facilitate/lively", False), ("/facilitate/spring", False), ("/lively", False),
])
def test_an_action_s_page_and_its_feedback_are_submitter_paths_and_the_plan_is_not(path, submitter):
    assert is_submitter_path(path) is submitter


def test_the_development_server_writes_no_line_for_feedback_on_an_action(caplog):
    logger = logging.getLogger("werkzeug")
    logger.addFilter(DropSubmitterLines())
    with caplog.at_level(logging.INFO, logger="werkzeug"):
        for line in ['"POST /plan/3/feedback HTTP/1.1" 200 -', '"GET /plan HTTP/1.1" 200 -']:
            logger.info('%s - - [%s] %s', "203.0.113.9", "23/Nov/2026 17:01:02", line)
    assert [record.getMessage().split("] ")[-1] for record in caplog.records] == ['"GET /plan HTTP/1.1" 200 -']


def test_feedback_pages_are_padded_and_load_the_submitter_scripts(client, db_session, hall):
    action = make_action(db_session, "Open a nursery", halls=[hall])
    form_page = client.get(f"/plan/{action.id}")
    refused = client.post(f"/plan/{action.id}/feedback", data={"comment": "x" * (COMMENT_MAX + 1)})
    assert refused.status_code == 400 and "x" * (COMMENT_MAX + 1) in refused.get_data(as_text=True)  # no CSRF token
    for response in (form_page, refused):
        assert len(response.get_data()) % BUCKET == 0
        assert "js/back-notice.js" in response.get_data(as_text=True)
    draft = make_action(db_session, "Draft", published=False, halls=[hall])
    assert client.post(f"/plan/{draft.id}/feedback", data={"comment": "x"}).status_code == 404  # expired form, no page
