"""CSV exports: published text only, never in arrival order, safe in a spreadsheet, released numbers like the page."""

from __future__ import annotations

import csv
import io
import json

import pytest
import sqlalchemy as sa

from feedback import clock
from feedback.models import Submission
from feedback.services.summary import exports
from tests.factories import make_theme, make_town_hall
from tests.staff import staff_client
from tests.stored import events
from tests.summary_data import (
    MARKERS,
    THEMES,
    add,
    group,
    many,
    plant_secrets,
    release,
    released,
    rows_by_name,
    set_released,
    tables,
    two_town_halls,
)

SUBMISSION_COLUMNS = ["town hall", "text", "themes", "raised by"]


def read_csv(response) -> list[list[str]]:
    assert response.status_code == 200, response.status_code
    assert response.is_streamed
    assert response.mimetype == "text/csv"
    return list(csv.reader(io.StringIO(response.get_data(as_text=True))))


def test_the_submissions_csv_holds_published_text_with_themes_and_how_many_raised_it(facilitator, db_session, ring):
    hall = make_town_hall(db_session, "Rotas")
    rota, pay = make_theme(db_session, "Rota"), make_theme(db_session, "Pay")
    representative = add(db_session, ring, hall, "Dr Quill ignores rota requests.", "published", rota, pay,
                         redacted="[name] ignores rota requests.", affiliation="faculty")
    member = add(db_session, ring, hall, "Rota requests go nowhere.", "published", rota)
    hidden = many(db_session, ring, hall, [f"Rota requests vanish ({i})." for i in range(4)], "hidden", rota,
                  reason="duplicate")
    group(db_session, representative, member, *hidden)  # 1 + 1 published member: two people
    add(db_session, ring, hall, "Nobody has tagged this yet.", "published")

    rows = read_csv(facilitator.get(f"/leadership/{hall.slug}/submissions.csv"))

    assert rows[0] == SUBMISSION_COLUMNS
    assert sorted(rows[1:]) == sorted([
        ["Rotas", "[name] ignores rota requests.", "Pay; Rota", "several"],
        ["Rotas", "Rota requests go nowhere.", "Rota", "several"],
        ["Rotas", "Nobody has tagged this yet.", "", "1"],
    ])


def test_the_submissions_csv_says_how_many_from_k_published_up(facilitator, db_session, ring):
    hall = make_town_hall(db_session, "Rotas")
    representative = add(db_session, ring, hall, "Rota requests go nowhere.", "published")
    members = many(db_session, ring, hall, [f"Same about the rota ({i})." for i in range(4)], "published")
    group(db_session, representative, *members)

    rows = read_csv(facilitator.get(f"/leadership/{hall.slug}/submissions.csv"))

    assert {row[3] for row in rows[1:]} == {"5"} and len(rows) == 6  # k = 5: the number itself


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


THEME_COLUMNS = ["town hall", "held on", "released on", "theme", "published submissions (approximate)",
                 "share of published", "change since the previous town hall"]


def as_on_the_page(count: str) -> str:
    """The CSV's count cell as the page prints it: N there is "about N" here."""
    return f"about {count}" if count.isdigit() else count


def test_the_themes_csv_matches_the_page_cell_for_cell(app, leader, db_session, ring):
    halls = two_town_halls(db_session, ring, per=20)
    parking = make_theme(db_session, "Parking")
    many(db_session, ring, halls.spring, [f"parking {i}" for i in range(3)], "published", parking)
    release(app, db_session, halls.autumn, halls.spring)
    set_released(db_session, halls.spring, "theme", str(parking.id), 2)

    rows = read_csv(leader.get("/leadership/themes.csv"))

    assert rows[0] == THEME_COLUMNS
    for label, path in (("Autumn listening", f"/leadership/{halls.autumn.slug}"),
                        ("Spring listening", f"/leadership/{halls.spring.slug}"), ("All town halls", "/leadership")):
        page = rows_by_name(tables(leader.get(path).get_data(as_text=True))[THEMES])
        changes = "Change" in page["Theme"]
        exported = {row[3]: [as_on_the_page(row[4]), row[5], *([row[6]] if changes else [])]
                    for row in rows[1:] if row[0] == label}
        assert exported == {theme: [cells[0], cells[1], *([cells[3]] if changes else [])]
                            for theme, cells in page.items() if theme != "Theme"}, label
    today = clock.today().isoformat()
    assert ["Spring listening", str(halls.spring.held_on), today, "Parking", "fewer than 5", "", ""] in rows
    [workload] = [row for row in rows if row[0] == "Spring listening" and row[3] == "Workload"]
    assert workload[4] == str(released(db_session, halls.spring)["theme"][str(halls.workload.id)])
    assert rows[-3:] == [row for row in rows if row[0] == "All town halls"]  # the town halls, then all of them


def test_the_themes_csv_says_which_town_halls_are_not_released_yet(app, leader, db_session, ring):
    halls = two_town_halls(db_session, ring)
    release(app, db_session, halls.spring)

    rows = read_csv(leader.get("/leadership/themes.csv"))

    autumn = [row for row in rows if row[0] == "Autumn listening"]
    assert sorted(row[3] for row in autumn) == ["Safety", "Workload"]
    assert {tuple(row[2:3] + row[4:]) for row in autumn} == {("", "not released yet", "", "")}


@pytest.mark.parametrize("name", ["=HYPERLINK(\"https://evil.example\",\"Click\")", "+1+2", "-2+3", "@SUM(A1:A2)"])
def test_the_themes_csv_neutralises_formulas(name, app, leader, db_session, ring):
    hall = make_town_hall(db_session, name)
    theme = make_theme(db_session, name)
    many(db_session, ring, hall, [f"formula {i}" for i in range(40)], "published", theme)
    release(app, db_session, hall)

    rows = read_csv(leader.get("/leadership/themes.csv"))

    assert [row[0] for row in rows[1:-1]] == ["'" + name]
    assert {row[3] for row in rows[1:]} == {"'" + name}
    assert not [cell for row in rows for cell in row if cell.startswith(("=", "+", "-", "@"))]


def test_the_themes_csv_holds_no_text_and_is_an_audit_event(app, leader, db_session, ring):
    halls = two_town_halls(db_session, ring)
    plant_secrets(db_session, ring, halls)
    release(app, db_session, halls.autumn, halls.spring)

    text = leader.get("/leadership/themes.csv").get_data(as_text=True)

    for marker in MARKERS:
        assert marker not in text
    [event] = events(db_session, "export.themes_csv")
    assert event.actor == "leader@example.org"
