"""Reading a submission's text, as several capabilities do: the excerpt a list shows, and whole-word matching."""

from __future__ import annotations

import re
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
