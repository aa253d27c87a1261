"""A staff member's selection of submissions for a bulk action (moderation or tagging)."""

from __future__ import annotations

from collections.abc import Collection

from feedback.sentences import PluralSentence, Sentence

BULK_MAX = 500
NOTHING_SELECTED = Sentence("Select at least one submission first.")
NOT_VALID = Sentence("Some of the selected submissions are not valid. Reload the page.")


def problem(ids: Collection[object]) -> Sentence | PluralSentence | None:
    """Say what is wrong with a selection's size, or None when it can be acted on."""
    if not ids:
        return NOTHING_SELECTED
    if len(ids) > BULK_MAX:
        return PluralSentence("Select at most %(num)s submission at a time.",
                              "Select at most %(num)s submissions at a time.", BULK_MAX)
    return None
