"""Which language an organisation's text is read in: the one owner of that choice (no Flask here).

Town halls, themes and actions keep their base text (English) in their own columns and may hold versions in other
languages in a JSON column, `versions`: {"es": {"title": "...", "prompt": "..."}}. A reader sees their language's
version where one is written, else the base text; a reader of the base language whose base text is empty sees a
version that exists. Pages mark the text with its language when it differs from the page's, so a screen reader
switches voice (feedback/content_filters.py).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

# The language of the base columns: the app's default language (feedback.i18n.DEFAULT).
BASE_LANGUAGE = "en"

Versions = Mapping[str, Mapping[str, str]]


class Versioned(str):
    """A base text that carries its versions in other languages ({"es": "..."}), for the services' plain
    values (a theme's name, an action's title in a public DTO): it reads, compares and prints as the base text."""

    versions: Mapping[str, str]

    def __new__(cls, base: str, versions: Mapping[str, str] | None = None) -> Versioned:
        text = super().__new__(cls, base)
        text.versions = dict(versions or {})
        return text

    def __reduce__(self) -> tuple[Any, ...]:
        return (Versioned, (str(self), self.versions))


@dataclass(frozen=True)
class Chosen:
    text: str
    language: str


def version(versions: Versions | None, language: str, field: str) -> str:
    """One field of the version in language, "" when none is written."""
    return ((versions or {}).get(language) or {}).get(field) or ""


def versioned(base: str, versions: Versions | None, field: str) -> Versioned:
    """A base text with the field's text in each language of versions (a row's `versions` column)."""
    return Versioned(base or "", {code: texts[field] for code, texts in (versions or {}).items() if texts.get(field)})


def of(item: object, field: str) -> Versioned:
    """A model's (or any object with `versions`) field as a Versioned text."""
    return versioned(getattr(item, field), getattr(item, "versions", None), field)


def choose(text: str, language: str) -> Chosen:
    """The text a reader of language sees, and the language it is in (see the module's docstring)."""
    versions = text.versions if isinstance(text, Versioned) else {}
    if language != BASE_LANGUAGE and versions.get(language):
        return Chosen(versions[language], language)
    if str(text) or language != BASE_LANGUAGE:
        return Chosen(str(text), BASE_LANGUAGE)
    for code in sorted(versions):
        if versions[code]:
            return Chosen(versions[code], code)
    return Chosen("", BASE_LANGUAGE)


def localized(item: object, field: str, language: str) -> Chosen:
    """choose for a model's field."""
    return choose(of(item, field), language)


def with_version(versions: Versions | None, language: str, texts: Mapping[str, str]) -> dict[str, dict[str, str]]:
    """versions with language's fields set to texts (stripped): a blank field is removed, and so is a language
    left with no field. A new dict: the JSON column sees the change when it is assigned."""
    updated = {code: dict(fields) for code, fields in (versions or {}).items()}
    fields = updated.setdefault(language, {})
    for name, text in texts.items():
        if text and text.strip():
            fields[name] = text.strip()
        else:
            fields.pop(name, None)
    return {code: fields for code, fields in updated.items() if fields}


def cut(text: str, limit: int) -> str:
    """text shortened to limit characters with an ellipsis, and every version of it alike (the receipt page's
    bounded size holds whichever a reader sees)."""
    def shorten(value: str) -> str:
        return value if len(value) <= limit else value[:limit - 1].rstrip() + "\u2026"
    if isinstance(text, Versioned):
        return Versioned(shorten(str(text)), {code: shorten(value) for code, value in text.versions.items()})
    return shorten(text)
