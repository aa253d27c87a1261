"""Log filters: no client address, no query string, no line and no detail for submitter pages."""

from __future__ import annotations

import logging

import pytest

from feedback.logs import DropClientAddress, DropSubmitterLines, HideSubmitterDetails, RedactAddresses


def filtered(log_filter: logging.Filter, message: str, *args) -> str:
    record = logging.LogRecord("werkzeug", logging.INFO, __file__, 1, message, args or None, None)
    log_filter.filter(record)
    return record.getMessage()


def test_access_lines_lose_the_address_the_time_and_the_query_string():
    line = filtered(DropClientAddress(), '%s - - [%s] "GET /facilitate/x?q=Amara+Okafor HTTP/1.1" 200 -',
                    "203.0.113.9", "23/Nov/2026 17:01:02")
    assert line == '"GET /facilitate/x HTTP/1.1" 200 -'


def test_other_lines_pass_unchanged():
    assert filtered(DropClientAddress(), "Running on http://127.0.0.1:5000") == "Running on http://127.0.0.1:5000"


def test_addresses_in_server_warnings_are_redacted():
    line = filtered(RedactAddresses(), "Invalid request from ip=%s: bad", "2001:db8::17")
    assert line == "Invalid request from ip=[address]: bad"
    assert filtered(RedactAddresses(), "from 198.51.100.4 at 12:30") == "from [address] at 12:30"


def passes(log_filter: logging.Filter, message: str, *args) -> bool:
    record = logging.LogRecord("werkzeug", logging.INFO, __file__, 1, message, args or None, None)
    return bool(log_filter.filter(record))


SUBMITTER_LINES = ['"GET / HTTP/1.1" 200 -', '"GET /t/belonging HTTP/1.1" 200 -', '"POST /t/belonging HTTP/1.1" 200 -',
                   '"POST /t/belonging?x=1 HTTP/1.1" 422 -', '"GET /receipt HTTP/1.1" 200 -',
                   '"POST /receipt HTTP/1.1" 200 -', '"POST /receipt/reply HTTP/1.1" 200 -',
                   '"POST /receipt/withdraw HTTP/1.1" 200 -', '"GET /static/js/copy.js HTTP/1.1" 200 -',
                   '"POST /%74/belonging HTTP/1.1" 200 -']
STAFF_LINES = ['"GET /login HTTP/1.1" 200 -', '"POST /login HTTP/1.1" 302 -', '"GET /facilitate/ HTTP/1.1" 200 -',
               '"GET /leadership/x/brief.csv HTTP/1.1" 200 -', '"GET /staff HTTP/1.1" 302 -',
               '"GET /tmp HTTP/1.1" 404 -', '"GET /receipts-old HTTP/1.1" 404 -']


@pytest.mark.parametrize("line", SUBMITTER_LINES)
def test_the_development_server_writes_no_line_for_a_submitter_page(line):
    assert not passes(DropSubmitterLines(), '%s - - [%s] %s', "203.0.113.9", "23/Nov/2026 17:01:02", line)


@pytest.mark.parametrize("line", STAFF_LINES)
def test_the_development_server_still_logs_staff_pages(line):
    assert passes(DropSubmitterLines(), '%s - - [%s] %s', "203.0.113.9", "23/Nov/2026 17:01:02", line)
    assert passes(DropSubmitterLines(), "Running on http://127.0.0.1:5000")


def test_the_development_app_logs_no_access_line_for_a_submission(app, hall, caplog):
    """Through the app's own filters on werkzeug's logger, as `flask run` would log."""
    logger = logging.getLogger("werkzeug")
    with caplog.at_level(logging.INFO, logger="werkzeug"):
        for line in [SUBMITTER_LINES[2], STAFF_LINES[0], SUBMITTER_LINES[6], STAFF_LINES[2]]:
            logger.info('%s - - [%s] %s', "203.0.113.9", "23/Nov/2026 17:01:02", line)
    assert [record.getMessage() for record in caplog.records] == [STAFF_LINES[0], STAFF_LINES[2]]


def test_an_error_on_a_submitter_page_is_logged_without_its_path_method_or_message(make_app, hall, caplog,
                                                                                     monkeypatch):
    from feedback.services.intake import submitting
    from tests.browsing import send_concern

    def fail(_session, _ring, slug, _token, new, _today):
        try:
            raise KeyError(new.body)
        except KeyError as error:
            raise RuntimeError(f"while storing {new.body} in {slug}") from error

    app = make_app(PROPAGATE_EXCEPTIONS=False)
    monkeypatch.setattr(submitting, "submit", fail)
    with caplog.at_level(logging.ERROR):
        response = send_concern(app.test_client(), hall.slug, "Amara wrote this")
    assert response.status_code == 500
    logged = caplog.text
    assert "Error on a submitter page (details not logged)" in logged
    assert "RuntimeError (message not logged)" in logged and "KeyError (message not logged)" in logged
    assert "in fail" in logged  # the frames are kept: operators can still find the fault
    for detail in ("Amara", hall.slug, "POST", "/t/"):
        assert detail not in logged, detail


def test_an_error_on_a_staff_page_keeps_its_details(app, caplog):
    with app.test_request_context("/facilitate/"):
        try:
            raise ValueError("staff detail")
        except ValueError:
            app.logger.exception("Exception on /facilitate/ [GET]")
    assert "Exception on /facilitate/ [GET]" in caplog.text and "staff detail" in caplog.text


def test_gunicorn_lines_naming_a_submitter_page_lose_it():
    record = logging.LogRecord("gunicorn.error", logging.ERROR, __file__, 1, "Error handling request %s",
                               ("/receipt/withdraw?x=1",), None)
    HideSubmitterDetails().filter(record)
    assert record.getMessage() == "Error on a submitter page (details not logged)"
