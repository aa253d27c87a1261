"""Tagging on the moderation desk: a submission's themes, bulk tagging, theme chips and filters on the desk."""

from __future__ import annotations

import os
import re
import uuid

import pytest
import sqlalchemy as sa

from feedback.models import DuplicateLink, Submission, Tagging
from tests.browsing import post_form, text
from tests.desk_helpers import CHECKED_ID, ROW_ID, add
from tests.factories import make_theme, make_town_hall, tag, today
from tests.staff import staff_client
from tests.stored import details, events, themes_of


def ticked_themes(page: str, prefix: str = "theme") -> set[int]:
    return {int(i) for i in re.findall(rf'id="{prefix}-(\d+)"[^>]*\bchecked\b', page)}


@pytest.fixture
def codebook(db_session):
    """Safety (with Harassment under it), Pay, and an archived theme."""
    safety = make_theme(db_session, "Safety", colour="#a4161a")
    return {"safety": safety, "harassment": make_theme(db_session, "Harassment", parent_id=safety.id),
            "pay": make_theme(db_session, "Pay"), "old": make_theme(db_session, "Old theme", archived=True)}


def set_themes(client, submission_id, *themes):
    page = f"/facilitate/s/{submission_id}"
    return post_form(client, f"{page}/themes", page, themes=[str(t.id) for t in themes])


def bulk_tag(client, slug, ids, themes, query=""):
    page = f"/facilitate/{slug}"
    return post_form(client, f"{page}/tag{query}", page, selected=[str(i) for i in ids],
                     themes=[str(t.id) for t in themes])


# --- one submission ---

def test_the_submission_page_offers_themes_grouped_by_parent_and_never_an_archived_one(
        facilitator, db_session, ring, hall, codebook):
    submission = add(db_session, ring, hall)
    page = text(facilitator.get(f"/facilitate/s/{submission}"))
    assert "<legend class=\"label\">Themes</legend>" in page
    tree = page[page.index('id="theme-'):]
    # A to Z: Pay, then Safety with Harassment in a list nested under it.
    safety = tree.index(">Safety")
    assert tree.index(">Pay") < safety < tree.index('class="theme-tree"', safety) < tree.index(">Harassment")
    assert f'id="theme-{codebook["old"].id}"' not in page and "Old theme" not in page
    assert 'fill="#a4161a"' in page and "style=" not in page


def test_ticking_themes_tags_the_submission_and_audits_who_and_which(facilitator, db_session, ring, hall, codebook):
    submission = add(db_session, ring, hall, "Nobody acts on harassment reports.")
    response = set_themes(facilitator, submission, codebook["harassment"], codebook["pay"])
    assert response.status_code == 302
    page = text(facilitator.get(response.location))
    assert "Tagged with Harassment, Pay." in page
    assert ticked_themes(page) == {codebook["harassment"].id, codebook["pay"].id}
    assert themes_of(db_session, submission) == {codebook["harassment"].id, codebook["pay"].id}
    [event] = events(db_session, "tag")
    assert (event.actor, event.submission_id) == ("facilitator@example.org", submission)
    assert details(event) == {"themes": ["Harassment", "Pay"]}
    assert "harassment reports" not in event.details + event.reason


def test_unticking_a_theme_untags_it_and_audits_that(facilitator, db_session, ring, hall, codebook):
    submission = add(db_session, ring, hall)
    tag(db_session, submission, codebook["pay"], codebook["safety"])
    response = set_themes(facilitator, submission, codebook["safety"])
    assert "No longer tagged with Pay." in text(facilitator.get(response.location))
    assert themes_of(db_session, submission) == {codebook["safety"].id}
    assert [details(e) for e in events(db_session, "untag")] == [{"themes": ["Pay"]}]
    assert events(db_session, "tag") == []


def test_saving_the_same_themes_changes_nothing(facilitator, db_session, ring, hall, codebook):
    submission = add(db_session, ring, hall)
    tag(db_session, submission, codebook["pay"])
    response = set_themes(facilitator, submission, codebook["pay"])
    assert "Nothing changed." in text(facilitator.get(response.location))
    assert events(db_session, "tag") == events(db_session, "untag") == []


def test_an_archived_tag_is_kept_when_the_others_are_saved(facilitator, db_session, ring, hall, codebook):
    submission = add(db_session, ring, hall)
    tag(db_session, submission, codebook["old"])
    page = text(facilitator.get(f"/facilitate/s/{submission}"))
    assert "Also tagged with archived themes" in page and "Old theme (archived)" in page
    set_themes(facilitator, submission, codebook["pay"])
    assert themes_of(db_session, submission) == {codebook["old"].id, codebook["pay"].id}


def test_an_archived_theme_is_refused_and_the_ticked_boxes_come_back(facilitator, db_session, ring, hall, codebook):
    submission = add(db_session, ring, hall)
    response = set_themes(facilitator, submission, codebook["pay"], codebook["old"])
    page = text(response)
    assert response.status_code == 422
    assert "Some of the chosen themes are no longer in the codebook." in page
    assert 'href="#themes"' in page and "<title>Error:" in page
    assert codebook["pay"].id in ticked_themes(page)
    assert themes_of(db_session, submission) == set()


def test_a_theme_that_is_not_a_number_is_refused_with_a_message(facilitator, db_session, ring, hall, codebook):
    submission = add(db_session, ring, hall)
    page = f"/facilitate/s/{submission}"
    response = post_form(facilitator, f"{page}/themes", page, themes=["1 OR 1"])
    assert response.status_code == 422
    assert "Some of the chosen themes are not in the codebook. Reload the page." in text(response)


def test_tagging_without_a_csrf_token_is_refused(facilitator, db_session, ring, hall, codebook):
    submission = add(db_session, ring, hall)
    response = facilitator.post(f"/facilitate/s/{submission}/themes", data={"themes": [str(codebook["pay"].id)]})
    assert response.status_code == 400
    assert themes_of(db_session, submission) == set()


def test_theme_names_are_escaped(facilitator, db_session, ring, hall):
    payload = make_theme(db_session, "<img src=x onerror=alert(1)>")
    submission = add(db_session, ring, hall)
    tag(db_session, submission, payload)
    for path in (f"/facilitate/s/{submission}", f"/facilitate/{hall.slug}"):
        page = facilitator.get(path).get_data(as_text=True)
        assert "<img src=x" not in page and "&lt;img src=x onerror=alert(1)&gt;" in page


# --- the desk ---

def test_the_desk_shows_each_rows_theme_chips(facilitator, db_session, ring, hall, codebook):
    tagged = add(db_session, ring, hall, "Tagged one")
    add(db_session, ring, hall, "Untagged one")
    tag(db_session, tagged, codebook["pay"], codebook["harassment"])
    page = text(facilitator.get(f"/facilitate/{hall.slug}"))
    row = page[page.index("Tagged one"):page.index("</tr>", page.index("Tagged one"))]
    assert row.index(">Harassment") < row.index(">Pay")
    untagged = page[page.index("Untagged one"):page.index("</tr>", page.index("Untagged one"))]
    assert "None yet" in untagged


def count_statements(app, fetch) -> int:
    statements = []
    engine = app.extensions["feedback_engine"]

    def count(*_args):
        statements.append(1)

    sa.event.listen(engine, "before_cursor_execute", count)
    try:
        assert fetch().status_code == 200
    finally:
        sa.event.remove(engine, "before_cursor_execute", count)
    return len(statements)


def test_theme_chips_take_one_query_per_page_not_one_per_row(app, facilitator, db_session, ring, hall, codebook):
    def rows(n):
        for _ in range(n):
            tag(db_session, add(db_session, ring, hall), codebook["pay"])

    rows(2)
    few = count_statements(app, lambda: facilitator.get(f"/facilitate/{hall.slug}"))
    rows(20)
    many = count_statements(app, lambda: facilitator.get(f"/facilitate/{hall.slug}"))
    assert many == few


def test_the_desk_filters_untagged_and_by_theme(facilitator, db_session, ring, hall, codebook):
    paid, safe, both, none = (add(db_session, ring, hall) for _ in range(4))
    tag(db_session, paid, codebook["pay"])
    tag(db_session, safe, codebook["harassment"])
    tag(db_session, both, codebook["pay"], codebook["harassment"])

    def listed(**args):
        page = facilitator.get(f"/facilitate/{hall.slug}", query_string=args).get_data(as_text=True)
        return set(map(uuid.UUID, ROW_ID.findall(page)))

    assert listed(theme="untagged") == {none}
    assert listed(theme=codebook["pay"].id) == {paid, both}
    assert listed(theme=codebook["harassment"].id) == {safe, both}
    assert listed() == {paid, safe, both, none}


def test_the_theme_filter_lists_themes_and_refuses_an_unknown_one(facilitator, db_session, ring, hall, codebook):
    add(db_session, ring, hall)
    page = text(facilitator.get(f"/facilitate/{hall.slug}"))
    assert '<option value="untagged">Not tagged yet</option>' in page
    assert f'<option value="{codebook["harassment"].id}">Safety: Harassment</option>' in page
    response = facilitator.get(f"/facilitate/{hall.slug}", query_string={"theme": codebook["old"].id})
    assert response.status_code == 422
    assert "Choose a theme from the list." in text(response)


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


# --- who may tag ---

@pytest.mark.parametrize("role", ["leader"])
def test_leaders_cannot_tag(app, db_session, ring, hall, codebook, role):
    submission = add(db_session, ring, hall)
    client = staff_client(app, role)
    for path in (f"/facilitate/s/{submission}/themes", f"/facilitate/{hall.slug}/tag"):
        response = client.post(path, data={"themes": [str(codebook["pay"].id)], "selected": [str(submission)]})
        assert response.status_code == 403, path
    assert themes_of(db_session, submission) == set()
