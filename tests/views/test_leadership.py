"""The leadership summary and brief: the numbers match the data, small groups never show, no text leaks."""

from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from feedback.models import AuditEvent
from feedback.services.themes.codebook_values import DEFAULT_COLOUR
from tests.factories import make_theme, make_town_hall
from tests.staff import staff_client
from tests.summary_data import (
    AFFILIATION,
    MARKERS,
    OVER_TIME,
    STATUS,
    THEMES,
    add,
    group,
    plant_secrets,
    rows_by_name,
    tables,
    two_town_halls,
)


@pytest.fixture
def halls(db_session, ring):
    return two_town_halls(db_session, ring)


def page_tables(client, path: str) -> dict:
    response = client.get(path)
    assert response.status_code == 200, response.status_code
    return tables(response.get_data(as_text=True))


def test_one_town_hall_shows_its_counts_by_status(leader, halls):
    status = rows_by_name(page_tables(leader, f"/leadership/{halls.spring.slug}")[STATUS])

    assert status["Received"] == ["35"]
    assert status["Published"] == ["20"]
    assert status["Waiting for review"] == ["5"]
    assert status["Escalated"] == ["5"]
    assert status["Hidden: spam"] == ["5"]
    assert status["Hidden: abusive"] == ["0"]


def test_themes_are_ranked_with_share_and_change_since_the_previous_town_hall(leader, halls):
    found = page_tables(leader, f"/leadership/{halls.spring.slug}")
    themes = found[THEMES]

    assert themes[0] == ["Theme", "Published submissions", "Share of published", "At Autumn listening", "Change"]
    assert themes[1:] == [["Safety", "10", "50%", "0", "10 more"], ["Workload", "10", "50%", "10", "no change"]]
    by_affiliation = rows_by_name(found[AFFILIATION])
    assert by_affiliation["Theme"][:3] == ["Student", "Faculty", "Staff"]
    assert by_affiliation["Workload"][:3] == ["5", "0", "5"]
    assert by_affiliation["All published"][:3] == ["10", "0", "10"]


def test_all_town_halls_add_up_and_show_themes_over_time(leader, halls):
    found = page_tables(leader, "/leadership")

    status = rows_by_name(found[STATUS])
    assert (status["Received"], status["Published"]) == (["45"], ["30"])
    assert rows_by_name(found[THEMES])["Workload"][:2] == ["20", "67%"]
    over_time = found[OVER_TIME]
    assert over_time[0] == ["Town hall", "Workload", "Safety"]
    assert [row[0].split(" (")[0] for row in over_time[1:]] == ["Autumn listening", "Spring listening"]
    assert [row[1:] for row in over_time[1:]] == [["10", "0"], ["10", "10"]]


def test_a_small_group_reads_fewer_than_k_in_the_table_and_the_chart(leader, halls, db_session, ring):
    parking = make_theme(db_session, "Parking")
    for i in range(3):
        add(db_session, ring, halls.spring, f"parking {i}", "published", parking)

    html = leader.get(f"/leadership/{halls.spring.slug}").get_data(as_text=True)

    assert rows_by_name(tables(html)[THEMES])["Parking"][:2] == ["fewer than 5", ""]
    chart = html[html.index("<svg"):html.index("</svg>")]
    assert "fewer than 5" in chart and 'stroke-dasharray="4 3"' in chart


def test_the_charts_draw_in_the_themes_colours_and_take_the_rest_from_the_stylesheet(leader, halls):
    html = leader.get(f"/leadership/{halls.spring.slug}").get_data(as_text=True)

    drawn = set(re.findall(r'(?:fill|stroke)="(#[0-9a-fA-F]{3,8})"', html))

    assert drawn == {"#9c2f00", DEFAULT_COLOUR}  # Workload's own colour; Safety has the codebook's default
    assert 'class="chart-grid"' in html and 'class="chart-axis"' in html and 'class="chart-text"' in html


def test_k_comes_from_the_configuration(make_app, db_session_for):
    app = make_app(SUMMARY_K=3)
    session, ring = db_session_for(app)
    hall = make_town_hall(session, "Small room")
    parking = make_theme(session, "Parking")
    for i in range(3):
        add(session, ring, hall, f"parking {i}", "published", parking)

    found = page_tables(staff_client(app, "leader"), f"/leadership/{hall.slug}")

    assert rows_by_name(found[THEMES])["Parking"][0] == "3"


@pytest.fixture
def db_session_for():
    sessions = []

    def open_for(app):
        session = app.extensions["feedback_db"]()
        sessions.append(session)
        return session, app.extensions["feedback_keyring"]

    yield open_for
    for session in sessions:
        session.close()


def test_a_protected_cell_reads_not_shown_and_links_to_why(leader, halls, db_session, ring):
    # One Workload submission from faculty: that 1 is small, and since Workload's total (11) shows, one
    # of the other affiliations' counts must be hidden too, or 11 - 5 - 5 would give the 1 away.
    add(db_session, ring, halls.spring, "one faculty voice", "published", halls.workload, affiliation="faculty")

    html = leader.get(f"/leadership/{halls.spring.slug}").get_data(as_text=True)

    assert "fewer than 5" in html
    assert '<a class="suppressed" href="#not-shown">not shown</a>' in html
    assert 'id="not-shown"' in html


def assert_no_small_remainder(total: str, parts: list[str], k: int, where: str) -> None:
    """A shown total minus its shown parts must not give away a group of 1 to k-1."""
    if total.isdigit():
        remainder = int(total) - sum(int(part) for part in parts if part.isdigit())
        assert remainder == 0 or remainder >= k, (where, total, parts)


def test_nothing_hidden_can_be_worked_out_from_what_is_shown(leader, halls, db_session, ring):
    parking = make_theme(db_session, "Parking")
    for i in range(3):
        add(db_session, ring, halls.spring, f"parking {i}", "published", parking)
    add(db_session, ring, halls.spring, "one faculty voice", "published", halls.workload, affiliation="faculty")
    add(db_session, ring, halls.autumn, "one escalation", "escalated", halls.workload)
    add(db_session, ring, halls.autumn, "one from nowhere", "published", halls.safety, affiliation=None)

    every_hall = page_tables(leader, "/leadership")
    over_time = {row[0].split(" (")[0]: row[1:] for row in every_hall[OVER_TIME][1:]}
    for column, theme in enumerate(every_hall[OVER_TIME][0][1:]):
        total = rows_by_name(every_hall[THEMES])[theme][0]
        assert_no_small_remainder(total, [cells[column] for cells in over_time.values()], 5, theme)
    for path in ("/leadership", f"/leadership/{halls.autumn.slug}", f"/leadership/{halls.spring.slug}"):
        found = page_tables(leader, path)
        status, themes = rows_by_name(found[STATUS]), rows_by_name(found[THEMES])
        assert_no_small_remainder(status["Received"][0], [cells[0] for name, cells in status.items()
                                                          if name not in ("Status", "Received")], 5, path)
        for name, cells in rows_by_name(found[AFFILIATION]).items():
            if name == "All published":
                assert_no_small_remainder(status["Published"][0], cells, 5, path)
            elif name != "Theme":
                assert_no_small_remainder(themes[name][0], cells, 5, (path, name))


def test_the_town_hall_switch_is_a_plain_get_form(leader, halls):
    html = leader.get("/leadership").get_data(as_text=True)
    assert re.search(r'<form method="get" action="/leadership"', html)
    assert f'<option value="{halls.autumn.slug}">' in html

    response = leader.get(f"/leadership?town_hall={halls.autumn.slug}")

    assert response.status_code == 302 and response.headers["Location"].endswith(f"/leadership/{halls.autumn.slug}")
    assert leader.get("/leadership/no-such-town-hall").status_code == 404
    assert leader.get("/leadership?town_hall=../../admin/users").status_code == 404
    assert leader.get("/leadership/no-such-town-hall/brief").status_code == 404


def test_quotes_are_published_redacted_and_say_how_many_raised_them(leader, db_session, ring):
    hall = make_town_hall(session := db_session, "Quotes")
    theme = make_theme(session, "Rota")
    representative = add(session, ring, hall, "Dr Quill ignores the rota requests.", "published", theme,
                         redacted="[name] ignores the rota requests.")
    members = [add(session, ring, hall, f"The rota requests are ignored ({i}).", "published", theme)
               for i in range(5)]
    group(session, representative, *members)

    html = leader.get(f"/leadership/{hall.slug}").get_data(as_text=True)

    assert "[name] ignores the rota requests." in html
    assert "Quill" not in html
    assert "Raised by 6 people" in html
    # Members speak through their representative; a single voice never says "raised by".
    assert "are ignored (0)" not in html


def test_charts_are_images_with_titles_followed_by_tables_of_the_same_numbers(leader, halls):
    html = leader.get("/leadership").get_data(as_text=True)

    charts = re.findall(r'<svg role="img" aria-labelledby="([\w-]+)"', html)
    assert charts == ["themes-chart-title", "trend-chart-title"]
    for title_id in charts:
        assert f'<title id="{title_id}">' in html
    assert html.count("<caption>") >= 4 and 'scope="col"' in html and 'scope="row"' in html
    assert "style=" not in html and "<script>" not in html


def test_theme_names_and_quotes_are_escaped(leader, db_session, ring):
    hall = make_town_hall(db_session, "Escapes")
    theme = make_theme(db_session, "<b>Bold</b> theme")
    for i in range(5):
        add(db_session, ring, hall, f'<img src=x onerror="alert({i})">', "published", theme)

    html = leader.get(f"/leadership/{hall.slug}").get_data(as_text=True)

    assert "<img src=x" not in html and "<b>Bold</b>" not in html
    assert "&lt;img src=x onerror=" in html and "&lt;b&gt;Bold&lt;/b&gt; theme" in html


def test_the_brief_has_headline_counts_top_themes_and_a_print_stylesheet(leader, halls):
    response = leader.get(f"/leadership/{halls.spring.slug}/brief")
    html = response.get_data(as_text=True)

    assert response.status_code == 200
    assert 'href="/static/css/print.css" media="print"' in html
    assert re.search(r"<dt>Received</dt><dd>35</dd>.*<dt>Published</dt><dd>20</dd>.*<dt>Escalated</dt><dd>5</dd>",
                     html, re.S)
    top = tables(html)["The largest themes, with the change since the previous town hall"]
    assert top[1:] == [["Safety", "10", "50%", "10 more"], ["Workload", "10", "50%", "no change"]]
    assert "spring workload" in html or "spring safety" in html  # a published quote


def test_the_brief_says_when_last_time_was_too_small_to_compare(leader, halls, db_session, ring):
    housing = make_theme(db_session, "Housing")
    # An earlier town hall too, so the three-way total does not give autumn's 3 away (its 6 is hidden to protect them).
    winter = make_town_hall(db_session, "Winter listening", held_on=halls.autumn.held_on - timedelta(days=60))
    for i in range(6):
        add(db_session, ring, winter, f"winter housing {i}", "published", housing)
    for i in range(3):
        add(db_session, ring, halls.autumn, f"autumn housing {i}", "published", housing)
    for i in range(8):
        add(db_session, ring, halls.spring, f"spring housing {i}", "published", housing)

    html = leader.get(f"/leadership/{halls.spring.slug}/brief").get_data(as_text=True)
    top = rows_by_name(tables(html)["The largest themes, with the change since the previous town hall"])
    assert top["Housing"] == ["8", "29%", "last time: fewer than 5"]


def test_viewing_the_brief_is_an_audit_event(leader, halls, db_session):
    leader.get(f"/leadership/{halls.spring.slug}/brief")

    event = db_session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "export.brief")).one()
    assert event.actor == "leader@example.org"
    assert json.loads(event.details) == {"town_hall": halls.spring.slug}


def leader_reachable(halls) -> list[str]:
    paths = ["/leadership", "/leadership/themes.csv"]
    for hall in (halls.autumn, halls.spring):
        paths += [f"/leadership/{hall.slug}", f"/leadership/{hall.slug}/brief"]
    return paths


def test_a_leader_never_reaches_hidden_escalated_or_pending_text_or_any_identity(leader, halls, db_session, ring):
    plant_secrets(db_session, ring, halls)

    for path in leader_reachable(halls):
        response = leader.get(path)
        body = response.get_data(as_text=True)
        assert response.status_code == 200, path
        for marker in MARKERS:
            assert marker not in body, (path, marker)
    assert leader.get(f"/leadership/{halls.spring.slug}/submissions.csv").status_code == 403


def test_every_staff_member_is_offered_the_summary(app):
    for role in ("leader", "facilitator", "admin"):
        html = staff_client(app, role, f"{role}@example.org").get("/staff").get_data(as_text=True)
        assert html.count('href="/leadership"') == 2, role  # the main navigation and a card


def test_only_facilitators_and_admins_are_offered_the_submissions_csv(app, leader, halls):
    link = f'href="/leadership/{halls.spring.slug}/submissions.csv"'

    assert link not in leader.get(f"/leadership/{halls.spring.slug}").get_data(as_text=True)
    facilitator = staff_client(app, "facilitator")
    assert link in facilitator.get(f"/leadership/{halls.spring.slug}").get_data(as_text=True)
