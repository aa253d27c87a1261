"""Logging that keeps no client address: the dev server's access lines are stripped of it."""

from __future__ import annotations

import logging
import re

from flask import Flask

# werkzeug logs '<address> - - [<date time>] "<request line>" <status> <size>'.
_ACCESS_LINE = re.compile(r'^\S+ - - \[[^\]]*\] (?P<rest>".*)$', re.DOTALL)


class DropClientAddress(logging.Filter):
    """Rewrite werkzeug's access lines to keep only the request line, status and size."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        match = _ACCESS_LINE.match(message)
        if match:
            record.msg, record.args = match.group("rest"), None
        return True


def init_app(app: Flask) -> None:
    werkzeug_logger = logging.getLogger("werkzeug")
    if not any(isinstance(f, DropClientAddress) for f in werkzeug_logger.filters):
        werkzeug_logger.addFilter(DropClientAddress())
