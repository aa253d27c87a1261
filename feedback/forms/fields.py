"""Pieces the forms share."""

from __future__ import annotations

from flask_babel import LazyString

from feedback.i18n import explain
from feedback.sanitize import normalise_text


def strip(value: str | None) -> str | None:
    """A WTForms filter: normalise typed text as we store it (None stays None)."""
    return normalise_text(value) if value is not None else None


def said(message: object) -> LazyString:
    """A service's message (a Sentence, or text already worded) as a validator's message, worded when shown."""
    return LazyString(lambda: explain(message))
