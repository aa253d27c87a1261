"""Logging that keeps no client address, and no line that could time a submitter's request.

Access lines and server warnings are stripped of addresses. Submitter pages get no access line at all:
each line sits among staff lines in arrival order, and staff actions have timed audit events, so a line
for a submission (or a receipt check, an answer, a withdrawal) would place it within a second.
"""

from __future__ import annotations

import logging
import re
import traceback
from collections.abc import Mapping
from types import TracebackType
from urllib.parse import unquote

from flask import Flask, has_request_context, request

# werkzeug logs '<address> - - [<date time>] "<request line>" <status> <size>'.
_ACCESS_LINE = re.compile(r'^\S+ - - \[[^\]]*\] (?P<rest>".*)$', re.DOTALL)
_QUERY = re.compile(r'^("\S* \S*?)\?\S*')
# IPv4, and IPv6 written with at least two colons (so times like 12:30 are left alone).
_ADDRESS = re.compile(r"\b(?:\d{1,3}\.){3}\d{1,3}\b|\b[0-9A-Fa-f]{0,4}(?::[0-9A-Fa-f]{0,4}){2,7}\b")
# What only submitters ask for: the list of town halls, a town hall's form and its POST, receipts (check,
# answer, withdraw), and static files, which their pages load too (the receipt page alone loads copy.js).
_SUBMITTER_PATH = re.compile(r"^/+(?:$|t(?:/|$)|receipt(?:/|$)|static/)")
_REQUEST_LINE_PATH = re.compile(r'"[A-Z]+ (?P<path>[^ ?"]*)')


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


def _frames_only(exc_info: tuple[type[BaseException], BaseException, TracebackType | None]) -> str:
    """A traceback with each exception's type and frames (code), never its message (which may hold data)."""
    chain: list[BaseException] = []
    error: BaseException | None = exc_info[1]
    while error is not None and error not in chain:
        chain.append(error)
        error = error.__cause__ or error.__context__
    parts = []
    for error in reversed(chain):
        frames = "".join(traceback.format_tb(error.__traceback__))
        parts.append(f"Traceback (most recent call last):\n{frames}{type(error).__qualname__} (message not logged)")
    return "\n\nDuring handling of the above exception, another exception occurred:\n\n".join(parts)


class HideSubmitterDetails(logging.Filter):
    """An error on a submitter page is still logged, for operators, without its path, method or any message.

    A message could hold what the person typed (or a hash of their receipt); the path and method say which
    of the submitter's actions failed. Applies during such a request, or to a line that names such a path.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args.values() if isinstance(record.args, Mapping) else record.args or ()
        names_one = any(isinstance(arg, str) and is_submitter_path(arg.split("?")[0]) for arg in args)
        if not (names_one or (has_request_context() and is_submitter_path(request.path))):
            return True
        record.msg, record.args = "Error on a submitter page (details not logged)", None
        if record.exc_info and record.exc_info[1] is not None:
            record.exc_text = _frames_only(record.exc_info)
            record.exc_info = None
        return True


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
    add_filter("werkzeug", DropSubmitterLines())
    add_filter("werkzeug", DropClientAddress())
    add_filter(app.logger.name, HideSubmitterDetails())
