"""A staff member's selection of submissions for a bulk action (moderation or tagging)."""

from __future__ import annotations

from collections.abc import Collection

BULK_MAX = 500
NOTHING_SELECTED = "Select at least one submission first."
NOT_VALID = "Some of the selected submissions are not valid. Reload the page."


def problem(ids: Collection[object]) -> str | None:
    """Say what is wrong with a selection's size, or None when it can be acted on."""
    if not ids:
        return NOTHING_SELECTED
    if len(ids) > BULK_MAX:
        return f"Select at most {BULK_MAX} submissions at a time."
    return None
