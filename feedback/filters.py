"""Template filters for how dates read on a page: one place, in the reader's language (Babel's CLDR data)."""

from __future__ import annotations

from datetime import date, datetime

from babel import dates
from flask import Flask

from feedback import content_filters
from feedback.i18n import current_language

# The named styles templates ask for, as Babel patterns: long "1 December 2026", month "Dec 2026",
# minute "2026-12-01 14:05" (staff actions only: submitters' rows never hold a time).
PATTERNS = {"long": "d MMMM y", "month": "MMM y", "minute": "yyyy-MM-dd HH:mm"}
# Where a language writes a style its own way: Spanish says "1 de diciembre de 2026" (CLDR's long date).
LOCAL_PATTERNS = {"es": {"long": "d 'de' MMMM 'de' y"}}
STYLES = tuple(PATTERNS)


def format_date(value: date | datetime, style: str = "long") -> str:
    """A date as a reader of the page's language sees it (English outside a request), in one of STYLES."""
    if style not in PATTERNS:
        raise ValueError(f"unknown date style {style!r}; one of {', '.join(STYLES)}")
    language = current_language()
    pattern = LOCAL_PATTERNS.get(language, {}).get(style, PATTERNS[style])
    if style == "minute":
        # As stored (UTC, naive): no time zone is guessed for a reader.
        return dates.format_datetime(value, pattern, locale=language)
    return dates.format_date(value, pattern, locale=language)


def init_app(app: Flask) -> None:
    app.add_template_filter(format_date, "date")
    content_filters.init_app(app)  # organisation text in the reader's language
