"""Tagging on the moderation desk: a submission's themes, theme chips and filters on the desk, who may tag."""

from __future__ import annotations

import uuid

import pytest
import sqlalchemy as sa

from tests.browsing import post_form, text
from tests.desk_helpers import ROW_ID, add
from tests.factories import make_theme, tag
from tests.services.themes.tagging_pages import set_themes, ticked_themes
from tests.staff import staff_client
from tests.stored import details, events, themes_of

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


@pytest.mark.parametrize("theme", ["99999999999999999999999", str(2**31), "0", "-3"])
@pytest.mark.parametrize("form", ["themes", "tag", "save-and-next"])
def test_a_theme_id_no_theme_could_have_is_refused_with_a_message_on_every_form(
        facilitator, db_session, ring, hall, codebook, form, theme):
    submission = add(db_session, ring, hall)
    page = f"/facilitate/s/{submission}"
    if form == "tag":
        response = post_form(facilitator, f"/facilitate/{hall.slug}/tag", f"/facilitate/{hall.slug}",
                             selected=[str(submission)], themes=[theme])
    else:
        response = post_form(facilitator, f"{page}/{form}", page, themes=[theme], redacted="", status="pending",
                             then="stay")
    assert response.status_code == 422
    assert "Some of the chosen themes are not in the codebook. Reload the page." in text(response)
    assert themes_of(db_session, submission) == set()


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


# --- who may tag ---

@pytest.mark.parametrize("role", ["leader"])
def test_leaders_cannot_tag(app, db_session, ring, hall, codebook, role):
    submission = add(db_session, ring, hall)
    client = staff_client(app, role)
    for path in (f"/facilitate/s/{submission}/themes", f"/facilitate/{hall.slug}/tag"):
        response = client.post(path, data={"themes": [str(codebook["pay"].id)], "selected": [str(submission)]})
        assert response.status_code == 403, path
    assert themes_of(db_session, submission) == set()
