"""Log filters: no client address and no query string in what the servers write."""

from __future__ import annotations

import logging

from feedback.logs import DropClientAddress, RedactAddresses


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
