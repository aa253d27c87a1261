"""The theme codebook: add, edit, two levels, merge, archive, and who may do it."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from feedback import audit, clock
from feedback.models import AuditEvent, SuggestionDecision, Theme
from feedback.services.themes import codebook, codebook_listing, codebook_values
from tests.browsing import csrf_for
from tests.factories import make_submission, make_theme, make_town_hall, tag
from tests.services.themes.codebook_pages import (
    INDEX,
    add_theme,
    by_name,
    events,
    fresh,
    post,
    snapshot,
    tagged,
)
from tests.staff import staff_client

# --- adding and editing ---

def test_a_facilitator_adds_a_theme_with_keywords_and_a_colour_swatch(facilitator, db_session):
    response = add_theme(facilitator, "Reporting and follow-up", colour="#AA3311",
                         keywords="report\nno response\n\nREPORT\n  follow   up ")
    assert response.status_code == 302
    theme = by_name(db_session, "Reporting and follow-up")
    assert (theme.colour, theme.keywords, theme.parent_id) == ("#aa3311", "report\nno response\nfollow up", None)
    page = facilitator.get(INDEX).get_data(as_text=True)
    assert "Reporting and follow-up" in page and 'fill="#aa3311"' in page
    assert " style=" not in page and 'type="color"' in page
    assert events(db_session, "theme.create") == [{"theme_id": theme.id, "name": "Reporting and follow-up",
                                                   "parent_id": None}]


def test_a_theme_with_problems_comes_back_filled_in_with_a_message_for_each(facilitator, db_session):
    response = add_theme(facilitator, "", definition="d" * 201, colour="red", keywords="keep these\nwords")
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Enter a name for the theme." in page
    assert "Shorten the definition to 200 characters or fewer." in page
    assert "Enter the colour as # and six hexadecimal digits" in page
    assert "d" * 201 in page and "keep these\nwords" in page
    assert page.count('class="error-summary"') == 1
    assert db_session.scalar(sa.select(sa.func.count()).select_from(Theme)) == 0


def test_names_are_unique_whatever_their_case(facilitator, db_session):
    assert add_theme(facilitator, "Belonging").status_code == 302
    response = add_theme(facilitator, "BELONGING", definition="Typed again.")
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "There is already a theme called “Belonging”" in page and "Typed again." in page


def test_editing_renames_a_theme_and_records_what_changed(facilitator, db_session):
    theme = make_theme(db_session, "Pimping", keywords="questions")
    response = post(facilitator, f"{INDEX}/{theme.id}", name="Questioning on rounds", definition="Who gets asked.",
                    example="", colour=theme.colour, keywords="questions\nrounds", parent="")
    assert response.status_code == 302
    assert by_name(db_session, "Questioning on rounds").keywords == "questions\nrounds"
    [event] = events(db_session, "theme.update")
    assert event["renamed_from"] == "Pimping" and event["changed"] == ["name", "definition", "keywords"]


def test_an_edit_with_a_problem_comes_back_filled_in(facilitator, db_session):
    theme = make_theme(db_session, "Workload")
    response = post(facilitator, f"{INDEX}/{theme.id}", name="Workload", definition="line one\nline two",
                    example="", colour="#123456", keywords="", parent="")
    # A one-line field cannot carry a newline from a browser; the service still refuses one.
    assert response.status_code == 422
    assert "Keep the definition on one line" in response.get_data(as_text=True)
    assert facilitator.get(f"{INDEX}/9999").status_code == 404


# --- two levels ---

def test_a_sub_theme_goes_under_a_top_level_theme_only(facilitator, db_session):
    top = make_theme(db_session, "Learning environment")
    assert add_theme(facilitator, "Mistreatment", parent=str(top.id)).status_code == 302
    sub = by_name(db_session, "Mistreatment")
    assert sub.parent_id == top.id
    page = facilitator.get(INDEX).get_data(as_text=True)
    assert f'<option value="{sub.id}">' not in page  # a sub-theme is never offered as a parent
    response = add_theme(facilitator, "Public humiliation", parent=str(sub.id))
    assert response.status_code == 422 and "Choose a parent theme from the list." in response.get_data(as_text=True)
    with pytest.raises(codebook.CodebookError, match="itself under “Learning environment”"):
        codebook.create(db_session, codebook_values.ThemeValues("Public humiliation", parent_id=sub.id),
                      by=audit.Actor("test"), now=clock.now())


def test_a_theme_with_sub_themes_cannot_be_given_a_parent(facilitator, db_session):
    top = make_theme(db_session, "Equity")
    make_theme(db_session, "Pay gaps", parent_id=top.id)
    other = make_theme(db_session, "Leadership")
    response = post(facilitator, f"{INDEX}/{top.id}", name="Equity", definition="", example="", colour="#4c6a92",
                    keywords="", parent=str(other.id))
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "“Equity” has sub-themes (“Pay gaps”), so it cannot go under another theme" in page
    assert by_name(db_session, "Equity").parent_id is None


# --- merging ---

@pytest.fixture
def tagged_pair(db_session, ring):
    """Two themes: "Bias in grading" on submissions one and two, "Evaluation bias" on two and three."""
    hall = make_town_hall(db_session)
    ids = [make_submission(db_session, ring, hall, f"Secret text {n}").submission_id for n in range(3)]
    source, target = make_theme(db_session, "Bias in grading"), make_theme(db_session, "Evaluation bias")
    tag(db_session, ids[0], source)
    tag(db_session, ids[1], source, target)
    tag(db_session, ids[2], target)
    db_session.add(SuggestionDecision(submission_id=ids[1], theme_id=source.id, decision="dismissed"))
    db_session.add(SuggestionDecision(submission_id=ids[0], theme_id=source.id, decision="accepted"))
    db_session.commit()
    return source, target, ids


def merge(client, source: Theme, target: Theme, confirm: str = "y"):
    fields = {"confirm": confirm} if confirm else {}
    return post(client, f"{INDEX}/{source.id}/merge", target=str(target.id), **fields)


def test_merging_moves_taggings_once_per_submission_and_archives_the_source(facilitator, db_session, tagged_pair):
    source, target, ids = tagged_pair
    response = merge(facilitator, source, target)
    assert response.status_code == 302
    assert "1 tagging moved; 1 already had both themes" in facilitator.get(INDEX).get_data(as_text=True)
    assert tagged(db_session, target) == set(ids) and tagged(db_session, source) == set()
    merged = by_name(db_session, "Bias in grading")
    assert merged.archived and merged.merged_into_id == target.id
    decisions = set(db_session.execute(sa.select(SuggestionDecision.submission_id, SuggestionDecision.theme_id)))
    assert decisions == {(ids[0], target.id), (ids[1], target.id)}
    page = facilitator.get(INDEX).get_data(as_text=True)
    assert "Merged into “Evaluation bias”" in page


def test_a_merge_is_recorded_with_both_themes_and_the_count_but_no_submission_text(facilitator, db_session,
                                                                                 tagged_pair):
    source, target, _ids = tagged_pair
    merge(facilitator, source, target)
    [event] = events(db_session, "theme.merge")
    assert event == {"source": {"id": source.id, "name": "Bias in grading"},
                     "target": {"id": target.id, "name": "Evaluation bias"},
                     "taggings_moved": 1, "already_tagged": 1, "children_moved": 0}
    assert "Secret text" not in "".join(db_session.scalars(sa.select(AuditEvent.details)))


def test_a_merge_needs_confirming_and_a_target(facilitator, db_session, tagged_pair):
    source, target, _ids = tagged_pair
    response = merge(facilitator, source, target, confirm="")
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Tick the box to confirm the merge" in page
    assert f'<option selected value="{target.id}">' in page  # the choice comes back
    response = post(facilitator, f"{INDEX}/{source.id}/merge", target="", confirm="y")
    assert response.status_code == 422 and "Choose the theme to merge into." in response.get_data(as_text=True)
    assert tagged(db_session, source) and not by_name(db_session, "Bias in grading").archived


def test_merging_moves_sub_themes_only_when_two_levels_hold(facilitator, db_session):
    source, target = make_theme(db_session, "Racism"), make_theme(db_session, "Discrimination")
    make_theme(db_session, "Microaggressions", parent_id=source.id)
    deep = make_theme(db_session, "Slurs", parent_id=target.id)
    response = merge(facilitator, source, deep)
    assert response.status_code == 422
    assert "would make a third level" in response.get_data(as_text=True)
    assert merge(facilitator, source, target).status_code == 302
    assert by_name(db_session, "Microaggressions").parent_id == target.id
    assert events(db_session, "theme.merge")[0]["children_moved"] == 1
    assert by_name(db_session, "Slurs").parent_id == target.id  # the target's own sub-themes stay


def test_a_theme_cannot_be_merged_into_itself_or_an_archived_theme(db_session):
    one, gone = make_theme(db_session, "One"), make_theme(db_session, "Gone", archived=True)
    actor, now = audit.Actor("test"), clock.now()
    with pytest.raises(codebook.CodebookError, match="another theme"):
        codebook.merge(db_session, one.id, one.id, by=actor, now=now)
    with pytest.raises(codebook.CodebookError, match="“Gone” is archived"):
        codebook.merge(db_session, one.id, gone.id, by=actor, now=now)


# --- archiving ---

def test_an_archived_theme_is_not_offered_for_tagging_but_its_taggings_still_count(facilitator, db_session, ring):
    hall = make_town_hall(db_session)
    submission = make_submission(db_session, ring, hall).submission_id
    top = make_theme(db_session, "Safety")
    old = make_theme(db_session, "Parking garage", parent_id=top.id)
    tag(db_session, submission, old)
    assert [(c.name, [k.name for k in c.children]) for c in codebook_listing.choices(db_session)] == [
        ("Safety", ["Parking garage"])]
    assert post(facilitator, f"{INDEX}/{old.id}/archive").status_code == 302
    fresh(db_session)
    assert [(c.name, c.children) for c in codebook_listing.choices(db_session)] == [("Safety", [])]
    book = codebook_listing.codebook(db_session)
    assert [(e.theme.name, e.count) for e in book.archived] == [("Parking garage", 1)]
    assert tagged(db_session, old) == {submission}
    assert events(db_session, "theme.archive") == [{"theme_id": old.id, "name": "Parking garage"}]
    assert post(facilitator, f"{INDEX}/{old.id}/unarchive").status_code == 302
    fresh(db_session)
    assert [c.name for c in codebook_listing.choices(db_session)[0].children] == ["Parking garage"]


def test_a_parent_with_sub_themes_in_use_cannot_be_archived(facilitator, db_session):
    top = make_theme(db_session, "Safety")
    make_theme(db_session, "Parking garage", parent_id=top.id)
    response = post(facilitator, f"{INDEX}/{top.id}/archive")
    assert response.status_code == 302
    page = facilitator.get(INDEX).get_data(as_text=True)
    assert "“Safety” has sub-themes in use (“Parking garage”)" in page
    assert not by_name(db_session, "Safety").archived


def test_a_merged_theme_stays_archived(facilitator, db_session, tagged_pair):
    source, target, _ids = tagged_pair
    merge(facilitator, source, target)
    post(facilitator, f"{INDEX}/{source.id}/unarchive")
    assert "it stays archived" in facilitator.get(INDEX).get_data(as_text=True)
    assert by_name(db_session, "Bias in grading").archived


# --- who may use it ---

@pytest.mark.parametrize("path", [INDEX, f"{INDEX}/1", f"{INDEX}/codebook.csv"])
def test_leaders_are_refused_and_anonymous_visitors_sent_to_log_in(app, client, path):
    leader = staff_client(app, "leader")
    assert leader.get(path).status_code == 403
    response = client.get(path)
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_a_leader_cannot_add_a_theme(app, db_session):
    leader = staff_client(app, "leader")
    response = leader.post(INDEX, data={"name": "Sneaky", "csrf_token": csrf_for(leader, "/")})
    assert response.status_code == 403
    assert snapshot(db_session) == []


def test_moderators_see_the_themes_link(app, facilitator):
    assert f'href="{INDEX}"' in facilitator.get(INDEX).get_data(as_text=True)
    leader = staff_client(app, "leader")
    assert f'href="{INDEX}"' not in leader.get("/staff").get_data(as_text=True)
