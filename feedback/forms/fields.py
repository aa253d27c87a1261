"""Pieces the forms share."""

from __future__ import annotations

from feedback.sanitize import normalise_text


def strip(value: str | None) -> str | None:
    """A WTForms filter: normalise typed text as we store it (None stays None)."""
    return normalise_text(value) if value is not None else None
