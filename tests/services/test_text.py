"""Reading a submission's text: the excerpt lists show."""

from __future__ import annotations

from feedback.services import text


def test_a_text_that_fits_is_its_own_excerpt():
    assert text.excerpt("x" * text.EXCERPT_CHARS) == "x" * text.EXCERPT_CHARS


def test_a_longer_text_is_cut_at_the_limit_without_trailing_space_and_ends_in_an_ellipsis():
    assert text.excerpt("a" * (text.EXCERPT_CHARS - 1) + " more") == "a" * (text.EXCERPT_CHARS - 1) + "…"
