"""Town halls: created, edited, opened, closed and archived (each audited), and listed for the home page."""

from __future__ import annotations

import json
from datetime import datetime, time, timedelta

import pytest
import sqlalchemy as sa

from feedback import audit
from feedback.models import AuditEvent, TownHall
from feedback.services.intake import town_halls
from feedback.services.intake.town_halls import InvalidTownHall, TownHallValues
from tests.factories import make_town_hall, today

BY = audit.Actor("fola@example.org", 7)


def now() -> datetime:
    return datetime.combine(today(), time(10, 30))


def days(n: int):
    return today() + timedelta(days=n)


def values(title: str = "Belonging on the wards", opens: int = 0, closes: int = 14, **fields) -> TownHallValues:
    return TownHallValues(title=title, held_on=fields.pop("held_on", days(opens)), intake_opens_on=days(opens),
                          intake_closes_on=days(closes), **fields)


def events(session) -> list[tuple[str, dict]]:
    session.rollback()
    rows = session.execute(sa.select(AuditEvent.action, AuditEvent.details, AuditEvent.actor)
                           .order_by(AuditEvent.id))
    return [(action, {**json.loads(details), "by": actor}) for action, details, actor in rows]


def fresh(session, hall_id: int) -> TownHall:
    session.rollback()
    hall = session.get(TownHall, hall_id)
    assert hall is not None
    return hall


# --- creating ---

def test_a_town_hall_created_from_the_web_keeps_its_question_and_is_audited(db_session):
    hall = town_halls.create(db_session, values(prompt="  What would make reporting safer?  "), by=BY, now=now())
    stored = fresh(db_session, hall.id)
    assert (stored.slug, stored.prompt, stored.status) == ("belonging-on-the-wards",
                                                            "What would make reporting safer?", "active")
    assert events(db_session) == [("town_hall.created", {
        "slug": "belonging-on-the-wards", "held_on": str(days(0)), "intake_opens_on": str(days(0)),
        "intake_closes_on": str(days(14)), "by": "fola@example.org"})]


def test_a_new_town_hall_cannot_take_input_in_a_window_that_already_ended(db_session):
    with pytest.raises(InvalidTownHall, match="cannot end in the past") as refused:
        town_halls.create(db_session, values(opens=-20, closes=-1), by=BY, now=now())
    assert refused.value.field == "intake_closes_on"
    assert db_session.scalar(sa.select(sa.func.count()).select_from(TownHall)) == 0
    assert events(db_session) == []


def test_a_new_town_hall_may_open_in_the_past_and_close_today(db_session):
    hall = town_halls.create(db_session, values(opens=-3, closes=0), by=BY, now=now())
    assert fresh(db_session, hall.id).intake_state(today()) == "open"


def test_scripts_may_still_record_a_town_hall_whose_intake_has_ended_and_that_is_not_audited(db_session):
    hall = town_halls.create_town_hall(db_session, values(opens=-40, closes=-10))
    assert fresh(db_session, hall.id).intake_state(today()) == "closed"
    assert events(db_session) == []


@pytest.mark.parametrize(("new", "field", "message"), [
    (values(opens=5, closes=4), "intake_closes_on", "closes before it opens"),
    (values(title="   "), "title", "needs a title"),
    (values(title="T" * 201), "title", "at most 200 characters"),
    (values(prompt="?" * 501), "prompt", "at most 500 characters"),
    (values(description="d" * 2001), "description", "at most 2,000 characters"),
])
def test_a_town_hall_that_makes_no_sense_is_refused_naming_the_field(db_session, new, field, message):
    with pytest.raises(InvalidTownHall, match=message) as refused:
        town_halls.create(db_session, new, by=BY, now=now())
    assert refused.value.field == field
    assert db_session.scalar(sa.select(sa.func.count()).select_from(TownHall)) == 0


@pytest.mark.parametrize("title", ["Town halls", "Themes", "Reveals"])
def test_a_title_that_names_a_staff_page_gets_an_address_of_its_own(db_session, title):
    hall = town_halls.create(db_session, values(title=title), by=BY, now=now())
    assert hall.slug == f"{town_halls.slugify(title)}-2"


# --- editing ---

def test_an_edit_changes_texts_and_dates_but_never_the_address_and_is_audited(db_session):
    hall = town_halls.create(db_session, values(), by=BY, now=now())
    changed = town_halls.update(db_session, hall.id, values("Belonging, six months on", closes=21,
                                                            prompt="What changed?"), by=BY, now=now())
    assert changed == ["title", "intake_closes_on", "prompt"]
    stored = fresh(db_session, hall.id)
    assert (stored.slug, stored.title, stored.prompt) == ("belonging-on-the-wards", "Belonging, six months on",
                                                          "What changed?")
    assert events(db_session)[-1] == ("town_hall.edited", {
        "slug": "belonging-on-the-wards", "changed": ["title", "intake_closes_on", "prompt"],
        "from": {"title": "Belonging on the wards", "intake_closes_on": str(days(14))},
        "to": {"title": "Belonging, six months on", "intake_closes_on": str(days(21))}, "by": "fola@example.org"})


def test_an_edit_that_changes_nothing_records_nothing(db_session):
    hall = town_halls.create(db_session, values(), by=BY, now=now())
    assert town_halls.update(db_session, hall.id, values(), by=BY, now=now()) == []
    assert [action for action, _ in events(db_session)] == ["town_hall.created"]


def test_an_edit_may_correct_a_past_town_hall_but_not_close_it_before_it_opens(db_session):
    hall = make_town_hall(db_session, state="closed")
    past = values(hall.title, opens=-40, closes=-9, held_on=hall.held_on, description=hall.description)
    assert town_halls.update(db_session, hall.id, past, by=BY, now=now()) == ["intake_closes_on"]
    with pytest.raises(InvalidTownHall, match="closes before it opens"):
        town_halls.update(db_session, hall.id, values(hall.title, opens=-9, closes=-40), by=BY, now=now())
    assert fresh(db_session, hall.id).intake_closes_on == days(-9)


# --- opening, closing, archiving ---

def test_open_now_starts_an_upcoming_town_halls_intake_today(db_session):
    hall = make_town_hall(db_session, state="upcoming")
    closes = hall.intake_closes_on
    town_halls.open_now(db_session, hall.id, by=BY, now=now())
    stored = fresh(db_session, hall.id)
    assert (stored.intake_opens_on, stored.intake_closes_on) == (today(), closes)
    assert stored.intake_state(today()) == "open"
    assert events(db_session)[-1] == ("town_hall.opened", {
        "slug": hall.slug, "from": {"intake_opens_on": str(days(5))},
        "to": {"intake_opens_on": str(today()), "intake_closes_on": str(closes)}, "by": "fola@example.org"})


@pytest.mark.parametrize(("state", "message"), [("open", "already taking input"), ("closed", "has closed")])
def test_open_now_is_refused_unless_the_town_hall_is_upcoming(db_session, state, message):
    hall = make_town_hall(db_session, state=state)
    with pytest.raises(InvalidTownHall, match=message):
        town_halls.open_now(db_session, hall.id, by=BY, now=now())
    assert events(db_session) == []


def test_close_now_stops_intake_at_once_with_yesterday_as_the_last_day(db_session):
    hall = make_town_hall(db_session)
    town_halls.close_now(db_session, hall.id, by=BY, now=now())
    stored = fresh(db_session, hall.id)
    assert stored.intake_closes_on == days(-1) and stored.intake_opens_on == days(-3)
    assert stored.intake_state(today()) == "closed"
    assert events(db_session)[-1][0] == "town_hall.closed"
    assert events(db_session)[-1][1]["to"] == {"intake_opens_on": str(days(-3)), "intake_closes_on": str(days(-1))}


def test_a_town_hall_opened_and_closed_on_one_day_keeps_a_window_that_holds(db_session):
    hall = make_town_hall(db_session, state="upcoming")
    town_halls.open_now(db_session, hall.id, by=BY, now=now())
    town_halls.close_now(db_session, hall.id, by=BY, now=now())
    stored = fresh(db_session, hall.id)
    assert stored.intake_opens_on == stored.intake_closes_on == days(-1)
    assert stored.intake_state(today()) == "closed"


@pytest.mark.parametrize("state", ["upcoming", "closed"])
def test_close_now_is_refused_unless_the_town_hall_is_open(db_session, state):
    hall = make_town_hall(db_session, state=state)
    with pytest.raises(InvalidTownHall, match="not taking input"):
        town_halls.close_now(db_session, hall.id, by=BY, now=now())


def test_an_archived_town_hall_takes_no_input_is_listed_nowhere_public_and_cannot_change(db_session):
    hall = make_town_hall(db_session)
    town_halls.archive(db_session, hall.id, by=BY, now=now())
    assert fresh(db_session, hall.id).status == "archived"
    assert town_halls.find_town_hall(db_session, hall.slug) is None
    assert town_halls.home_listing(db_session, today()) == town_halls.HomeListing([], [], [])
    assert events(db_session)[-1] == ("town_hall.archived", {"slug": hall.slug, "by": "fola@example.org"})
    for change in (town_halls.archive, town_halls.close_now):
        with pytest.raises(InvalidTownHall, match="is archived"):
            change(db_session, hall.id, by=BY, now=now())
    with pytest.raises(InvalidTownHall, match="is archived"):
        town_halls.update(db_session, hall.id, values(hall.title), by=BY, now=now())
    assert len(events(db_session)) == 1


def test_a_change_to_a_town_hall_that_is_gone_says_so(db_session):
    with pytest.raises(InvalidTownHall, match="no longer there"):
        town_halls.open_now(db_session, 404, by=BY, now=now())


# --- listings ---

def closed_on(session, title: str, closes: int) -> TownHall:
    return town_halls.create_town_hall(session, values(title, opens=closes - 10, closes=closes))


def test_the_home_listing_holds_open_upcoming_and_the_latest_closed_town_halls(db_session):
    open_hall = make_town_hall(db_session, "Open")
    later = town_halls.create_town_hall(db_session, values("Later", opens=30, closes=40))
    sooner = make_town_hall(db_session, "Sooner", state="upcoming")
    closed = [closed_on(db_session, f"Closed {n}", -n * 20) for n in range(1, 8)]
    closed_on(db_session, "Long ago", -400)
    listing = town_halls.home_listing(db_session, today())
    assert [h.title for h in listing.open] == [open_hall.title]
    assert [h.title for h in listing.upcoming] == [sooner.title, later.title]
    assert [h.title for h in listing.recently_closed] == [h.title for h in closed[:5]]


def test_the_staff_listing_shows_every_town_hall_with_its_state_open_ones_first(db_session):
    make_town_hall(db_session, "Was", state="closed")
    archived = make_town_hall(db_session, "Gone")
    town_halls.archive(db_session, archived.id, by=BY, now=now())
    make_town_hall(db_session, "Soon", state="upcoming")
    make_town_hall(db_session, "Now")
    listed = town_halls.staff_listing(db_session, today())
    assert [(entry.town_hall.title, entry.state) for entry in listed] == [
        ("Now", "open"), ("Soon", "upcoming"), ("Was", "closed"), ("Gone", "archived")]


@pytest.mark.parametrize("title", ["Reveals", "S", "Themes", "Town halls", "Plan report"])
def test_a_title_that_spells_a_staff_page_gets_a_slug_of_its_own(db_session, title):
    """Else /facilitate/<slug> or /leadership/<slug> would open that page instead of the town hall."""
    hall = make_town_hall(db_session, title)
    assert hall.slug not in town_halls.RESERVED_SLUGS and hall.slug.endswith("-2")
