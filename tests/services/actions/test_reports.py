"""The plan for leadership: each theme's published actions, the brief's, a quarter's report, the CSV lines."""

from __future__ import annotations

import csv
from datetime import date

import pytest
import sqlalchemy as sa

from feedback import audit, clock
from feedback.models import ActionUpdate, AuditEvent
from feedback.services.actions import progress, reports
from feedback.services.actions.reports import Quarter
from tests.factories import make_submission, make_theme, make_town_hall
from tests.plan_rows import link_submission, make_action

KNOWN = progress.statuses([
    {"key": "planned", "label": "Planned", "progress": 0},
    {"key": "in-progress", "label": "In progress", "progress": 50},
    {"key": "done", "label": "Done", "progress": 100},
    {"key": "wont-do", "label": "Won't do", "progress": None},
])
TODAY = date(2026, 11, 15)
Q4 = Quarter(2026, 4)
LEADER = audit.Actor("leader@example.org")


def update_on(session, action, on: date, text: str, **fields) -> ActionUpdate:
    update = ActionUpdate(action_id=action.id, written_on=min(on, TODAY), publish_on=on, text=text, **fields)
    session.add(update)
    session.commit()
    return update


def created(session, action, on: date):
    action.created_on = on
    session.commit()
    return action


@pytest.mark.parametrize(("text", "first", "last"), [("2026-Q4", date(2026, 10, 1), date(2026, 12, 31)),
                                                     ("2027-Q1", date(2027, 1, 1), date(2027, 3, 31)),
                                                     ("2028-Q1", date(2028, 1, 1), date(2028, 3, 31))])
def test_a_quarter_reads_as_a_year_and_its_number(text, first, last):
    quarter = reports.parse_quarter(text)
    assert quarter is not None and (quarter.first, quarter.last, quarter.label) == (first, last, text)


@pytest.mark.parametrize("text", ["2026-Q5", "2026-Q0", "2026Q4", "2026-q4", " 2026-Q4", "0999-Q1", "Q4-2026", ""])
def test_anything_else_is_no_quarter(text):
    assert reports.parse_quarter(text) is None


def test_the_current_quarter_and_its_neighbours():
    assert reports.quarter_of(date(2026, 12, 31)) == Q4 == reports.quarter_of(date(2026, 10, 1))
    assert Q4.following() == Quarter(2027, 1) and Q4.preceding() == Quarter(2026, 3)
    assert Q4.months == "October to December 2026"


def test_each_theme_lists_its_published_actions_as_they_stand_today(db_session):
    theme, other = make_theme(db_session, "Workload"), make_theme(db_session, "Parking")
    shown = make_action(db_session, "Hire nurses", themes=[theme], status="planned")
    update_on(db_session, shown, date(2026, 12, 1), "Scheduled", status="done")
    make_action(db_session, "DRAFT-7Q", published=False, themes=[theme, other])
    found = reports.by_theme(db_session, TODAY, KNOWN)
    assert list(found) == ["Workload"]
    assert [(a.title, a.status_label) for a in found["Workload"]] == [("Hire nurses", "Planned")]
    assert reports.by_theme(db_session, date(2026, 12, 1), KNOWN)["Workload"][0].status_label == "Done"


def test_the_brief_lists_actions_linked_to_its_town_hall_or_its_top_themes(db_session):
    hall, elsewhere = make_town_hall(db_session, "Spring"), make_town_hall(db_session, "Autumn")
    top, small = make_theme(db_session, "Workload"), make_theme(db_session, "Parking")
    make_action(db_session, "On the hall", halls=[hall])
    parent = make_action(db_session, "Parent of a step")
    make_action(db_session, "Step on the hall", halls=[hall], parent=parent)
    make_action(db_session, "On a top theme", themes=[top], halls=[elsewhere])
    make_action(db_session, "On a small theme", themes=[small])
    make_action(db_session, "DRAFT-7Q", published=False, halls=[hall], themes=[top])
    found = reports.for_brief(db_session, hall.slug, ["Workload"], TODAY, KNOWN)
    assert [a.title for a in found] == ["On a top theme", "On the hall", "Parent of a step"]


def test_a_quarter_s_report_holds_exactly_the_updates_published_within_it(db_session):
    action = created(db_session, make_action(db_session, "Hire nurses", status="planned"), date(2026, 1, 5))
    update_on(db_session, action, date(2026, 9, 30), "Q3-NEWS", status="in-progress")
    update_on(db_session, action, date(2026, 10, 1), "Q4-FIRST")
    update_on(db_session, action, TODAY, "Q4-TODAY")
    update_on(db_session, action, date(2026, 11, 16), "SCHEDULED-7Q", status="done")
    draft = created(db_session, make_action(db_session, "DRAFT-7Q", published=False), date(2026, 1, 5))
    update_on(db_session, draft, date(2026, 10, 10), "DRAFT-UPDATE-7Q")

    found = reports.quarter_report(db_session, Q4, TODAY, KNOWN)

    assert found is not None and found.as_of == TODAY and found.following is None
    assert [r.action.title for r in found.rows] == ["Hire nurses"]
    assert [u.text for u in found.rows[0].updates] == ["Q4-FIRST", "Q4-TODAY"]
    assert found.rows[0].action.status_label == "In progress" and found.updates == 2


def test_a_past_quarter_shows_where_actions_stood_at_its_end_and_leaves_out_later_ones(db_session):
    action = created(db_session, make_action(db_session, "Hire nurses", status="planned"), date(2026, 1, 5))
    update_on(db_session, action, date(2026, 8, 1), "Q3-NEWS", status="in-progress", progress=None)
    update_on(db_session, action, date(2026, 10, 2), "Q4-DONE", status="done")
    created(db_session, make_action(db_session, "Started in Q4"), date(2026, 10, 20))

    found = reports.quarter_report(db_session, Quarter(2026, 3), TODAY, KNOWN)

    assert found is not None and found.as_of == date(2026, 9, 30) and found.following == Q4
    assert [(r.action.title, r.action.status_label, [u.text for u in r.updates]) for r in found.rows] == \
        [("Hire nurses", "In progress", ["Q3-NEWS"])]


def test_a_quarter_not_started_has_no_report_and_records_nothing(db_session):
    assert reports.report(db_session, Quarter(2027, 1), TODAY, KNOWN, by=LEADER, now=clock.now()) is None
    assert db_session.scalar(sa.select(sa.func.count()).select_from(AuditEvent)) == 0


def test_the_report_is_recorded_as_an_export(db_session):
    assert reports.report(db_session, Q4, TODAY, KNOWN, by=LEADER, now=clock.now()) is not None
    event = db_session.scalars(sa.select(AuditEvent)).one()
    assert (event.action, event.actor, event.details) == ("export.plan_report", LEADER.label, '{"quarter": "2026-Q4"}')


def test_the_csv_lines_hold_published_actions_and_updates_only_made_safe(db_session, ring):
    hall = make_town_hall(db_session, "=HYPERLINK(\"x\")")
    theme = make_theme(db_session, "Workload")
    action = make_action(db_session, "=1+1", themes=[theme], halls=[hall], owner="@Estates")
    step = make_action(db_session, "A step", parent=action)
    update_on(db_session, action, date(2026, 10, 1), "-2+3 nurses hired", progress=None)
    update_on(db_session, step, TODAY, "Step news")
    update_on(db_session, action, date(2026, 11, 16), "SCHEDULED-7Q")
    draft = make_action(db_session, "DRAFT-7Q", published=False, themes=[theme])
    update_on(db_session, draft, TODAY, "DRAFT-UPDATE-7Q")
    receipt = make_submission(db_session, ring, hall, "INTERNAL-SUBMISSION-7Q")
    link_submission(db_session, action, receipt.submission_id)

    lines = "".join(reports.action_rows(db_session, today=TODAY, known=KNOWN))
    rows = list(csv.reader(lines.splitlines()))

    assert rows[0] == reports.ACTION_COLUMNS
    body = [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]
    assert [(r["row"], r["action"], r["update text"]) for r in body] == [
        ("action", "'=1+1", ""), ("update", "'=1+1", "'-2+3 nurses hired"),
        ("action", "A step", ""), ("update", "A step", "Step news")]
    first = body[0]
    assert (first["public owner"], first["status"], first["themes"], first["town halls"]) == \
        ("'@Estates", "Planned", "Workload", "'=HYPERLINK(\"x\")")
    assert body[2]["step of"] == "'=1+1" and body[1]["update date"] == "2026-10-01"
    assert "7Q" not in lines and str(receipt.submission_id) not in lines
