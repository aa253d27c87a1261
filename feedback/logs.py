"""Logging that keeps no client address: access lines and server warnings are stripped of it."""

from __future__ import annotations

import logging
import re

from flask import Flask

# werkzeug logs '<address> - - [<date time>] "<request line>" <status> <size>'.
_ACCESS_LINE = re.compile(r'^\S+ - - \[[^\]]*\] (?P<rest>".*)$', re.DOTALL)
_QUERY = re.compile(r'^("\S* \S*?)\?\S*')
# IPv4, and IPv6 written with at least two colons (so times like 12:30 are left alone).
_ADDRESS = re.compile(r"\b(?:\d{1,3}\.){3}\d{1,3}\b|\b[0-9A-Fa-f]{0,4}(?::[0-9A-Fa-f]{0,4}){2,7}\b")


class DropClientAddress(logging.Filter):
    """Rewrite werkzeug's access lines to keep only the request line, status and size."""

    def filter(self, record: logging.LogRecord) -> bool:
        match = _ACCESS_LINE.match(record.getMessage())
        if match:
            # Drop the query string too: staff searches (?q=...) stay out of the log.
            record.msg, record.args = _QUERY.sub(r"\1", match.group("rest")), None
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
    add_filter("werkzeug", DropClientAddress())
