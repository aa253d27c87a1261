"""Dates on pages: one filter, a few named styles, the same text on every platform."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest

from feedback.filters import format_date

TEMPLATES = Path(__file__).resolve().parents[1] / "templates"


@pytest.mark.parametrize(("value", "style", "shown"), [
    (date(2026, 12, 1), "long", "1 December 2026"),
    (date(2026, 3, 28), "long", "28 March 2026"),
    (date(2026, 12, 1), "month", "Dec 2026"),
    (datetime(2026, 12, 1, 9, 5, 59), "minute", "2026-12-01 09:05"),
])
def test_each_style_reads_as_people_expect(value, style, shown):
    assert format_date(value, style) == shown


def test_the_long_style_is_the_default_and_an_unknown_style_is_refused():
    assert format_date(date(2026, 1, 9)) == "9 January 2026"
    with pytest.raises(ValueError, match="unknown date style"):
        format_date(date(2026, 1, 9), "full")


def test_templates_format_dates_only_through_the_filter(app):
    with app.app_context():
        assert app.jinja_env.from_string("{{ day|date }}").render(day=date(2026, 12, 1)) == "1 December 2026"
    assert [str(p) for p in TEMPLATES.rglob("*.html") if "strftime" in p.read_text()] == []
