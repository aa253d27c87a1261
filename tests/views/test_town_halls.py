"""Town halls run from the web: what a facilitator sees and changes, and what that does to the public pages."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
import sqlalchemy as sa
from markupsafe import escape

from feedback.filters import format_date
from feedback.models import AuditEvent, Submission, TownHall
from tests.browsing import post_form, send_concern, submission_form, text
from tests.factories import make_town_hall, today
from tests.staff import staff_client

LIST = "/facilitate/town-halls"
NEW = "/facilitate/town-halls/new"


def day(n: int) -> str:
    return str(today() + timedelta(days=n))


def fields(title: str = "Belonging on the wards", opens: int = 0, closes: int = 14, **more) -> dict[str, str]:
    return {"title": title, "description": "Tell us about belonging.", "prompt": "What would make reporting safer?",
            "held_on": day(opens), "intake_opens_on": day(opens), "intake_closes_on": day(closes), **more}


def create(client, **data):
    return post_form(client, NEW, NEW, **fields(**data))


def hall_page(hall: TownHall) -> str:
    return f"{LIST}/{hall.id}"


def press(client, hall: TownHall, button: str):
    """Press a one-button action (open, close, archive) on the town hall's page."""
    return post_form(client, f"{hall_page(hall)}/{button}", hall_page(hall))


def stored(session, slug: str = "belonging-on-the-wards") -> TownHall:
    session.rollback()
    hall = session.scalar(sa.select(TownHall).where(TownHall.slug == slug))
    assert hall is not None
    return hall


def town_hall_count(session) -> int:
    session.rollback()
    return session.scalar(sa.select(sa.func.count()).select_from(TownHall))


def audit_trail(session) -> list[tuple[str, str, dict]]:
    session.rollback()
    rows = session.execute(sa.select(AuditEvent.action, AuditEvent.actor, AuditEvent.details).order_by(AuditEvent.id))
    return [(action, actor, json.loads(details)) for action, actor, details in rows if action.startswith("town_hall")]


def section(page: str, heading: str) -> str:
    """The part of the home page under a heading, up to the next one at its level."""
    start = page.index(f">{heading}</h2>")
    end = page.find("<h2 id=", start)
    return page[start:end if end != -1 else len(page)]


# --- creating, and what the public sees ---

def test_a_town_hall_created_to_open_today_is_listed_on_the_home_page_with_its_question(facilitator, client,
                                                                                       db_session):
    response = create(facilitator)
    hall = stored(db_session)
    assert response.status_code == 302 and response.headers["Location"] == hall_page(hall)
    assert "Created “Belonging on the wards” at /t/belonging-on-the-wards" in text(facilitator.get(hall_page(hall)))
    home = text(client.get("/"))
    assert 'href="/t/belonging-on-the-wards">Belonging on the wards</a>' in home
    assert "What would make reporting safer?" in home
    assert "Coming up" not in home and "Recently closed" not in home  # listed as open, nowhere else


def test_a_town_hall_created_to_open_later_is_listed_as_coming_up_with_when_input_opens(facilitator, client,
                                                                                       db_session):
    create(facilitator, opens=5, closes=20)
    coming_up = section(text(client.get("/")), "Coming up")
    assert "Belonging on the wards" in coming_up
    assert f"input opens on {format_date(today() + timedelta(days=5))}" in coming_up
    assert "No town hall is taking input right now" in text(client.get("/"))


def test_the_question_is_shown_above_the_form(facilitator, client, db_session):
    create(facilitator, prompt="What would make it safer to report bias here?")
    page = text(client.get("/t/belonging-on-the-wards"))
    assert '<h2 id="prompt">What would make it safer to report bias here?</h2>' in page
    assert page.index('id="prompt"') < page.index('<form method="post"') < page.index('name="comment"')


def test_a_question_is_text_not_markup(facilitator, client, db_session):
    create(facilitator, prompt="<script>alert(1)</script> & you?")
    page = client.get("/t/belonging-on-the-wards").get_data(as_text=True)
    assert f"{escape('<script>alert(1)</script> & you?')}</h2>" in page
    assert "<script>alert(1)" not in page


def test_the_list_shows_each_town_hall_with_its_state_and_dates(facilitator, db_session):
    make_town_hall(db_session, "Night shift safety", state="upcoming")
    closed = make_town_hall(db_session, "Parking and access", state="closed")
    page = text(facilitator.get(LIST))
    assert "Night shift safety" in page and "Parking and access" in page
    row = page[page.index("Parking and access"):]
    assert row.index("closed") < row.index(format_date(closed.intake_closes_on))
    assert f'href="{NEW}">Create a town hall</a>' in page


# --- bad input: a clear message, the form kept ---

@pytest.mark.parametrize(("data", "message"), [
    ({"opens": 5, "closes": 2}, "The intake window closes before it opens"),
    ({"opens": -20, "closes": -1}, "The intake window of a new town hall cannot end in the past"),
    ({"title": "   "}, "Enter a title for the town hall."),
    ({"title": "T" * 201}, "Shorten the title to 200 characters or fewer."),
    ({"intake_opens_on": "next tuesday"}, "Enter the first day input is taken as a date, like 2026-12-01."),
])
def test_a_town_hall_that_makes_no_sense_is_refused_with_a_message_and_the_form_kept(facilitator, db_session,
                                                                                    data, message):
    response = create(facilitator, **data)
    page = text(response)
    assert response.status_code == 422
    assert "Please check what you wrote" in page and message in page
    sent = fields(**data)
    assert f'value="{sent["intake_closes_on"]}"' in page
    assert "What would make reporting safer?</textarea>" in page
    if sent["title"].strip():
        assert f'value="{sent["title"]}"' in page
    assert town_hall_count(db_session) == 0


def test_an_edit_that_closes_before_it_opens_is_refused_with_the_form_kept(facilitator, db_session):
    hall = make_town_hall(db_session)
    response = post_form(facilitator, hall_page(hall), hall_page(hall),
                         **fields("A new title", opens=3, closes=1))
    assert response.status_code == 422
    assert "The intake window closes before it opens" in text(response)
    assert 'value="A new title"' in text(response)
    assert stored(db_session, hall.slug).title == hall.title


# --- editing, opening, closing, archiving ---

def test_an_edit_is_saved_and_keeps_the_address(facilitator, client, db_session):
    hall = make_town_hall(db_session)
    response = post_form(facilitator, hall_page(hall), hall_page(hall),
                         **fields("Belonging, six months on", opens=-3, closes=30, prompt="What changed?"))
    assert response.status_code == 302
    assert "Saved “Belonging, six months on”." in text(facilitator.get(hall_page(hall)))
    page = text(client.get(f"/t/{hall.slug}"))
    assert "Belonging, six months on" in page and "What changed?" in page


def test_open_now_lets_an_upcoming_town_halls_form_take_a_concern(facilitator, client, db_session):
    hall = make_town_hall(db_session, state="upcoming")
    assert 'name="comment"' not in text(client.get(f"/t/{hall.slug}"))
    response = press(facilitator, hall, "open")
    assert response.status_code == 302
    assert "is open: it takes input from today" in text(facilitator.get(hall_page(hall)))
    sent = send_concern(client, hall.slug)
    assert sent.status_code == 200 and "We received your concern" in text(sent)


def test_close_now_stops_the_form_at_once_and_says_so(facilitator, client, db_session):
    hall = make_town_hall(db_session)
    tokens = submission_form(client, hall.slug)  # the form was open in someone's browser ...
    press(facilitator, hall, "close")  # ... when the facilitator pressed Close now
    notice = text(facilitator.get(hall_page(hall)))
    assert "is closed: it takes no more input from now on" in notice
    assert f"recorded as yesterday, {format_date(today() - timedelta(days=1))}" in notice
    refused = client.post(f"/t/{hall.slug}", data={"comment": "Still writing", "identity_choice": "anonymous",
                                                   **tokens})
    assert refused.status_code == 403 and "stopped taking input" in text(refused)
    assert "Still writing</textarea>" in text(refused)
    assert 'name="comment"' not in text(client.get(f"/t/{hall.slug}"))
    assert db_session.scalar(sa.select(sa.func.count()).select_from(Submission)) == 0


def test_a_closed_town_hall_is_listed_as_recently_closed_with_a_link_to_its_response_page(facilitator, client,
                                                                                          db_session):
    hall = make_town_hall(db_session)
    press(facilitator, hall, "close")
    closed = section(text(client.get("/")), "Recently closed")
    assert f'href="/t/{hall.slug}/response"' in closed and hall.title in closed


def test_closing_a_town_hall_that_is_not_open_is_refused_with_a_reason(facilitator, db_session):
    hall = make_town_hall(db_session, state="upcoming")
    press(facilitator, hall, "close")
    assert "is not taking input, so there is nothing to close" in text(facilitator.get(hall_page(hall)))
    assert stored(db_session, hall.slug).intake_state(today()) == "upcoming"


def test_an_archived_town_hall_is_off_the_home_page_and_takes_no_input(facilitator, client, db_session):
    hall = make_town_hall(db_session)
    assert hall.title in text(client.get("/"))
    press(facilitator, hall, "archive")
    assert "is archived: it is off the home page" in text(facilitator.get(hall_page(hall)))
    assert hall.title not in text(client.get("/"))
    assert client.get(f"/t/{hall.slug}").status_code == 404
    assert client.post(f"/t/{hall.slug}", data={"comment": "Hello"}).status_code in (400, 404)
    assert "archived" in text(facilitator.get(LIST))


def test_every_change_from_the_web_is_an_audit_event_naming_the_town_hall_and_who(facilitator, db_session):
    create(facilitator, opens=5, closes=20)
    hall = stored(db_session)
    post_form(facilitator, hall_page(hall), hall_page(hall), **fields("Belonging, again", opens=5, closes=20))
    for button in ("open", "close", "archive"):
        assert press(facilitator, hall, button).status_code == 302
    trail = audit_trail(db_session)
    assert [action for action, _, _ in trail] == ["town_hall.created", "town_hall.edited", "town_hall.opened",
                                                  "town_hall.closed", "town_hall.archived"]
    assert {actor for _, actor, _ in trail} == {"facilitator@example.org"}
    assert {details["slug"] for _, _, details in trail} == {"belonging-on-the-wards"}
    assert trail[1][2]["changed"] == ["title"]


def test_an_admin_runs_town_halls_too(app, db_session):
    admin = staff_client(app, "admin")
    assert admin.get(LIST).status_code == 200
    assert create(admin).status_code == 302 and town_hall_count(db_session) == 1


# --- who may ---

def routes(hall: TownHall) -> list[tuple[str, str]]:
    page = hall_page(hall)
    return [("GET", LIST), ("GET", NEW), ("POST", NEW), ("GET", page), ("POST", page), ("POST", f"{page}/open"),
            ("POST", f"{page}/close"), ("POST", f"{page}/archive")]


def test_a_leader_is_refused_every_town_hall_page(leader, hall, db_session):
    for method, path in routes(hall):
        assert leader.open(path, method=method).status_code == 403, (method, path)
    assert stored(db_session, hall.slug).status == "active"


def test_an_anonymous_visitor_is_sent_to_log_in(client, hall):
    for method, path in routes(hall):
        response = client.open(path, method=method)
        if method == "GET":
            assert response.status_code == 302 and "/login" in response.headers["Location"], path
        else:
            assert response.status_code == 401, path  # the "session ended" page: log in again


def test_a_post_without_its_csrf_token_changes_nothing(facilitator, hall, db_session):
    assert facilitator.post(NEW, data=fields("Forged")).status_code == 400
    for button in ("open", "close", "archive"):
        assert facilitator.post(f"{hall_page(hall)}/{button}").status_code == 400
    assert town_hall_count(db_session) == 1
    assert stored(db_session, hall.slug).intake_state(today()) == "open"
    assert audit_trail(db_session) == []
