"""Logging that keeps no client address, and no line that could time a submitter's request.

Access lines and server warnings are stripped of addresses. Submitter pages get no access line at all:
each line sits among staff lines in arrival order, and staff actions have timed audit events, so a line
for a submission (or a receipt check, an answer, a withdrawal) would place it within a second. Nor do
they get an error or warning line at the moment it happens: those are counted, and told in one summary
line per process at the next full hour (HourlyReport), whose time says only the hour.
"""

from __future__ import annotations

import logging
import os
import re
import threading
import traceback
from collections import Counter
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from urllib.parse import unquote

from flask import Flask, has_request_context, request

# werkzeug logs '<address> - - [<date time>] "<request line>" <status> <size>'.
_ACCESS_LINE = re.compile(r'^\S+ - - \[[^\]]*\] (?P<rest>".*)$', re.DOTALL)
_QUERY = re.compile(r'^("\S* \S*?)\?\S*')
# IPv4, and IPv6 written with at least two colons (so times like 12:30 are left alone).
_ADDRESS = re.compile(r"\b(?:\d{1,3}\.){3}\d{1,3}\b|\b[0-9A-Fa-f]{0,4}(?::[0-9A-Fa-f]{0,4}){2,7}\b")
# What only submitters ask for: the list of town halls, a town hall's form and its POST, receipts (check,
# answer, withdraw), an action's page with its feedback form and that form's POST, and static files,
# which their pages load too (every one of them the same scripts). And a live session's pages: the audience's
# (asks, votes, polls), the presenter screen's (its token is in the path) and the moderator's (its poll's
# 200-or-304 answers, and the size of its page, reloaded after every button, would date each question asked
# and each vote). And the language switch, which
# every page links to: a line for it would time a submitter's visit as surely as one for the page itself.
_SUBMITTER_PATH = re.compile(
    r"^/+(?:$|t(?:/|$)|receipt(?:/|$)|plan/+\d+(?:/|$)|static/|live(?:/|$)|present/|facilitate/+live(?:/|$)"
    r"|language/)")
_REQUEST_LINE_PATH = re.compile(r'"[A-Z]+ (?P<path>[^ ?"]*)')


_PACKAGE = os.path.dirname(os.path.abspath(__file__)) + os.sep
_VIEWS = os.path.join(_PACKAGE, "views") + os.sep


def is_submitter_path(path: str) -> bool:
    """Whether a request for path (decoded, without its query string) comes from a submitter's journey."""
    return bool(_SUBMITTER_PATH.match(path))


class DropClientAddress(logging.Filter):
    """Rewrite werkzeug's access lines to keep only the request line, status and size."""

    def filter(self, record: logging.LogRecord) -> bool:
        match = _ACCESS_LINE.match(record.getMessage())
        if match:
            # Drop the query string too: staff searches (?q=...) stay out of the log.
            record.msg, record.args = _QUERY.sub(r"\1", match.group("rest")), None
        return True


class DropSubmitterLines(logging.Filter):
    """Drop the development server's access lines for submitter pages (werkzeug writes the line whole)."""

    def filter(self, record: logging.LogRecord) -> bool:
        match = _ACCESS_LINE.match(record.getMessage())
        found = _REQUEST_LINE_PATH.match(match.group("rest")) if match else None
        return not (found and is_submitter_path(unquote(found.group("path"))))


class DropSubmitterAccess(logging.Filter):
    """Drop gunicorn's access lines for submitter pages (its atoms: U is the decoded path)."""

    def filter(self, record: logging.LogRecord) -> bool:
        path = record.args.get("U") if isinstance(record.args, Mapping) else None
        return not (isinstance(path, str) and is_submitter_path(path))


def _names_submitter_path(record: logging.LogRecord) -> bool:
    args = record.args.values() if isinstance(record.args, Mapping) else record.args or ()
    return any(isinstance(arg, str) and is_submitter_path(arg.split("?")[0]) for arg in args)


def _in_submitter_request() -> bool:
    return has_request_context() and is_submitter_path(request.path)


def _innermost_frame(error: BaseException) -> str:
    """Where the fault lies, in the package but outside the views (a view names the submitter's action)."""
    where = ""
    for frame in traceback.extract_tb(error.__traceback__):
        if frame.filename.startswith(_PACKAGE) and not frame.filename.startswith(_VIEWS):
            where = f"feedback/{os.path.relpath(frame.filename, _PACKAGE)}:{frame.lineno}"
    return where


def _error_summary(error: BaseException) -> str:
    """The exception's class (and what it came from), and the innermost package frame: never its message."""
    chain: list[BaseException] = []
    current: BaseException | None = error
    while current is not None and current not in chain:
        chain.append(current)
        current = current.__cause__ or current.__context__
    names = " from ".join(type(e).__qualname__ for e in chain)
    where = next((w for w in map(_innermost_frame, reversed(chain)) if w), "")
    return f"{names} at {where}" if where else names


class HourlyReport:
    """What happened on submitter pages, counted and told in one line at the next full hour (per process).

    A line written when a submitter's request failed, or when a withdrawal's checkpoint was blocked, would
    time that request (a log collector stamps every line); the hour's summary says only the hour.
    clock and timer are injectable so a test can flush without waiting.
    """

    def __init__(self, clock: Callable[[], datetime] | None = None,
                 timer: Callable[[float, Callable[[], None]], threading.Timer] = threading.Timer) -> None:
        self.clock = clock or (lambda: datetime.now(UTC))
        self.timer = timer
        self.lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        """Forget what was counted (after a fork, the child starts empty: the parent's timer is not its own)."""
        self.lock = threading.Lock()
        self.errors: Counter[str] = Counter()
        self.notices: Counter[str] = Counter()
        self.hour: datetime | None = None
        self.pending: threading.Timer | None = None

    def count(self, record: logging.LogRecord) -> None:
        with self.lock:
            if record.exc_info and record.exc_info[1] is not None:
                self.errors[_error_summary(record.exc_info[1])] += 1
            elif record.levelno >= logging.ERROR:
                self.errors["error without a traceback"] += 1
            else:
                summary = getattr(record, "summary", None)
                self.notices[summary if isinstance(summary, str) else f"{record.levelname.lower()} from "
                             f"{record.name}"] += 1
            if self.pending is None:
                now = self.clock()
                self.hour = now.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
                self.pending = self.timer(max((self.hour - now).total_seconds(), 0.0), self.flush)
                self.pending.daemon = True
                self.pending.start()

    def flush(self) -> None:
        """Write the summary line (nothing if nothing was counted) and start counting afresh."""
        with self.lock:
            errors, notices, hour = self.errors, self.notices, self.hour
            self.errors, self.notices, self.hour, self.pending = Counter(), Counter(), None, None
        if not (errors or notices) or hour is None:
            return
        parts = []
        if errors:
            total = sum(errors.values())
            kinds = ", ".join(f"{kind} \u00d7{n}" for kind, n in sorted(errors.items()))
            parts.append(f"{total} error{'s' if total != 1 else ''} on submitter pages ({kinds})")
        parts.extend(f"{n} {kind}" for kind, n in sorted(notices.items()))
        level = logging.ERROR if errors else logging.WARNING
        REPORT_LOGGER.log(level, "In the hour before %s: %s", hour.strftime("%H:00 UTC"), "; ".join(parts))


REPORT_LOGGER = logging.getLogger("feedback.hourly")
hourly = HourlyReport()
if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=hourly.reset)


class HoldSubmitterEvents(logging.Filter):
    """No line at the moment of a submitter's event: during a submitter request, or for a line naming a
    submitter path (gunicorn's 'Error handling request /receipt'), the record is counted for the hourly
    report and dropped. Staff pages keep their immediate, detailed lines."""

    def __init__(self, report: HourlyReport | None = None) -> None:
        super().__init__()
        self.report = report

    def filter(self, record: logging.LogRecord) -> bool:
        if not (_in_submitter_request() or _names_submitter_path(record)):
            return True
        (self.report or hourly).count(record)
        return False


class RedactAddresses(logging.Filter):
    """Replace anything that looks like an IP address in a log message (e.g. gunicorn's warnings)."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = _ADDRESS.sub("[address]", message)
        if redacted != message:
            record.msg, record.args = redacted, None
        return True


def add_filter(logger_name: str, log_filter: logging.Filter) -> None:
    logger = logging.getLogger(logger_name)
    if not any(isinstance(f, type(log_filter)) for f in logger.filters):
        logger.addFilter(log_filter)


def init_app(app: Flask) -> None:
    app.jinja_env.globals["is_submitter_path"] = is_submitter_path  # base.html: the same scripts on all of them
    add_filter("werkzeug", DropSubmitterLines())
    add_filter("werkzeug", DropClientAddress())
    add_filter(app.logger.name, HoldSubmitterEvents())
    add_filter("feedback.db", HoldSubmitterEvents())  # a parent's filters never see a child's records
    # flask-limiter warns, during the request that found it, that its storage (Redis) is unreachable.
    add_filter("flask-limiter", HoldSubmitterEvents())
