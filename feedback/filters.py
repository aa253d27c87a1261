"""Template filters for how dates read on a page: one place, so a translation can take them over."""

from __future__ import annotations

from datetime import date, datetime

from flask import Flask

# The named styles templates ask for. A later issue swaps format_date's body for Flask-Babel's
# format_date/format_datetime with the matching pattern (long: "d MMMM y", month: "MMM y",
# minute: "yyyy-MM-dd HH:mm"); no template changes.
STYLES = ("long", "month", "minute")


def format_date(value: date | datetime, style: str = "long") -> str:
    """A date as a reader sees it: long "1 December 2026", month "Dec 2026", minute "2026-12-01 14:05"."""
    if style == "long":
        return f"{value.day} {value:%B %Y}"  # no zero-padded day, on every platform (unlike %-d)
    if style == "month":
        return f"{value:%b %Y}"
    if style == "minute":  # staff actions only (the audit log): submitters' rows never hold a time
        return f"{value:%Y-%m-%d %H:%M}"
    raise ValueError(f"unknown date style {style!r}; one of {', '.join(STYLES)}")


def init_app(app: Flask) -> None:
    app.add_template_filter(format_date, "date")
