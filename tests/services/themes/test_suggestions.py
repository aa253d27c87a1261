"""Suggested themes: each with its reason; nothing tagged until a person accepts; a dismissal is final."""

from __future__ import annotations

import uuid

import pytest
import sqlalchemy as sa

from feedback.models import DuplicateLink, Submission, SuggestionDecision
from feedback.services.themes import suggestions
from tests.browsing import post_form, text
from tests.desk_helpers import add
from tests.factories import make_theme, make_town_hall, tag
from tests.staff import staff_client
from tests.stored import details, events, themes_of

HARASSMENT_TEXT = "My supervisor keeps trying to HARASS the new residents on nights."


@pytest.fixture
def harassment(db_session):
    return make_theme(db_session, "Harassment", keywords="harass\nbullied\nnight shift")


def decisions(db_session, submission_id) -> dict[int, str]:
    db_session.rollback()
    query = sa.select(SuggestionDecision.theme_id, SuggestionDecision.decision).where(
        SuggestionDecision.submission_id == submission_id)
    return {theme_id: decision for theme_id, decision in db_session.execute(query)}


def decide(client, submission_id, theme, what: str):
    page = f"/facilitate/s/{submission_id}"
    return post_form(client, f"{page}/suggestions/{theme.id}/{what}", page)


# --- keywords ---

@pytest.mark.parametrize(("keywords", "body", "expected"), [
    ("harass", "They HARASS people.", "harass"),
    ("harass", "Harass!", "harass"),
    ("harass", "This is harassment.", None),  # whole words only
    ("harass", "unharass", None),
    ("night shift", "On the night\n  shift nobody answers.", "night shift"),
    ("night shift", "nightshift", None),
    ("pay\nrota", "The rota is late.", "rota"),
    ("c++", "We need C++ training.", "c++"),  # special characters are literal
    ("", "Anything at all.", None),
])
def test_a_keyword_matches_as_a_whole_word_or_phrase_whatever_the_case(keywords, body, expected):
    assert suggestions.matched_keyword(keywords, body) == expected


# --- what the facilitator sees ---

def test_a_keyword_match_is_suggested_with_its_reason_and_nothing_is_tagged(
        facilitator, db_session, ring, hall, harassment):
    submission = add(db_session, ring, hall, HARASSMENT_TEXT)
    page = text(facilitator.get(f"/facilitate/s/{submission}"))
    assert "Suggested themes" in page
    assert "Why: keyword 'harass' matched" in page
    assert f"/suggestions/{harassment.id}/accept" in page and f"/suggestions/{harassment.id}/dismiss" in page
    assert themes_of(db_session, submission) == set()
    assert decisions(db_session, submission) == {}
    assert events(db_session, "tag") == []


def test_similar_submissions_already_tagged_suggest_the_theme(facilitator, db_session, ring, hall):
    pay = make_theme(db_session, "Pay")  # no keywords: only similarity can suggest it
    for body in ("Unpaid overtime after every handover shift on the ward.",
                 "Every handover shift ends with unpaid overtime on the ward.",
                 "Handover shift overtime on the ward is unpaid, every time."):
        tag(db_session, add(db_session, ring, hall, body), pay)
    tag(db_session, add(db_session, ring, hall, "The car park lights are broken."), pay)
    elsewhere = add(db_session, ring, make_town_hall(db_session, "Another"), "Unpaid overtime after handover shift.")
    tag(db_session, elsewhere, pay)  # another town hall: not counted
    submission = add(db_session, ring, hall, "Unpaid overtime after the handover shift, on the ward.")
    page = text(facilitator.get(f"/facilitate/s/{submission}"))
    assert "Why: similar to 3 submissions already tagged with it" in page


def test_both_reasons_are_given_when_both_hold(db_session, ring, hall, harassment):
    tag(db_session, add(db_session, ring, hall, "Residents on nights are harassed by a supervisor."), harassment)
    submission = add(db_session, ring, hall, "A supervisor harass residents on nights.")
    [suggestion] = suggestions.for_submission(db_session, db_session.get(Submission, submission))
    assert str(suggestion.reason) == "keyword 'harass' matched and similar to 1 submission already tagged with it"


def test_a_theme_already_tagged_or_archived_is_never_suggested(facilitator, db_session, ring, hall, harassment):
    make_theme(db_session, "Old harassment", keywords="harass", archived=True)
    submission = add(db_session, ring, hall, HARASSMENT_TEXT)
    tag(db_session, submission, harassment)
    page = text(facilitator.get(f"/facilitate/s/{submission}"))
    assert "No suggestions for this submission." in page
    assert "Why:" not in page


# --- accept and dismiss ---

def test_accepting_tags_the_submission_records_the_decision_and_audits_it(
        facilitator, db_session, ring, hall, harassment):
    submission = add(db_session, ring, hall, HARASSMENT_TEXT)
    response = decide(facilitator, submission, harassment, "accept")
    assert response.status_code == 302
    page = text(facilitator.get(response.location))
    assert "Tagged with Harassment." in page
    assert "Why: keyword" not in page  # no longer suggested
    assert themes_of(db_session, submission) == {harassment.id}
    assert decisions(db_session, submission) == {harassment.id: "accepted"}
    [event] = events(db_session, "tag")
    assert (event.actor, event.submission_id) == ("facilitator@example.org", submission)
    assert details(event) == {"themes": ["Harassment"], "suggestion": "accepted"}


def test_a_dismissed_suggestion_is_never_suggested_again_and_nothing_is_tagged(
        facilitator, db_session, ring, hall, harassment):
    submission = add(db_session, ring, hall, HARASSMENT_TEXT)
    response = decide(facilitator, submission, harassment, "dismiss")
    assert response.status_code == 302
    page = text(facilitator.get(response.location))
    assert "Suggestion dismissed: Harassment will not be suggested for this submission again." in page
    assert "Why: keyword 'harass' matched" not in page
    assert themes_of(db_session, submission) == set()
    assert decisions(db_session, submission) == {harassment.id: "dismissed"}
    [event] = events(db_session, "suggestion_dismissed")
    assert details(event) == {"theme": "Harassment"} and event.actor == "facilitator@example.org"
    # Another similar, tagged submission later does not bring it back either.
    tag(db_session, add(db_session, ring, hall, HARASSMENT_TEXT), harassment)
    assert "Why:" not in text(facilitator.get(f"/facilitate/s/{submission}"))


def test_deciding_twice_is_refused_with_a_message(facilitator, db_session, ring, hall, harassment):
    submission = add(db_session, ring, hall, HARASSMENT_TEXT)
    decide(facilitator, submission, harassment, "dismiss")
    response = decide(facilitator, submission, harassment, "accept")
    assert response.status_code == 422
    page = text(response)
    assert "The suggestion “Harassment” was already accepted or dismissed." in page
    assert 'href="#suggestion"' in page and 'id="suggestion"' in page
    assert themes_of(db_session, submission) == set()


def test_accepting_an_archived_theme_is_refused(facilitator, db_session, ring, hall):
    old = make_theme(db_session, "Old", keywords="harass", archived=True)
    submission = add(db_session, ring, hall, HARASSMENT_TEXT)
    response = decide(facilitator, submission, old, "accept")
    assert response.status_code == 422
    assert "no longer in the codebook" in text(response)
    assert themes_of(db_session, submission) == set() and decisions(db_session, submission) == {}


def test_an_unknown_theme_is_refused_and_an_unknown_submission_not_found(facilitator, db_session, ring, hall):
    submission = add(db_session, ring, hall, HARASSMENT_TEXT)
    page = f"/facilitate/s/{submission}"
    response = post_form(facilitator, f"{page}/suggestions/9999/accept", page)
    assert response.status_code == 422 and "no longer in the codebook" in text(response)
    response = post_form(facilitator, f"/facilitate/s/{uuid.uuid4()}/suggestions/1/accept", page)
    assert response.status_code == 404


def test_accepting_for_a_representative_tags_its_members(facilitator, db_session, ring, hall, harassment):
    lead, member = add(db_session, ring, hall, HARASSMENT_TEXT), add(db_session, ring, hall, HARASSMENT_TEXT)
    db_session.add(DuplicateLink(submission_id=member, representative_id=lead))
    db_session.commit()
    decide(facilitator, lead, harassment, "accept")
    assert themes_of(db_session, member) == {harassment.id}


def test_leaders_cannot_accept_or_dismiss(app, db_session, ring, hall, harassment):
    submission = add(db_session, ring, hall, HARASSMENT_TEXT)
    leader = staff_client(app, "leader")
    for what in ("accept", "dismiss"):
        assert leader.post(f"/facilitate/s/{submission}/suggestions/{harassment.id}/{what}").status_code == 403
    assert themes_of(db_session, submission) == set() and decisions(db_session, submission) == {}
