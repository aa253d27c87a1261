"""Reading a submission's text: the excerpt lists show, and whole-word matching."""

from __future__ import annotations

from feedback.services import text


def test_a_text_that_fits_is_its_own_excerpt():
    assert text.excerpt("x" * text.EXCERPT_CHARS) == "x" * text.EXCERPT_CHARS


def test_a_longer_text_is_cut_at_the_limit_without_trailing_space_and_ends_in_an_ellipsis():
    assert text.excerpt("a" * (text.EXCERPT_CHARS - 1) + " more") == "a" * (text.EXCERPT_CHARS - 1) + "…"


def test_whole_words_match_in_any_case_and_spacing_but_never_inside_a_word():
    pattern = text.whole_words(["parking  lot"])
    assert pattern.search("The PARKING\nlot is dark").group() == "PARKING\nlot"
    assert pattern.search("the parking lots") is None
    assert text.whole_words(["harass"]).search("harassment") is None


def test_whole_words_prefer_the_longest_phrase_and_are_none_without_any():
    assert text.whole_words(["Ana", "Ana Lucia"]).search("ask Ana Lucia").group() == "Ana Lucia"
    assert text.whole_words(["", "  "]) is None


def test_a_term_of_many_marks_cannot_make_the_search_backtrack_for_ever():
    """A submitter can store a long run of combining marks; a term of such marks, one optional group per mark,
    would take minutes per row in Python's re (SQLite's search; about 15 minutes for this one): a run of marks
    is one optional group, which cannot backtrack."""
    import re

    from feedback.services.text import accent_insensitive_pattern

    written = accent_insensitive_pattern("\u0301" * 30 + "z")
    assert written.count(")?") == 1  # one group for the run (checked first: the old pattern would hang below)
    pattern = re.compile(written, re.IGNORECASE)
    assert pattern.search("e" + "\u0301" * 40) is None
    assert pattern.search("e" + "\u0301" * 30 + "z") and pattern.search("z")
