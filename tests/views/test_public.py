"""The list of town halls and each town hall's page, before, during and after its intake window."""

from __future__ import annotations

import re
from datetime import timedelta

import sqlalchemy as sa

from feedback.filters import format_date
from feedback.models import Submission
from tests.browsing import send_concern, submission_form, text
from tests.factories import make_town_hall, today


def test_the_home_page_lists_open_upcoming_and_recently_closed_town_halls_each_where_it_belongs(client, db_session):
    make_town_hall(db_session, "Open hall")
    upcoming = make_town_hall(db_session, "Future hall", state="upcoming")
    make_town_hall(db_session, "Past hall", state="closed")
    page = text(client.get("/"))
    coming_up, closed = page.index(">Coming up</h2>"), page.index(">Recently closed</h2>")
    assert page.index('href="/t/open-hall">Open hall</a>') < coming_up
    assert coming_up < page.index('href="/t/future-hall">Future hall</a>') < closed
    assert f"input opens on {format_date(upcoming.intake_opens_on)}" in page[coming_up:closed]
    assert closed < page.index('href="/t/past-hall/response">Past hall: what we heard')


def test_the_home_page_shows_an_open_town_halls_question(client, db_session):
    hall = make_town_hall(db_session, "Open hall")
    hall.prompt = "What would make it safer to report bias here?"
    db_session.commit()
    assert "What would make it safer to report bias here?" in text(client.get("/"))


def closed_days_ago(session, title: str, days_ago: int) -> None:
    hall = make_town_hall(session, title, state="closed")
    hall.intake_closes_on = today() - timedelta(days=days_ago)
    hall.intake_opens_on = hall.intake_closes_on - timedelta(days=7)
    session.commit()


def test_the_home_page_lists_the_five_latest_closed_town_halls_latest_first(client, db_session):
    for title, days_ago in [("c", 60), ("a", 10), ("f", 150), ("d", 90), ("b", 30), ("e", 120)]:
        closed_days_ago(db_session, title, days_ago)
    page = text(client.get("/"))
    assert re.findall(r'href="/t/([a-f])/response"', page) == ["a", "b", "c", "d", "e"]


def test_the_home_page_leaves_out_town_halls_closed_more_than_a_year_ago(client, db_session):
    closed_days_ago(db_session, "Long ago", 400)
    page = text(client.get("/"))
    assert "Long ago" not in page and "Recently closed" not in page


def test_the_home_page_never_shows_an_archived_town_hall(client, db_session):
    for state in ("open", "upcoming", "closed"):
        make_town_hall(db_session, f"Archived {state}", state=state).status = "archived"
        db_session.commit()
    page = text(client.get("/"))
    assert "Archived" not in page
    assert "No town hall is taking input right now" in page


def test_a_town_halls_question_is_shown_above_its_form(client, db_session):
    hall = make_town_hall(db_session, "Open hall")
    hall.prompt = "What would make it safer to report bias here?"
    db_session.commit()
    page = text(client.get("/t/open-hall"))
    assert page.index("What would make it safer to report bias here?") < page.index('name="comment"')


def test_an_upcoming_town_hall_shows_its_question_before_it_opens(client, db_session):
    hall = make_town_hall(db_session, "Future hall", state="upcoming")
    hall.prompt = "What should we ask leadership?"
    db_session.commit()
    page = text(client.get("/t/future-hall"))
    assert "What should we ask leadership?" in page and "Input opens on" in page


def test_the_home_page_says_so_when_nothing_is_open(client):
    assert "No town hall is taking input right now" in client.get("/").get_data(as_text=True)


def test_an_open_town_hall_shows_its_form(client, db_session):
    make_town_hall(db_session, "Open hall", description="Tell us about belonging.")
    page = client.get("/t/open-hall").get_data(as_text=True)
    assert "Tell us about belonging." in page
    assert "Input is open until" in page
    assert 'name="comment"' in page and ">Send</button>" in page
    assert re.search(r'<input checked id="identity_choice-0"[^>]* value="anonymous">', page)  # the default


def test_an_unknown_town_hall_is_not_found(client):
    response = client.get("/t/nope")
    assert response.status_code == 404
    assert "Page not found" in response.get_data(as_text=True)


def test_an_upcoming_town_hall_says_when_it_opens_and_offers_no_form(client, db_session):
    hall = make_town_hall(db_session, state="upcoming")
    page = client.get(f"/t/{hall.slug}").get_data(as_text=True)
    assert "Input opens on" in page
    assert 'name="comment"' not in page


def test_a_closed_town_hall_says_so_and_offers_no_form(client, db_session):
    hall = make_town_hall(db_session, state="closed")
    page = client.get(f"/t/{hall.slug}").get_data(as_text=True)
    assert "Input closed on" in page
    assert 'name="comment"' not in page


def test_a_post_after_intake_closed_is_refused_and_the_text_shown_back(client, db_session):
    hall = make_town_hall(db_session)
    tokens = submission_form(client, hall.slug)  # the form was loaded while intake was open ...
    hall.intake_closes_on = hall.intake_opens_on  # ... and intake closed before the person pressed Send
    hall.intake_opens_on = hall.intake_opens_on.replace(year=hall.intake_opens_on.year - 1)
    db_session.commit()
    response = client.post(f"/t/{hall.slug}", data={"comment": "My words <must> not be lost & gone",
                                                    "identity_choice": "anonymous", **tokens})
    page = response.get_data(as_text=True)
    assert response.status_code == 403
    assert "stopped taking input" in page
    assert "My words &lt;must&gt; not be lost &amp; gone</textarea>" in page
    assert ">Send</button>" not in page
    assert db_session.scalar(sa.select(sa.func.count()).select_from(Submission)) == 0


def test_a_post_before_intake_opens_is_refused_with_the_text_kept(client, db_session):
    hall = make_town_hall(db_session, state="upcoming")
    tokens = submission_form(client, make_town_hall(db_session, "Open now").slug)
    response = client.post(f"/t/{hall.slug}", data={"comment": "Early thoughts", **tokens})
    assert response.status_code == 403
    assert "not taking input yet" in response.get_data(as_text=True)
    assert "Early thoughts</textarea>" in response.get_data(as_text=True)
    assert db_session.scalar(sa.select(sa.func.count()).select_from(Submission)) == 0


def test_the_form_and_the_receipt_are_never_kept_nor_refilled_by_the_browser(client, db_session):
    hall = make_town_hall(db_session)
    form = client.get(f"/t/{hall.slug}")
    receipt = send_concern(client, hall.slug)
    assert form.headers["Cache-Control"] == receipt.headers["Cache-Control"] == "no-store"
    # Back re-fetches the page; autocomplete="off" stops the browser putting the sent text back into it.
    assert re.search(r'<form method="post" action="/t/[^"]+"[^>]* autocomplete="off"', form.get_data(as_text=True))
    assert "Already sent a concern? It was received" in form.get_data(as_text=True)
