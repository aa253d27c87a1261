"""Bulk tagging from the desk, and near-duplicates carrying their representative's themes."""

from __future__ import annotations

import os
import uuid

import sqlalchemy as sa

from feedback.models import DuplicateLink, Submission, Tagging
from tests.browsing import text
from tests.desk_helpers import CHECKED_ID, add
from tests.factories import make_town_hall, tag, today
from tests.services.themes.tagging_pages import bulk_tag, set_themes, ticked_themes
from tests.stored import details, events, themes_of

# --- bulk tagging ---

def test_bulk_tagging_tags_the_selected_rows_and_audits_each(facilitator, db_session, ring, hall, codebook):
    chosen = [add(db_session, ring, hall) for _ in range(3)]
    left = add(db_session, ring, hall)
    response = bulk_tag(facilitator, hall.slug, chosen, [codebook["pay"], codebook["safety"]],
                        query="?theme=untagged&status=pending")
    assert response.status_code == 302
    assert response.location == f"/facilitate/{hall.slug}?status=pending&theme=untagged"
    assert "3 submissions tagged." in text(facilitator.get(response.location))
    assert all(themes_of(db_session, s) == {codebook["pay"].id, codebook["safety"].id} for s in chosen)
    assert themes_of(db_session, left) == set()
    tagged = events(db_session, "tag")
    assert sorted(e.submission_id for e in tagged) == sorted(chosen)
    assert {(e.actor, tuple(details(e)["themes"])) for e in tagged} == {("facilitator@example.org", ("Pay", "Safety"))}


def test_a_few_hundred_submissions_are_tagged_in_one_post(facilitator, db_session, hall, codebook):
    ids = [uuid.uuid4() for _ in range(300)]
    db_session.execute(sa.insert(Submission), [
        {"id": i, "town_hall_id": hall.id, "body": f"Concern {n}", "received_on": today(), "status": "pending",
         "is_named": False, "receipt_hash": os.urandom(32), "form_token_hash": os.urandom(32)}
        for n, i in enumerate(ids)
    ])
    db_session.commit()
    tag(db_session, ids[0], codebook["pay"])  # already tagged: left alone
    response = bulk_tag(facilitator, hall.slug, ids, [codebook["pay"]])
    assert response.status_code == 302
    assert "299 submissions tagged." in text(facilitator.get(response.location))
    db_session.rollback()
    query = sa.select(sa.func.count()).select_from(Tagging).where(Tagging.theme_id == codebook["pay"].id)
    assert db_session.scalar(query) == 300
    assert len(events(db_session, "tag")) == 299


def test_bulk_tagging_without_a_theme_keeps_the_selection_and_says_why(facilitator, db_session, ring, hall, codebook):
    chosen = add(db_session, ring, hall)
    add(db_session, ring, hall)
    response = bulk_tag(facilitator, hall.slug, [chosen], [])
    page = text(response)
    assert response.status_code == 422
    assert "Choose at least one theme to tag the selected submissions with." in page
    assert CHECKED_ID.findall(page) == [str(chosen)]
    assert "<details class=\"bulk-tag\" id=\"tag-picker\" open>" in page and 'href="#themes"' in page


def test_bulk_tagging_without_a_selection_keeps_the_themes_and_says_why(facilitator, db_session, ring, hall, codebook):
    add(db_session, ring, hall)
    response = bulk_tag(facilitator, hall.slug, [], [codebook["pay"]])
    page = text(response)
    assert response.status_code == 422
    assert "Select at least one submission first." in page and 'href="#selected"' in page
    assert ticked_themes(page, "bulk-theme") == {codebook["pay"].id}


def test_bulk_tagging_with_an_archived_theme_tags_nothing(facilitator, db_session, ring, hall, codebook):
    chosen = add(db_session, ring, hall)
    response = bulk_tag(facilitator, hall.slug, [chosen], [codebook["pay"], codebook["old"]])
    assert response.status_code == 422
    assert "Some of the chosen themes are no longer in the codebook." in text(response)
    assert themes_of(db_session, chosen) == set()


def test_bulk_tagging_cannot_reach_into_another_town_hall(facilitator, db_session, ring, hall, codebook):
    mine = add(db_session, ring, hall)
    theirs = add(db_session, ring, make_town_hall(db_session, "Another one"))
    response = bulk_tag(facilitator, hall.slug, [mine, theirs], [codebook["pay"]])
    assert response.status_code == 422
    assert "Some of the selected submissions are no longer here." in text(response)
    assert themes_of(db_session, mine) == themes_of(db_session, theirs) == set()


def test_a_forged_selection_is_refused(facilitator, db_session, ring, hall, codebook):
    add(db_session, ring, hall)
    response = bulk_tag(facilitator, hall.slug, ["not-a-uuid"], [codebook["pay"]])
    assert response.status_code == 422
    assert "Some of the selected submissions are not valid." in text(response)


# --- near-duplicates carry their representative's themes ---

def test_tagging_a_representative_tags_and_untags_its_members(facilitator, db_session, ring, hall, codebook):
    lead, member, other = (add(db_session, ring, hall) for _ in range(3))
    db_session.add(DuplicateLink(submission_id=member, representative_id=lead))
    db_session.commit()
    set_themes(facilitator, lead, codebook["pay"])
    assert themes_of(db_session, member) == {codebook["pay"].id} and themes_of(db_session, other) == set()
    follow = [e for e in events(db_session, "tag") if e.submission_id == member]
    assert [details(e) for e in follow] == [{"themes": ["Pay"], "representative": str(lead)}]
    set_themes(facilitator, lead)
    assert themes_of(db_session, member) == set()


def test_bulk_tagging_a_representative_tags_its_members(facilitator, db_session, ring, hall, codebook):
    lead, member = add(db_session, ring, hall), add(db_session, ring, hall)
    db_session.add(DuplicateLink(submission_id=member, representative_id=lead))
    db_session.commit()
    response = bulk_tag(facilitator, hall.slug, [lead], [codebook["safety"]])
    assert "2 submissions tagged." in text(facilitator.get(response.location))
    assert themes_of(db_session, member) == {codebook["safety"].id}
