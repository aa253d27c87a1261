"""Spanish and English: dates in the reader's language, and catalogs that match the code and are complete."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from feedback.filters import format_date


@pytest.mark.parametrize(("value", "style", "english", "spanish"), [
    (date(2026, 12, 1), "long", "1 December 2026", "1 de diciembre de 2026"),
    (date(2026, 3, 28), "long", "28 March 2026", "28 de marzo de 2026"),
    (date(2026, 12, 1), "month", "Dec 2026", "dic 2026"),
    (datetime(2026, 12, 1, 9, 5, 59), "minute", "2026-12-01 09:05", "2026-12-01 09:05"),
])
def test_dates_read_in_the_language_of_the_page(app, value, style, english, spanish):
    for cookie, shown in (("en", english), ("es", spanish)):
        with app.test_request_context(headers={"Cookie": f"lang={cookie}"}):
            assert format_date(value, style) == shown
            assert app.jinja_env.from_string("{{ day|date(style) }}").render(day=value, style=style) == shown


def test_accept_language_alone_gives_spanish_dates(app):
    with app.test_request_context(headers={"Accept-Language": "es-419,es;q=0.9"}):
        assert format_date(date(2026, 1, 9)) == "9 de enero de 2026"
