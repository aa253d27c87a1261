"""CSV exports: published text only, never in arrival order, safe in a spreadsheet, suppressed like the page."""

from __future__ import annotations

import csv
import io
import json

import pytest
import sqlalchemy as sa

from feedback.models import Submission
from feedback.services.summary import exports
from tests.factories import make_theme, make_town_hall
from tests.staff import staff_client
from tests.stored import events
from tests.summary_data import MARKERS, THEMES, add, group, plant_secrets, rows_by_name, tables, two_town_halls

SUBMISSION_COLUMNS = ["town hall", "text", "themes", "raised by"]


def read_csv(response) -> list[list[str]]:
    assert response.status_code == 200, response.status_code
    assert response.is_streamed
    assert response.mimetype == "text/csv"
    return list(csv.reader(io.StringIO(response.get_data(as_text=True))))


def test_the_submissions_csv_holds_published_text_with_themes_and_group_size(facilitator, db_session, ring):
    hall = make_town_hall(db_session, "Rotas")
    rota, pay = make_theme(db_session, "Rota"), make_theme(db_session, "Pay")
    representative = add(db_session, ring, hall, "Dr Quill ignores rota requests.", "published", rota, pay,
                         redacted="[name] ignores rota requests.", affiliation="faculty")
    member = add(db_session, ring, hall, "Rota requests go nowhere.", "published", rota)
    duplicate = add(db_session, ring, hall, "Rota requests vanish.", "hidden", rota, reason="duplicate")
    group(db_session, representative, member, duplicate)
    add(db_session, ring, hall, "Nobody has tagged this yet.", "published")

    rows = read_csv(facilitator.get(f"/leadership/{hall.slug}/submissions.csv"))

    assert rows[0] == SUBMISSION_COLUMNS
    assert sorted(rows[1:]) == sorted([
        ["Rotas", "[name] ignores rota requests.", "Pay; Rota", "3"],
        ["Rotas", "Rota requests go nowhere.", "Rota", "3"],
        ["Rotas", "Nobody has tagged this yet.", "", "1"],
    ])


def test_the_submissions_csv_never_holds_unpublished_text_an_original_or_an_identity(facilitator, db_session, ring):
    halls = two_town_halls(db_session, ring)
    plant_secrets(db_session, ring, halls)

    response = facilitator.get(f"/leadership/{halls.spring.slug}/submissions.csv")
    text = response.get_data(as_text=True)

    assert response.status_code == 200
    for marker in MARKERS:
        assert marker not in text, marker
    assert "Someone said 0" in text
    # Nothing but the four columns: no affiliation, date, status or id.
    assert {len(row) for row in csv.reader(io.StringIO(text))} == {4}
    assert "published" not in text and str(halls.spring.held_on) not in text


@pytest.mark.parametrize("body", ["=HYPERLINK(\"https://evil.example\",\"Click\")", "+1+2", "-2+3", "@SUM(A1:A2)"])
def test_the_submissions_csv_neutralises_formulas(body, facilitator, db_session, ring):
    hall = make_town_hall(db_session, "Formulas")
    add(db_session, ring, hall, body, "published")

    rows = read_csv(facilitator.get(f"/leadership/{hall.slug}/submissions.csv"))

    assert rows[1][1] == "'" + body


def test_the_submissions_csv_is_in_id_order_not_arrival_order(facilitator, db_session, ring, monkeypatch):
    monkeypatch.setattr(exports, "BATCH", 7)  # several batches, each with its own theme look-ups
    hall = make_town_hall(db_session, "Order")
    theme = make_theme(db_session, "Order")
    arrival = [f"Concern number {i:02d}" for i in range(30)]
    for body in arrival:
        add(db_session, ring, hall, body, "published", theme)
    by_id = [body for _id, body in sorted(db_session.execute(
        sa.select(Submission.id, Submission.body).where(Submission.town_hall_id == hall.id)))]

    rows = read_csv(facilitator.get(f"/leadership/{hall.slug}/submissions.csv"))[1:]
    exported = [row[1] for row in rows]

    assert exported == by_id  # ordered by the random id, whatever the database...
    assert exported != arrival  # ...which is not arrival order (30! orders: equal by chance never happens)
    assert {row[2] for row in rows} == {"Order"}


def test_the_submissions_csv_is_for_facilitators_and_admins_only(app, leader, facilitator, db_session):
    hall = make_town_hall(db_session, "Roles")

    assert leader.get(f"/leadership/{hall.slug}/submissions.csv").status_code == 403
    assert facilitator.get(f"/leadership/{hall.slug}/submissions.csv").status_code == 200
    assert staff_client(app, "admin").get(f"/leadership/{hall.slug}/submissions.csv").status_code == 200
    assert facilitator.get("/leadership/no-such-hall/submissions.csv").status_code == 404


def test_the_submissions_csv_is_an_audit_event(facilitator, db_session):
    hall = make_town_hall(db_session, "Audited")

    facilitator.get(f"/leadership/{hall.slug}/submissions.csv").get_data()

    [event] = events(db_session, "export.submissions_csv")
    assert event.actor == "facilitator@example.org"
    assert json.loads(event.details) == {"town_hall": hall.slug}


def test_the_themes_csv_matches_the_page_cell_for_cell(leader, db_session, ring):
    halls = two_town_halls(db_session, ring)
    parking = make_theme(db_session, "Parking")
    for i in range(3):
        add(db_session, ring, halls.spring, f"parking {i}", "published", parking)
    # A lone faculty voice: small itself, and it makes a neighbouring cell "not shown".
    add(db_session, ring, halls.spring, "faculty", "published", halls.workload, affiliation="faculty")

    rows = read_csv(leader.get("/leadership/themes.csv"))

    assert rows[0] == ["town hall", "held on", "theme", "published submissions", "share of published",
                       "change since the previous town hall"]
    for label, path in (("Autumn listening", f"/leadership/{halls.autumn.slug}"),
                        ("Spring listening", f"/leadership/{halls.spring.slug}"), ("All town halls", "/leadership")):
        page = rows_by_name(tables(leader.get(path).get_data(as_text=True))[THEMES])
        exported = {row[2]: row[3:5] for row in rows[1:] if row[0] == label}
        assert exported == {theme: cells[:2] for theme, cells in page.items() if theme != "Theme"}, label
    assert ["Spring listening", str(halls.spring.held_on), "Parking", "fewer than 5", "", ""] in rows
    assert ["Spring listening", str(halls.spring.held_on), "Safety", "10", "42%", "10 more"] in rows


def test_the_themes_csv_holds_no_text_and_is_an_audit_event(leader, db_session, ring):
    halls = two_town_halls(db_session, ring)
    plant_secrets(db_session, ring, halls)

    text = leader.get("/leadership/themes.csv").get_data(as_text=True)

    for marker in MARKERS:
        assert marker not in text
    [event] = events(db_session, "export.themes_csv")
    assert event.actor == "leader@example.org"
