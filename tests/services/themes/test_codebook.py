"""The theme codebook: add, edit, two levels, merge, archive, CSV export and import, and who may do it."""

from __future__ import annotations

import csv
import io
import json

import pytest
import sqlalchemy as sa

from feedback import audit, clock
from feedback.models import AuditEvent, SuggestionDecision, Tagging, Theme
from feedback.services.themes import codebook, codebook_listing, codebook_values
from tests.browsing import csrf_for, post_form
from tests.factories import make_submission, make_theme, make_town_hall, tag
from tests.staff import staff_client

INDEX = "/facilitate/themes"
HEADER = "name,definition,example,colour,parent,keywords,archived\r\n"



def post(client, path: str, **data):
    return post_form(client, path, INDEX, **data)


def add_theme(client, name: str, **fields):
    data = {"name": name, "definition": f"About {name.lower()}.", "colour": "#336699", "keywords": "", "parent": "",
            **fields}
    return post(client, INDEX, **data)


def upload(client, text: str | bytes):
    data = text.encode() if isinstance(text, str) else text
    return client.post(f"{INDEX}/import", content_type="multipart/form-data",
                       data={"csrf_token": csrf_for(client, INDEX), "file": (io.BytesIO(data), "codebook.csv")})


def fresh(db_session) -> None:
    """Read what the app wrote since: end our read transaction and forget loaded rows."""
    db_session.rollback()
    db_session.expire_all()


def by_name(db_session, name: str) -> Theme:
    fresh(db_session)
    return db_session.scalar(sa.select(Theme).where(Theme.name == name))


def events(db_session, action: str) -> list[dict]:
    query = sa.select(AuditEvent.details).where(AuditEvent.action == action).order_by(AuditEvent.id)
    return [json.loads(details) for details in db_session.scalars(query)]


def snapshot(db_session) -> list[tuple]:
    fresh(db_session)
    rows = db_session.execute(sa.select(Theme.name, Theme.definition, Theme.example, Theme.colour, Theme.keywords,
                                        Theme.parent_id, Theme.archived).order_by(Theme.name))
    return [tuple(row) for row in rows]


def tagged(db_session, theme: Theme) -> set:
    fresh(db_session)
    return set(db_session.scalars(sa.select(Tagging.submission_id).where(Tagging.theme_id == theme.id)))


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


# --- CSV export and import ---

def exported(client) -> str:
    response = client.get(f"{INDEX}/codebook.csv")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == "attachment; filename=codebook.csv"
    assert response.mimetype == "text/csv"
    return response.get_data(as_text=True)


def test_the_export_lists_parents_then_their_sub_themes_and_is_recorded(facilitator, db_session):
    top = make_theme(db_session, "Workload", colour="#112233", keywords="call\nnights", example="Too many, \"always\".")
    make_theme(db_session, "Call schedule", parent_id=top.id)
    make_theme(db_session, "Admissions", archived=True)
    text = exported(facilitator)
    assert text.startswith(HEADER)
    rows = list(csv.reader(io.StringIO(text)))[1:]
    assert [(r[0], r[4], r[6]) for r in rows] == [("Admissions", "", "yes"), ("Workload", "", "no"),
                                                  ("Call schedule", "Workload", "no")]
    assert rows[1][2:4] == ['Too many, "always".', "#112233"] and rows[1][5] == "call; nights"
    assert events(db_session, "theme.export") == [{"themes": 3}]


def test_the_export_neutralises_formulas_and_the_import_restores_them(facilitator, db_session):
    make_theme(db_session, '=HYPERLINK("http://evil.example","x")', definition="+1 for this", keywords="-ism\n@home")
    text = exported(facilitator)
    row = list(csv.reader(io.StringIO(text)))[1]
    assert row[0] == '\'=HYPERLINK("http://evil.example","x")' and row[1] == "'+1 for this"
    assert row[5] == "'-ism; @home"
    before = snapshot(db_session)
    response = upload(facilitator, text)
    assert response.status_code == 302, response.get_data(as_text=True)
    assert snapshot(db_session) == before


def test_a_codebook_survives_the_round_trip_through_csv(facilitator, db_session):
    top = make_theme(db_session, "Reporting", colour="#aa0000", keywords="report\nombudsperson",
                     example="I reported it and heard nothing.\nNothing at all.")
    make_theme(db_session, "Retaliation", parent_id=top.id, keywords="retaliation\npayback")
    make_theme(db_session, "Old theme", archived=True)
    before = [(n, d, e, c, k, a) for n, d, e, c, k, _p, a in snapshot(db_session)]
    text = exported(facilitator)
    fresh(db_session)
    db_session.execute(sa.update(Theme).values(parent_id=None))
    db_session.execute(sa.delete(Theme))
    db_session.commit()
    response = upload(facilitator, text)
    assert response.status_code == 302
    assert "3 added, 0 updated, 0 unchanged" in facilitator.get(INDEX).get_data(as_text=True)
    assert [(n, d, e, c, k, a) for n, d, e, c, k, _p, a in snapshot(db_session)] == before
    assert by_name(db_session, "Retaliation").parent_id == by_name(db_session, "Reporting").id
    assert exported(facilitator) == text
    assert upload(facilitator, text).status_code == 302
    assert "0 added, 0 updated, 3 unchanged" in facilitator.get(INDEX).get_data(as_text=True)


def test_an_import_adds_and_updates_by_name_and_a_parent_may_come_later(facilitator, db_session):
    make_theme(db_session, "Belonging", definition="Old definition.")
    text = HEADER + ("Peer support,Who has your back,,#00aa00,Wellbeing,peer; mentor,no\n"
                     "BELONGING,New definition.,,,,,\n"
                     "Wellbeing,,,#0000aa,,,no\n")
    response = upload(facilitator, "\ufeff" + text)  # Excel's "CSV UTF-8" starts with a byte-order mark
    assert response.status_code == 302, response.get_data(as_text=True)
    assert "2 added, 1 updated, 0 unchanged" in facilitator.get(INDEX).get_data(as_text=True)
    peer, wellbeing = by_name(db_session, "Peer support"), by_name(db_session, "Wellbeing")
    assert peer.parent_id == wellbeing.id and peer.keywords == "peer\nmentor"
    renamed = by_name(db_session, "BELONGING")
    assert renamed.definition == "New definition." and renamed.colour == codebook_values.DEFAULT_COLOUR
    [event] = events(db_session, "theme.import")
    assert event == {"created": ["Peer support", "Wellbeing"], "updated": ["BELONGING"], "unchanged": 0}


def test_an_import_with_bad_lines_names_each_line_and_changes_nothing(facilitator, db_session):
    top = make_theme(db_session, "Equity")
    make_theme(db_session, "Pay gaps", parent_id=top.id)
    before = snapshot(db_session)
    text = HEADER + ("Fine theme,Fine.,,#123456,,,no\n"          # line 2: good, but not imported either
                     "Red theme,,,red,,,no\n"                   # 3: colour
                     "Orphan,,,,Nowhere,,no\n"                  # 4: unknown parent
                     "fine THEME,,,,,,no\n"                     # 5: repeated name
                     "Deep,,,,Pay gaps,,no\n"                   # 6: a third level
                     "Equity,,,,Fine theme,,no\n"               # 7: has sub-themes, given a parent
                     "Unsure,,,,,,maybe\n"                      # 8: archived column
                     "Too many,cells,,,,,no,extra\n"            # 9: cell count
                     ",No name,,,,,no\n")                       # 10: no name
    response = upload(facilitator, text)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Nothing was imported" in page
    for line, message in [(3, "Enter the colour as #"), (4, "The parent “Nowhere” is neither in the codebook"),
                          (5, "“fine THEME” is also on line 2"), (6, "The parent “Pay gaps” is itself under “Equity”"),
                          (7, "“Equity” has sub-themes (Pay gaps)"), (8, "Write yes or no in the archived column"),
                          (9, "This line has 8 cells; it needs 7"), (10, "Enter a name for the theme.")]:
        assert f"Line {line}: {message}" in page, line
    assert "Line 2:" not in page
    assert snapshot(db_session) == before
    assert events(db_session, "theme.import") == []


def test_an_import_refuses_files_that_are_not_a_codebook(facilitator, db_session):
    response = upload(facilitator, "title,body\nx,y\n")
    assert response.status_code == 422
    assert "Line 1: The first line must name the columns" in response.get_data(as_text=True)
    response = upload(facilitator, HEADER.encode() + "Caf\u00e9,,,,,,no\n".encode("latin-1"))
    assert response.status_code == 422 and "is not UTF-8 text" in response.get_data(as_text=True)
    response = facilitator.post(f"{INDEX}/import", content_type="multipart/form-data",
                                data={"csrf_token": csrf_for(facilitator, INDEX)})
    assert response.status_code == 422 and "Choose a CSV file to import." in response.get_data(as_text=True)
    assert snapshot(db_session) == []


def test_an_import_cannot_archive_a_parent_whose_sub_themes_stay_in_use(facilitator, db_session):
    text = HEADER + "Safety,,,,,,yes\nParking,,,,Safety,,no\n"
    response = upload(facilitator, text)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Line 2: “Safety” has sub-themes in use" in page
    assert "Line 3: The parent “Safety” is archived" in page


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
