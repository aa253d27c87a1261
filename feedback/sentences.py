"""Sentences a service says to a person, as gettext message ids with their values, so the page can say them in
the reader's language while the service stays free of Flask.

A service raises (or returns) Sentence("“%(title)s” is published.", title=...) instead of an English f-string;
scripts/i18n extracts the first argument of Sentence (and both of PluralSentence), and the view says it with
feedback.i18n.explain. str() of either gives the English sentence, for logs, the CLI and tests.

A whole number among the values is written by the reader's locale when said ("6,000" in English, "6000" and
"10.000" in Spanish): pass the int, not a string already formatted.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Sentence:
    """A sentence whose words are id (an English msgid with %(name)s placeholders) and whose values fill it."""

    id: str
    values: dict[str, Any] = field(default_factory=dict)

    def __init__(self, id: str, /, **values: Any) -> None:  # noqa: A002 - gettext's own word for it
        object.__setattr__(self, "id", id)
        object.__setattr__(self, "values", values)

    def __str__(self) -> str:
        return self.id % english(self.values) if self.values else self.id


@dataclass(frozen=True)
class PluralSentence:
    """A sentence whose form follows a number (ngettext): n fills %(num)s, as in Flask-Babel's ngettext."""

    singular: str
    plural: str
    n: int
    values: dict[str, Any] = field(default_factory=dict)

    def __init__(self, singular: str, plural: str, n: int, /, **values: Any) -> None:
        object.__setattr__(self, "singular", singular)
        object.__setattr__(self, "plural", plural)
        object.__setattr__(self, "n", n)
        object.__setattr__(self, "values", values)

    def __str__(self) -> str:
        return (self.singular if self.n == 1 else self.plural) % english({"num": self.n, **self.values})


def is_count(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def english(values: dict[str, Any]) -> dict[str, Any]:
    """The values with whole numbers written as English does (6,000)."""
    return {name: f"{value:,}" if is_count(value) else value for name, value in values.items()}
