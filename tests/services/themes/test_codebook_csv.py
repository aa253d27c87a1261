"""The codebook as CSV: export, import, the round trip, and refusals that change nothing."""

from __future__ import annotations

import csv
import io

import sqlalchemy as sa

from feedback.models import Theme
from feedback.services.themes import codebook_values
from tests.browsing import csrf_for
from tests.factories import make_theme
from tests.services.themes.codebook_pages import (
    HEADER,
    INDEX,
    by_name,
    events,
    fresh,
    snapshot,
    upload,
)

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
