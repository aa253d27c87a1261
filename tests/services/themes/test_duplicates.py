"""Near-duplicates: similar ones listed, grouped under one representative, ungrouped; members carry its themes."""

from __future__ import annotations

import uuid

import pytest
import sqlalchemy as sa

from feedback.models import DuplicateLink, Submission
from feedback.services.themes import similarity
from tests.browsing import post_form, text
from tests.desk_helpers import add
from tests.factories import make_theme, make_town_hall, tag
from tests.staff import staff_client
from tests.stored import details, events, themes_of

SAME = "The handover runs late every day and nobody is paid for the extra hour."
ALMOST = "Handover runs late every single day, and nobody is paid for that extra hour."
OTHER = "The car park has no lights at night."


def links(db_session) -> dict[uuid.UUID, uuid.UUID]:
    db_session.rollback()
    return {member: lead for member, lead in db_session.execute(
        sa.select(DuplicateLink.submission_id, DuplicateLink.representative_id))}


def group(client, representative, member):
    page = f"/facilitate/s/{representative}"
    return post_form(client, f"{page}/duplicates", page, member=str(member))


def ungroup(client, page_of, member):
    page = f"/facilitate/s/{page_of}"
    return post_form(client, f"{page}/ungroup", page, member=str(member))


# --- the similarity function ---

def test_words_are_case_folded_without_stopwords_or_punctuation():
    assert similarity.words("The Handover, the HANDOVER; and nobody's paid!") == {"handover", "nobody", "paid"}


@pytest.mark.parametrize(("a", "b", "expected"), [
    ("handover late paid", "handover late paid", 1.0),
    ("handover late paid", "handover late", 2 / 3),
    ("handover late", "car park", 0.0),
    ("", "anything", 0.0),
    ("the and of", "the and of", 0.0),  # stopwords only: nothing to compare
])
def test_jaccard_is_shared_words_over_all_words(a, b, expected):
    assert similarity.jaccard(similarity.words(a), similarity.words(b)) == pytest.approx(expected)


# --- the panel ---

def test_the_panel_lists_similar_submissions_of_the_same_town_hall_only(facilitator, db_session, ring, hall):
    submission = add(db_session, ring, hall, SAME)
    near = add(db_session, ring, hall, ALMOST)
    far = add(db_session, ring, hall, OTHER)
    elsewhere = add(db_session, ring, make_town_hall(db_session, "Another"), SAME)
    page = text(facilitator.get(f"/facilitate/s/{submission}"))
    panel = page[page.index("Near-duplicates"):]
    assert f'value="{near}"' in panel and "Handover runs late every single day" in panel
    assert f'value="{far}"' not in panel and f'value="{elsewhere}"' not in panel
    assert "% alike" in panel and "Not grouped with any other submission: raised by 1 person." in panel


def test_the_panel_shows_the_redacted_text_of_a_similar_submission(facilitator, db_session, ring, hall):
    submission = add(db_session, ring, hall, SAME)
    near = add(db_session, ring, hall, ALMOST + " Dr Smith knows.")
    db_session.get(Submission, near).redacted_body = ALMOST + " [name removed] knows."
    db_session.commit()
    page = text(facilitator.get(f"/facilitate/s/{submission}"))
    panel = page[page.index("Near-duplicates"):]
    assert "[name removed] knows." in panel and "Dr Smith" not in panel


# --- grouping ---

def test_grouping_stores_the_link_gives_the_representatives_themes_and_audits(facilitator, db_session, ring, hall):
    pay = make_theme(db_session, "Pay")
    lead, member = add(db_session, ring, hall, SAME), add(db_session, ring, hall, ALMOST)
    tag(db_session, lead, pay)
    response = group(facilitator, lead, member)
    assert response.status_code == 302
    page = text(facilitator.get(response.location))
    assert "Grouped 1 submission under this one; they now carry its themes." in page
    assert "Raised by 2 people." in page
    assert links(db_session) == {member: lead}
    assert themes_of(db_session, member) == {pay.id}
    [event] = events(db_session, "duplicate_grouped")
    assert (event.actor, event.submission_id) == ("facilitator@example.org", member)
    assert details(event) == {"representative": str(lead), "moved_from": None}
    assert "handover" not in (event.details + event.reason).lower()
    [tagged] = events(db_session, "tag")
    assert details(tagged) == {"themes": ["Pay"], "representative": str(lead)}
    member_page = text(facilitator.get(f"/facilitate/s/{member}"))
    assert "Grouped under" in member_page and "raised by 2 people" in member_page


def test_a_group_counts_everyone_in_it(facilitator, db_session, ring, hall):
    lead = add(db_session, ring, hall, SAME)
    for _ in range(13):
        group(facilitator, lead, add(db_session, ring, hall, ALMOST))
    assert "Raised by 14 people." in text(facilitator.get(f"/facilitate/s/{lead}"))


def test_tagging_the_representative_later_tags_its_members(facilitator, db_session, ring, hall):
    safety = make_theme(db_session, "Safety")
    lead, member = add(db_session, ring, hall, SAME), add(db_session, ring, hall, ALMOST)
    group(facilitator, lead, member)
    page = f"/facilitate/s/{lead}"
    post_form(facilitator, f"{page}/themes", page, themes=[str(safety.id)])
    assert themes_of(db_session, member) == {safety.id}


def test_grouping_under_a_member_is_refused_so_there_are_no_chains(facilitator, db_session, ring, hall):
    lead, member, third = (add(db_session, ring, hall, SAME) for _ in range(3))
    group(facilitator, lead, member)
    response = group(facilitator, member, third)
    assert response.status_code == 422
    assert "This submission is itself grouped under another one: group under that one instead." in text(response)
    assert links(db_session) == {member: lead}


def test_grouping_a_representative_moves_its_whole_group(facilitator, db_session, ring, hall):
    old_lead, old_member, new_lead = (add(db_session, ring, hall, SAME) for _ in range(3))
    group(facilitator, old_lead, old_member)
    response = group(facilitator, new_lead, old_lead)
    assert response.status_code == 302
    assert links(db_session) == {old_lead: new_lead, old_member: new_lead}
    assert "Raised by 3 people." in text(facilitator.get(f"/facilitate/s/{new_lead}"))
    moved = [details(e) for e in events(db_session, "duplicate_grouped") if e.submission_id == old_member]
    assert moved[-1] == {"representative": str(new_lead), "moved_from": str(old_lead)}


def test_regrouping_a_member_moves_it(facilitator, db_session, ring, hall):
    first, second, member = (add(db_session, ring, hall, SAME) for _ in range(3))
    group(facilitator, first, member)
    group(facilitator, second, member)
    assert links(db_session) == {member: second}


def test_grouping_twice_changes_nothing(facilitator, db_session, ring, hall):
    lead, member = add(db_session, ring, hall, SAME), add(db_session, ring, hall, ALMOST)
    group(facilitator, lead, member)
    response = group(facilitator, lead, member)
    assert "Nothing changed: it is already in this group." in text(facilitator.get(response.location))
    assert len(events(db_session, "duplicate_grouped")) == 1


@pytest.mark.parametrize("case", ["itself", "another town hall", "not a submission id", "gone"])
def test_a_grouping_that_cannot_be_made_is_refused_with_a_message(facilitator, db_session, ring, hall, case):
    lead = add(db_session, ring, hall, SAME)
    member = {"itself": lead, "another town hall": add(db_session, ring, make_town_hall(db_session, "Other"), SAME),
              "not a submission id": "1 OR 1", "gone": uuid.uuid4()}[case]
    response = group(facilitator, lead, member)
    expected = {"itself": "A submission cannot be grouped under itself.",
                "another town hall": "Only submissions to the same town hall can be grouped.",
                "not a submission id": "Choose a submission from the list.",
                "gone": "That submission is no longer here."}[case]
    page = text(response)
    assert response.status_code == 422 and expected in page
    assert 'href="#member"' in page and 'id="member"' in page
    assert links(db_session) == {}


# --- ungrouping ---

def test_ungrouping_removes_the_link_keeps_the_themes_and_audits(facilitator, db_session, ring, hall):
    pay = make_theme(db_session, "Pay")
    lead, member = add(db_session, ring, hall, SAME), add(db_session, ring, hall, ALMOST)
    tag(db_session, lead, pay)
    group(facilitator, lead, member)
    response = ungroup(facilitator, lead, member)
    assert response.status_code == 302
    page = text(facilitator.get(response.location))
    assert "Taken out of the group." in page and "Not grouped with any other submission" in page
    assert links(db_session) == {}
    assert themes_of(db_session, member) == {pay.id}
    [event] = events(db_session, "duplicate_ungrouped")
    assert (event.submission_id, details(event)) == (member, {"representative": str(lead)})


def test_a_member_can_leave_its_group_from_its_own_page(facilitator, db_session, ring, hall):
    lead, member = add(db_session, ring, hall, SAME), add(db_session, ring, hall, ALMOST)
    group(facilitator, lead, member)
    assert ungroup(facilitator, member, member).status_code == 302
    assert links(db_session) == {}


def test_ungrouping_from_an_unrelated_page_is_refused(facilitator, db_session, ring, hall):
    lead, member, stranger = (add(db_session, ring, hall, SAME) for _ in range(3))
    group(facilitator, lead, member)
    response = ungroup(facilitator, stranger, member)
    assert response.status_code == 422
    assert "That submission is not in this group any more." in text(response)
    assert links(db_session) == {member: lead}


def test_leaders_cannot_group_or_ungroup(app, db_session, ring, hall):
    lead, member = add(db_session, ring, hall, SAME), add(db_session, ring, hall, ALMOST)
    leader = staff_client(app, "leader")
    for what in ("duplicates", "ungroup"):
        assert leader.post(f"/facilitate/s/{lead}/{what}", data={"member": str(member)}).status_code == 403
    assert links(db_session) == {}
