"""Highlighting details that could identify a submitter, for the facilitator who redacts."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from feedback.services.moderation import identifying
from feedback.services.moderation.identifying import COHORT, DATE, EMAIL, HANDLE, NAME, ONLY, PHONE, TITLE, YEAR


def flagged(text: str, names=()) -> list[tuple[str, str]]:
    return [(text[s.start:s.end], s.kind) for s in identifying.find(text, names)]


@pytest.mark.parametrize(("text", "expected"), [
    ("Write to jo.bloggs+rota@med.example.ac.uk today", [("jo.bloggs+rota@med.example.ac.uk", EMAIL)]),
    ("Call 07700 900123 or +44 20 7946 0958", [("07700 900123", PHONE), ("+44 20 7946 0958", PHONE)]),
    ("ring (555) 123-4567 or 555-0123", [("(555) 123-4567", PHONE), ("555-0123", PHONE)]),
    ("text 07700900123", [("07700900123", PHONE)]),
    ("follow @night_nurse.uk and @rota", [("@night_nurse.uk", HANDLE), ("@rota", HANDLE)]),
    ("Since 1987, and again in 2024.", [("1987", YEAR), ("2024", YEAR)]),
    ("the class of 2027 and the class of '26", [("class of 2027", COHORT), ("class of '26", COHORT)]),
    ("my cohort, the 2024 cohort", [("cohort", COHORT), ("2024 cohort", COHORT)]),
    ("as a PGY-2 and later PGY3", [("PGY-2", COHORT), ("PGY3", COHORT)]),
    ("an MS3, an M2, in intern year", [("MS3", COHORT), ("M2", COHORT), ("intern year", COHORT)]),
    ("second-year students and final year", [("second-year", COHORT), ("final year", COHORT)]),
    ("I am the only Black woman in my class.", [("the only Black woman in my class", ONLY)]),
    ("The only one on nights", [("The only one on nights", ONLY)]),
    ("as the only trans resident at this hospital", [("the only trans resident at this hospital", ONLY)]),
])
def test_each_kind_of_detail_is_flagged(text, expected):
    assert flagged(text) == expected



@pytest.mark.parametrize(("text", "expected"), [
    ("Dr Example told me to drop it.", [("Dr Example", TITLE)]),
    ("Ask Dr. O'Neill, or doctor Mbeki", [("Dr. O'Neill", TITLE), ("doctor Mbeki", TITLE)]),
    ("Professor X laughed; so did Prof. Xu.", [("Professor X", TITLE), ("Prof. Xu", TITLE)]),
    ("Mrs Patel and Mx Lee", [("Mrs Patel", TITLE), ("Mx Lee", TITLE)]),
    ("It happened in March 2026.", [("March 2026", DATE)]),
    ("in Sept. '25 and in May of 2024", [("Sept. '25", DATE), ("May of 2024", DATE)]),
    ("on 3 March, and on March 14th, 2026", [("3 March", DATE), ("March 14th, 2026", DATE)]),
    ("the Class of 2027 and the classes of 2026", [("Class of 2027", COHORT), ("classes of 2026", COHORT)]),
    ("class-of-2027 group chat", [("class-of-2027", COHORT)]),
    ("the PGY-2s, a PGY\u20112 and a PGY\u20133", [("PGY-2s", COHORT), ("PGY\u20112", COHORT), ("PGY\u20133", COHORT)]),
    ("I am my unit's only Black nurse.", [("my unit's only Black nurse", ONLY)]),
    ("as our team\u2019s only night porter, I", [("our team\u2019s only night porter", ONLY)]),
    ("I was the only one there", [("the only one there", ONLY)]),
])
def test_titles_dates_cohorts_and_only_phrases_probing_found_are_flagged(text, expected):
    assert flagged(text) == expected


@pytest.mark.parametrize("text", [
    "The doctor said the professor was away.",
    "We march on; may we all be heard. Dr and Prof are titles.",
    "That's only fair, and it's the only way forward.",
    "Only a few of us went to the Dean's office.",
    "The rota changed in the spring and nobody asked us.",
])
def test_ordinary_text_does_not_light_up_as_a_title_date_cohort_or_only_phrase(text):
    assert flagged(text) == []

def test_names_come_from_the_configured_list_as_whole_words_in_any_case():
    text = "OKAFOR and Ana Lucia spoke; Okaforth and Banana did not; ana did."
    assert flagged(text, ["Okafor", "Ana Lucia", "Ana", "  "]) == [
        ("OKAFOR", NAME), ("Ana Lucia", NAME), ("ana", NAME)]


def test_a_name_with_regex_characters_is_matched_literally():
    assert flagged("Ask O'Brien (C.) or OXBrien", ["O'Brien", "C."]) == [("O'Brien", NAME), ("C.", NAME)]


@pytest.mark.parametrize("text", [
    "We waited 300 ms, then 12 minutes.",
    "Dates like 2024-05-01 and ranges like 2019-2020 are not phone numbers.",
    "It costs 1,000,000 (or 1000000) and 3.5 percent.",
    "Ms Jones said the M25 was closed.",
    "Only the onlys.",
    "name@localhost is not an address",
])
def test_ordinary_text_is_not_flagged_as_a_phone_handle_cohort_or_email(text):
    assert not [kind for _, kind in flagged(text) if kind in (PHONE, HANDLE, COHORT, EMAIL, ONLY)]


def test_overlapping_details_merge_into_one_highlight():
    assert flagged("the only nurse in my class of 2027") == [("the only nurse in my class of 2027", ONLY)]


def test_segments_mark_the_details_and_leave_the_rest_plain():
    assert identifying.segments("Mail a@b.org now", []) == [("Mail ", None), ("a@b.org", EMAIL), (" now", None)]
    assert identifying.segments("", []) == []


@settings(max_examples=300, deadline=None)
@given(text=st.text(alphabet=st.characters(codec="utf-8"), max_size=300),
       names=st.lists(st.text(min_size=1, max_size=12), max_size=3))
def test_segments_always_join_back_to_the_original_text(text, names):
    pieces = identifying.segments(text, names)
    assert "".join(piece for piece, _ in pieces) == text
    assert all(piece for piece, _ in pieces)  # no empty pieces
    spans = identifying.find(text, names)
    assert all(a.end <= b.start for a, b in zip(spans, spans[1:], strict=False))


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(["the only", "one", "in", "my", "class of", "2027", "@x", "a@b.io", " ", "\n",
                                 "PGY-1", "555-0123", ".", "Ana"]), max_size=40))
def test_segments_join_back_for_text_full_of_near_misses(words):
    text = " ".join(words)
    assert "".join(piece for piece, _ in identifying.segments(text, ["Ana"])) == text
