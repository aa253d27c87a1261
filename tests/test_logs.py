"""Log filters: no client address, no query string, no line and no detail for submitter pages."""

from __future__ import annotations

import logging
import sqlite3
from datetime import UTC, datetime

import pytest

from feedback import logs
from feedback.logs import DropClientAddress, DropSubmitterLines, HoldSubmitterEvents, HourlyReport, RedactAddresses


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


class FakeTimer:
    """Stands for threading.Timer: remembers when it would fire; the test fires it."""

    started: list[FakeTimer] = []

    def __init__(self, delay: float, function) -> None:
        self.delay, self.function, self.daemon = delay, function, False

    def start(self) -> None:
        FakeTimer.started.append(self)


@pytest.fixture
def report(monkeypatch):
    """The process's hourly report, with a clock at 09:45:16 UTC and a timer the test fires."""
    FakeTimer.started = []
    hourly = HourlyReport(clock=lambda: datetime(2026, 12, 1, 9, 45, 16, tzinfo=UTC), timer=FakeTimer)
    monkeypatch.setattr(logs, "hourly", hourly)
    return hourly


def fire_timer() -> None:
    assert len(FakeTimer.started) == 1, "one timer per hour, started on the first event"
    timer = FakeTimer.started.pop()
    assert timer.daemon and timer.delay == 14 * 60 + 44  # at 10:00:00
    timer.function()


def test_an_error_on_a_submitter_page_waits_for_the_hourly_report(make_app, hall, caplog, monkeypatch, report):
    from feedback.services.intake import submitting
    from tests.browsing import send_concern

    def fail(_session, _ring, slug, _token, new, _today):
        try:
            raise KeyError(new.body)
        except KeyError as error:
            raise RuntimeError(f"while storing {new.body} in {slug}") from error

    app = make_app(PROPAGATE_EXCEPTIONS=False)
    monkeypatch.setattr(submitting, "submit", fail)
    with caplog.at_level(logging.WARNING):
        for _ in range(2):
            assert send_concern(app.test_client(), hall.slug, "Amara wrote this").status_code == 500
        assert caplog.records == [], "no line at the moment of a submitter's event"
        fire_timer()
    [line] = [record.getMessage() for record in caplog.records]
    assert line == ("In the hour before 10:00 UTC: 2 errors on submitter pages "
                    "(RuntimeError from KeyError \u00d72)")
    assert caplog.records[0].levelno == logging.ERROR and not caplog.records[0].exc_info
    for detail in ("Amara", hall.slug, "POST", "/t/", "public", "receipts", "submitting", "in fail", "09:45"):
        assert detail not in caplog.text, detail
    report.flush()  # nothing counted since: no line
    assert len(caplog.records) == 1


def test_the_report_names_the_innermost_frame_outside_the_views(report, caplog):
    from feedback import db

    with caplog.at_level(logging.WARNING):
        try:
            db.advisory_lock(None, 1)  # type: ignore[arg-type]
        except AttributeError as error:
            record = logging.LogRecord("feedback", logging.ERROR, __file__, 1, "x", None,
                                       (type(error), error, error.__traceback__))
            report.count(record)
        fire_timer()
    line = caplog.records[0].getMessage()
    assert line.startswith("In the hour before 10:00 UTC: 1 error on submitter pages (AttributeError at "
                           "feedback/db.py:") and line.endswith(" \u00d71)")


def test_a_blocked_checkpoint_in_a_withdrawal_waits_for_the_hourly_report(app, hall, caplog, monkeypatch,
                                                                          report, tmp_path):
    """The warning comes from feedback.db, a child of the app's logger: its records never pass the
    parent's filters, so the child has the filter too."""
    from sqlalchemy import orm

    from feedback import db
    from tests.browsing import check_receipt, hidden_fields, receipt_code, send_concern

    engine = db.make_engine(f"sqlite:///{tmp_path / 'busy.sqlite3'}")
    with engine.begin() as connection:
        connection.exec_driver_sql("CREATE TABLE t (x TEXT)")
        connection.exec_driver_sql("INSERT INTO t VALUES ('x')")
    reader = sqlite3.connect(tmp_path / "busy.sqlite3", isolation_level=None)
    reader.execute("BEGIN")
    reader.execute("SELECT * FROM t").fetchall()  # holds a snapshot: the WAL cannot be truncated
    with engine.connect() as connection:
        connection.exec_driver_sql("PRAGMA busy_timeout=100")
    real_checkpoint = db.checkpoint
    blocked = []

    def checkpoint_blocked(_session):  # the withdrawal's own checkpoint, on a file another reader holds
        with orm.Session(engine) as session:
            blocked.append(real_checkpoint(session) is False)
        return False

    monkeypatch.setattr(db, "checkpoint", checkpoint_blocked)
    client = app.test_client()
    code = receipt_code(send_concern(client, hall.slug, "x" * 10))
    status = check_receipt(client, code)
    try:
        with caplog.at_level(logging.WARNING):
            withdrawn = client.post("/receipt/withdraw", data={"code": code, "confirm": "y",
                                                               **hidden_fields(status.get_data(as_text=True))})
            assert "was withdrawn" in withdrawn.get_data(as_text=True) and blocked and all(blocked)
            assert caplog.records == [], "no line at the moment of a withdrawal"
            fire_timer()
    finally:
        reader.close()
        engine.dispose()
    assert [r.getMessage() for r in caplog.records] == [
        "In the hour before 10:00 UTC: 1 WAL checkpoint blocked by a reader"]
    assert caplog.records[0].levelno == logging.WARNING


def test_an_error_on_a_staff_page_keeps_its_details(app, caplog):
    with app.test_request_context("/facilitate/"):
        try:
            raise ValueError("staff detail")
        except ValueError:
            app.logger.exception("Exception on /facilitate/ [GET]")
    assert "Exception on /facilitate/ [GET]" in caplog.text and "staff detail" in caplog.text


def test_gunicorn_lines_naming_a_submitter_page_wait_for_the_report(report):
    record = logging.LogRecord("gunicorn.error", logging.ERROR, __file__, 1, "Error handling request %s",
                               ("/receipt/withdraw?x=1",), None)
    assert not HoldSubmitterEvents().filter(record)
    assert sum(report.errors.values()) == 1 and len(FakeTimer.started) == 1
    staff = logging.LogRecord("gunicorn.error", logging.ERROR, __file__, 1, "Error handling request %s",
                              ("/facilitate/",), None)
    assert HoldSubmitterEvents().filter(staff)


def test_the_rate_limiter_s_warnings_in_a_submitter_request_wait_for_the_report(app, report, caplog):
    """'Rate limit storage unreachable' came at the moment of the request that found Redis down."""
    with caplog.at_level(logging.WARNING), app.test_request_context("/receipt/withdraw", method="POST"):
        logging.getLogger("flask-limiter").warning("Rate limit storage unreachable - falling back to in-memory")
        assert caplog.records == []
    with caplog.at_level(logging.WARNING), app.test_request_context("/facilitate/"):
        logging.getLogger("flask-limiter").warning("Rate limit storage unreachable - falling back to in-memory")
        assert len(caplog.records) == 1  # a staff request's line goes out at once
        fire_timer()
    assert caplog.records[1].getMessage() == "In the hour before 10:00 UTC: 1 warning from flask-limiter"
