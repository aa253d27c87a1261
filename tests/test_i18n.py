"""Spanish and English: dates in the reader's language, and catalogs that match the code and are complete."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from datetime import date, datetime
from pathlib import Path

import polib
import pytest

import feedback
from feedback.filters import format_date

ROOT = Path(__file__).resolve().parents[1]
TRANSLATIONS = ROOT / "feedback/translations"
TEMPLATE = TRANSLATIONS / "messages.pot"
# Python's %(name)s and %s, and a {% trans %} block's variables (also written %(name)s once extracted).
PLACEHOLDER = re.compile(r"%(?:\([a-z_]+\))?[sd]|%%")


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


def catalog_entries(catalog: polib._BaseFile) -> list[tuple]:
    """Every message with where it comes from, its flags and translator comments: all but the header."""
    return [(e.msgctxt, e.msgid, e.msgid_plural, e.occurrences, sorted(e.flags), e.comment) for e in catalog]


def test_the_committed_template_is_what_extraction_finds_in_the_code(tmp_path):
    """A string marked (or unmarked, or reworded) without running scripts/i18n fails here."""
    extracted = tmp_path / "messages.pot"
    pybabel = Path(sys.executable).with_name("pybabel")
    subprocess.run(["bash", str(ROOT / "scripts/i18n"), "extract", str(extracted)], check=True,
                   env={**os.environ, "PYBABEL": str(pybabel)})
    assert catalog_entries(polib.pofile(str(extracted))) == catalog_entries(polib.pofile(str(TEMPLATE)))


def spanish() -> polib.POFile:
    return polib.pofile(str(TRANSLATIONS / "es/LC_MESSAGES/messages.po"))


def test_every_message_of_the_template_is_in_the_spanish_catalog_and_no_other():
    template = {(e.msgctxt, e.msgid) for e in polib.pofile(str(TEMPLATE))}
    assert {(e.msgctxt, e.msgid) for e in spanish() if not e.obsolete} == template


def test_every_spanish_message_is_translated_and_not_fuzzy():
    catalog = spanish()
    assert [e.msgid for e in catalog if not e.translated()] == []
    assert [e.msgid for e in catalog if "fuzzy" in e.flags] == []
    assert catalog.obsolete_entries() == []


def placeholders(text: str) -> list[str]:
    return sorted(PLACEHOLDER.findall(text))


def test_every_spanish_message_has_the_placeholders_of_its_english_one():
    wrong = []
    for entry in spanish():
        wanted = placeholders(entry.msgid_plural or entry.msgid)
        translations = list(entry.msgstr_plural.values()) if entry.msgid_plural else [entry.msgstr]
        # A plural's singular may leave out the number ("one comment"): its other forms may not.
        wrong += [(entry.msgid, text) for i, text in enumerate(translations)
                  if placeholders(text) != wanted and not (entry.msgid_plural and i == 0
                                                           and set(placeholders(text)) <= set(wanted))]
    assert wrong == []


def test_the_compiled_catalog_is_current_with_the_spanish_one():
    """scripts/i18n compile was run after the last edit of messages.po (the .mo is what the app reads)."""
    compiled = polib.mofile(str(TRANSLATIONS / "es/LC_MESSAGES/messages.mo"))
    assert {(e.msgctxt, e.msgid): (e.msgstr, e.msgstr_plural) for e in compiled if e.msgid} == {
        (e.msgctxt, e.msgid): (e.msgstr, {int(k): v for k, v in e.msgstr_plural.items()})
        for e in spanish().translated_entries()}


def test_the_catalogs_ship_with_the_package():
    assert "translations/*/LC_MESSAGES/*.mo" in (ROOT / "setup.cfg").read_text()
    assert TRANSLATIONS.parent == Path(feedback.__file__).parent
