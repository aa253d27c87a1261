"""Reading a submission's text, as several capabilities do: the excerpt a list shows, and whole-word matching."""

from __future__ import annotations

EXCERPT_CHARS = 200


def excerpt(text: str) -> str:
    """The text as a list shows it: the first EXCERPT_CHARS characters, and "…" when there is more."""
    return text if len(text) <= EXCERPT_CHARS else text[:EXCERPT_CHARS].rstrip() + "…"

