"""Mail in its reader's language: the app's own catalogs, read with Babel itself.

Mail is written when it is queued, in a staff member's request or in the drain's run, for someone other than
whoever is reading a page then: so it never takes the page's language (Flask-Babel's), only the recipient's.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from babel.support import NullTranslations, Translations

from feedback.sentences import PluralSentence, Sentence

# Where Flask-Babel reads them too ("translations" beside the package's __init__, its default):
# tests/services/notify/test_wording.py checks that both say the same.
CATALOGS = Path(__file__).resolve().parents[2] / "translations"
ENGLISH = "en"


@cache  # a catalog is read once per process; compiled catalogs change only with a deploy
def _catalog(language: str) -> NullTranslations:
    return Translations.load(str(CATALOGS), [language]) if language != ENGLISH else NullTranslations()


def say(said: Sentence | PluralSentence, language: str | None) -> str:
    """The sentence in this language (None, or one without a catalog: English)."""
    catalog = _catalog(language or ENGLISH)
    if isinstance(said, PluralSentence):
        return catalog.ngettext(said.singular, said.plural, said.n) % {"num": said.n, **said.values}
    text = catalog.gettext(said.id)
    return text % said.values if said.values else text
