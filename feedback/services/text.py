"""Reading a submission's text, as several capabilities do: the excerpt a list shows, whole-word matching, and
accent-insensitive comparison (fold, and the search pattern built on it)."""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable

EXCERPT_CHARS = 200


def excerpt(text: str, chars: int = EXCERPT_CHARS) -> str:
    """The text as a list shows it: the first chars characters, and "…" when there is more."""
    return text if len(text) <= chars else text[:chars].rstrip() + "…"


def whole_words(phrases: Iterable[str]) -> re.Pattern[str] | None:
    """A match for any of the words or phrases as whole words, in any case and any spacing; None for none.

    The longest come first, so that "Ana Lucia" wins over "Ana".
    """
    cleaned = sorted({" ".join(phrase.split()) for phrase in phrases if phrase and phrase.strip()},
                     key=lambda phrase: (-len(phrase), phrase))
    if not cleaned:
        return None
    alternatives = "|".join(r"\s+".join(re.escape(part) for part in phrase.split()) for phrase in cleaned)
    return re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)", re.IGNORECASE)


def fold(text: str) -> str:
    """The text as an accent-insensitive comparison reads it: "Café", "CAFE" and "cafe" all give "cafe".

    NFKD, then combining marks (accents, cedillas, tildes: "ñ" gives "n") dropped, then case folded; recomposed
    (NFC) so that scripts whose letters decompose into letters (Hangul) keep their syllables.
    """
    decomposed = unicodedata.normalize("NFKD", text)
    bare = "".join(character for character in decomposed if not unicodedata.combining(character))
    return unicodedata.normalize("NFC", bare.casefold())


@functools.cache
def _variants() -> dict[str, frozenset[str]]:
    """Every character of the Basic Multilingual Plane that folds to something else, by what it folds to
    ("e": "E", "é", "É", "ê", ...). Made once, on the first search (about 70 ms)."""
    found: dict[str, set[str]] = {}
    for code in range(0x10000):
        if 0xD800 <= code < 0xE000:  # surrogates are not characters
            continue
        character = chr(code)
        folded = fold(character)
        if folded != character:
            found.setdefault(folded, set()).add(character)
    return {folded: frozenset(characters) for folded, characters in found.items()}


def _bracketed(characters: Iterable[str]) -> str:
    """A bracket expression of these characters, read alike by Python's re and PostgreSQL's regular expressions
    (both take a backslash as an escape inside brackets)."""
    return "[" + "".join("\\" + c if c in "\\]^-[" else c for c in sorted(characters)) + "]"


def accent_insensitive_pattern(term: str) -> str:
    """A regular expression (for Python's re and PostgreSQL's ~ alike) finding the term anywhere in a text in
    any case and with or without accents: "discriminacion" finds "Discriminación" and the reverse.

    Stored text is NFC (feedback.sanitize), so an accented letter is one character: each letter of the term
    becomes the set of characters that fold as it does. Marks that stay separate in NFC (a virama, Arabic or
    Hebrew points) are optional, a run of them as one group: one optional group per mark would let a text with a
    long run of marks make the search backtrack exponentially (Python's re, on SQLite).
    """
    variants = _variants()
    parts: list[str] = []
    marks: list[str] = []
    for character in unicodedata.normalize("NFC", term):
        if unicodedata.combining(character):
            marks.append(_bracketed(character))
            continue
        if marks:
            parts.append("(?:" + "".join(marks) + ")?")
            marks = []
        folded = fold(character)
        alike = {character, *variants.get(folded, ()), *(folded if len(folded) == 1 else "")}
        parts.append(_bracketed(alike))
    if marks:
        parts.append("(?:" + "".join(marks) + ")?")
    return "".join(parts)
