"""Pieces the forms share."""

from __future__ import annotations

from flask_babel import LazyString
from markupsafe import Markup, escape

from feedback.i18n import explain
from feedback.sanitize import normalise_text


def strip(value: str | None) -> str | None:
    """A WTForms filter: normalise typed text as we store it (None stays None)."""
    return normalise_text(value) if value is not None else None


class _Said(LazyString):
    """A lazy message that a template escapes: Flask-Babel's LazyString renders as markup, and a Sentence's values
    may be what someone typed."""

    def __html__(self) -> Markup:
        return escape(str(self))


def said(message: object) -> LazyString:
    """A service's message (a Sentence, or text already worded) as a validator's message, worded when shown in the
    reader's language, and escaped in a page like any text."""
    return _Said(lambda: explain(message))
