"""The plan for leadership: theme rows link to published actions, the brief lists them, a quarter's printable
report, the CSV of actions and updates; each export audited, no draft, no scheduled update, no submission link."""

from __future__ import annotations

import csv
from datetime import timedelta

import pytest
import sqlalchemy as sa

from feedback.filters import format_date
from feedback.models import AuditEvent
from feedback.services.actions.reports import ACTION_COLUMNS, quarter_of
from tests.browsing import post_form, without_csrf
from tests.factories import make_submission, make_town_hall, today
from tests.plan_rows import add_update, link_submission, make_action
from tests.staff import staff_client
from tests.summary_data import THEMES, release, rows_by_name, tables, two_town_halls

BRIEF_ACTIONS = "Actions in the plan linked to this town hall or to its top themes"
REPORT = "Published actions and this quarter's updates"


@pytest.fixture
def halls(app, db_session, ring):
    made = two_town_halls(db_session, ring, per=20)
    release(app, db_session, made.autumn, made.spring)
    return made


def page(client, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


def days_ago(day) -> int:
    return (today() - day).days


def exports(db_session, action: str) -> list[AuditEvent]:
    return list(db_session.scalars(sa.select(AuditEvent).where(AuditEvent.action == action)))


def test_each_theme_row_links_to_its_published_actions_with_their_public_status(leader, halls, db_session):
    shown = make_action(db_session, "Hire night nurses", themes=[halls.workload], status="in-progress")
    add_update(db_session, shown, "Will be done", days_ago=-3, status="done")  # scheduled: not shown yet
    make_action(db_session, "DRAFT-TITLE-7Q", published=False, themes=[halls.workload, halls.safety])

    html = page(leader, f"/leadership/{halls.spring.slug}")
    rows = rows_by_name(tables(html)[THEMES])

    assert rows["Workload"][-1] == "Hire night nurses (In progress)"
    assert rows["Safety"][-1] == "none yet"
    assert f'href="/plan/{shown.id}"' in html
    assert "DRAFT-TITLE-7Q" not in html and "Done" not in rows["Workload"][-1]
    assert page(leader, "/leadership").count(f'href="/plan/{shown.id}"') == 1  # all town halls together


def test_the_brief_lists_the_actions_of_its_town_hall_and_top_themes_with_status_and_last_update(leader, halls,
                                                                                                 db_session):
    on_theme = make_action(db_session, "Hire night nurses", themes=[halls.workload], status="in-progress")
    add_update(db_session, on_theme, "Posted six jobs.", days_ago=4)
    add_update(db_session, on_theme, "SCHEDULED-7Q", days_ago=-2)
    make_action(db_session, "Review the rota", halls=[halls.spring], next_update_due=today() - timedelta(days=1))
    make_action(db_session, "Only at Autumn", halls=[halls.autumn])
    make_action(db_session, "DRAFT-TITLE-7Q", published=False, halls=[halls.spring], themes=[halls.workload])

    html = page(leader, f"/leadership/{halls.spring.slug}/brief")

    assert rows_by_name(tables(html)[BRIEF_ACTIONS]) == {
        "Action": ["Status", "Progress", "Last update"],
        "Hire night nurses": ["In progress", "50%", format_date(today() - timedelta(days=4))],
        "Review the rota": ["Planned (update overdue)", "0%", "none yet"],
    }
    assert "DRAFT-TITLE-7Q" not in html and "SCHEDULED-7Q" not in html


def test_a_brief_with_no_action_says_so(leader, halls):
    html = page(leader, f"/leadership/{halls.autumn.slug}/brief")
    assert "No published action is linked to this town hall or to its top themes yet." in html


def report_rows(html: str) -> dict[str, list[str]]:
    return rows_by_name(tables(html)[REPORT])


def test_the_report_for_a_quarter_holds_exactly_the_updates_published_within_it_and_no_draft(leader, db_session):
    quarter = quarter_of(today())
    action = make_action(db_session, "Hire night nurses", owner="Nursing office", status="in-progress",
                         target_on=quarter.last, next_update_due=today() - timedelta(days=1))
    action.created_on = quarter.first - timedelta(days=60)
    db_session.commit()
    add_update(db_session, action, "LAST-QUARTER-NEWS", days_ago=days_ago(quarter.first) + 1)
    add_update(db_session, action, "FIRST-DAY-NEWS", days_ago=days_ago(quarter.first))
    add_update(db_session, action, "SCHEDULED-7Q", days_ago=-1)
    draft = make_action(db_session, "DRAFT-TITLE-7Q", published=False)
    add_update(db_session, draft, "DRAFT-UPDATE-7Q")

    html = page(leader, f"/leadership/plan-report?quarter={quarter.label}")

    assert without_csrf(page(leader, "/leadership/plan-report")) == without_csrf(html)  # the current quarter by default
    row = report_rows(html)["Hire night nurses"]
    assert row[:5] == ["Nursing office", "In progress update overdue", "50%", format_date(quarter.last),
                       format_date(today() - timedelta(days=1))]
    assert "FIRST-DAY-NEWS" in row[5] and format_date(quarter.first) in row[5]
    for absent in ("LAST-QUARTER-NEWS", "SCHEDULED-7Q", "DRAFT-TITLE-7Q", "DRAFT-UPDATE-7Q"):
        assert absent not in html
    assert 'href="/static/css/print.css" media="print"' in html
    previous = page(leader, f"/leadership/plan-report?quarter={quarter.preceding().label}")
    assert "LAST-QUARTER-NEWS" in report_rows(previous)["Hire night nurses"][5] and "FIRST-DAY-NEWS" not in previous


def test_a_past_quarters_report_keeps_the_status_of_its_end_after_a_later_update(leader, db_session):
    previous = quarter_of(today()).preceding()
    action = make_action(db_session, "Open a nursery", owner="Dean", status="planned",
                         next_update_due=previous.last - timedelta(days=1))
    action.created_on = previous.first
    db_session.commit()
    path = f"/leadership/plan-report?quarter={previous.label}"
    before = report_rows(page(leader, path))["Open a nursery"]
    assert before[1:3] == ["Planned update overdue", "0%"]
    response = post_form(leader, f"/staff/plan/{action.id}/updates", f"/staff/plan/{action.id}", text="It is open.",
                         status="done", progress="", publish_on=today().isoformat(), next_update_due="")
    assert response.status_code == 302
    assert report_rows(page(leader, path))["Open a nursery"][:3] == before[:3]
    assert report_rows(page(leader, "/leadership/plan-report"))["Open a nursery"][1:3] == ["Done", "100%"]


def test_the_report_shows_steps_under_their_action(leader, db_session):
    parent = make_action(db_session, "Fix the rota", progress_from="sub-actions")
    make_action(db_session, "Ask the wards", parent=parent, status="done")
    rows = report_rows(page(leader, "/leadership/plan-report"))
    assert rows["Fix the rota"][2] == "100%" and rows["Step: Ask the wards"][1] == "Done"


@pytest.mark.parametrize("asked", ["2026-Q9", "Q4", "<script>", "9999-Q1"])
def test_a_quarter_that_is_not_one_or_has_not_started_gets_a_clear_404(leader, db_session, asked):
    response = leader.get("/leadership/plan-report", query_string={"quarter": asked})
    html = response.get_data(as_text=True)
    assert response.status_code == 404
    assert "No progress report for that quarter" in html and quarter_of(today()).label in html
    assert "<script>" not in html and exports(db_session, "export.plan_report") == []


def test_viewing_the_report_is_an_audit_event(leader, db_session):
    page(leader, "/leadership/plan-report")
    event, = exports(db_session, "export.plan_report")
    assert event.actor == "leader@example.org" and quarter_of(today()).label in event.details


def csv_rows(client) -> list[dict[str, str]]:
    response = client.get("/leadership/actions.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"] == "attachment; filename=actions.csv"
    assert response.is_streamed
    rows = list(csv.reader(response.get_data(as_text=True).splitlines()))
    assert rows[0] == ACTION_COLUMNS
    return [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


def test_the_csv_holds_published_actions_and_updates_only_with_formulas_neutralised(leader, db_session, ring):
    hall = make_town_hall(db_session, "Spring listening")
    action = make_action(db_session, "=HYPERLINK(\"https://evil.example\")", halls=[hall], status="in-progress")
    add_update(db_session, action, "+1 nurse hired", days_ago=3)
    add_update(db_session, action, "SCHEDULED-7Q", days_ago=-1)
    draft = make_action(db_session, "DRAFT-TITLE-7Q", published=False, halls=[hall])
    add_update(db_session, draft, "DRAFT-UPDATE-7Q")
    receipt = make_submission(db_session, ring, hall, "INTERNAL-SUBMISSION-7Q")
    link_submission(db_session, action, receipt.submission_id)

    rows = csv_rows(leader)

    assert [(r["row"], r["action"], r["update text"]) for r in rows] == [
        ("action", "'=HYPERLINK(\"https://evil.example\")", ""), ("update", "'=HYPERLINK(\"https://evil.example\")",
                                                                  "'+1 nurse hired")]
    assert rows[0]["status"] == "In progress" and rows[0]["town halls"] == "Spring listening"
    assert rows[1]["update date"] == (today() - timedelta(days=3)).isoformat()
    text = repr(rows)
    assert "7Q" not in text and str(receipt.submission_id) not in text


def test_downloading_the_csv_is_an_audit_event(leader, db_session):
    csv_rows(leader)
    event, = exports(db_session, "export.actions_csv")
    assert event.actor == "leader@example.org"


@pytest.mark.parametrize("role", ["leader", "facilitator", "admin"])
def test_every_staff_role_reads_the_plan_report_and_the_csv(app, role):
    client = staff_client(app, role)
    assert client.get("/leadership/plan-report").status_code == 200
    assert client.get("/leadership/actions.csv").status_code == 200


@pytest.mark.parametrize("path", ["/leadership/plan-report", "/leadership/actions.csv"])
def test_the_report_and_the_csv_need_a_login(client, db_session, path):
    response = client.get(path)
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert db_session.scalar(sa.select(sa.func.count()).select_from(AuditEvent)) == 0
