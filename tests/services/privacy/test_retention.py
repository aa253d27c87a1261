"""Retention: `flask purge` deletes identities RETENTION_DAYS after their town hall's intake closed."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
import sqlalchemy as sa

from feedback import audit, clock
from feedback.models import AuditEvent, Identity, Submission, TownHall
from feedback.services.moderation import escrow
from tests.factories import make_submission, make_town_hall


def hall_closed_days_ago(app, title: str, days: int) -> dict:
    """A town hall whose intake closed `days` days ago, with one named and one anonymous submission."""
    session = app.extensions["feedback_db"]()
    ring = app.extensions["feedback_keyring"]
    try:
        hall = make_town_hall(session, title)
        named = make_submission(session, ring, hall, f"{title}: named", name="Rafferty Oyelaran",
                                email="r.oyelaran@example.org")
        anonymous = make_submission(session, ring, hall, f"{title}: anonymous")
        closed = clock.today() - timedelta(days=days)
        session.execute(sa.update(TownHall).where(TownHall.id == hall.id)
                        .values(intake_opens_on=closed - timedelta(days=14), intake_closes_on=closed))
        session.commit()
        return {"named": named.submission_id, "anonymous": anonymous.submission_id}
    finally:
        session.close()


def identities(app) -> set:
    session = app.extensions["feedback_db"]()
    try:
        return set(session.scalars(sa.select(Identity.submission_id)))
    finally:
        session.close()


def named_flags(app) -> dict:
    session = app.extensions["feedback_db"]()
    try:
        return dict(session.execute(sa.select(Submission.id, Submission.is_named)).all())
    finally:
        session.close()


def purge_events(app) -> list[AuditEvent]:
    session = app.extensions["feedback_db"]()
    try:
        return list(session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "identities_purged")))
    finally:
        session.close()


def test_purge_deletes_identities_past_retention_and_keeps_everything_else(app, runner):
    old = hall_closed_days_ago(app, "Old hall", 181)
    edge = hall_closed_days_ago(app, "Edge hall", 180)  # not *more* than 180 days yet
    recent = hall_closed_days_ago(app, "Recent hall", 10)
    before = identities(app)
    assert before == {old["named"], edge["named"], recent["named"]}

    result = runner.invoke(args=["purge"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("Purged 1 identity of town halls closed before")
    assert identities(app) == {edge["named"], recent["named"]}
    flags = named_flags(app)
    assert len(flags) == 6  # every submission is still there ...
    assert flags[old["named"]] is False and flags[edge["named"]] is True  # ... the old one now unnamed
    session = app.extensions["feedback_db"]()
    try:  # ... and its receipt page can say that its name was deleted, not that it came anonymously
        deleted = set(session.scalars(sa.select(Submission.id).where(Submission.identity_deleted.is_(True))))
    finally:
        session.close()
    assert deleted == {old["named"]}
    [event] = purge_events(app)
    assert (event.actor, json.loads(event.details)["count"]) == (audit.SYSTEM, 1)


def test_purge_is_idempotent_and_safe_to_run_from_cron(app, runner):
    old = hall_closed_days_ago(app, "Old hall", 400)
    first = runner.invoke(args=["purge"])
    second = runner.invoke(args=["purge"])
    assert (first.exit_code, second.exit_code) == (0, 0)
    assert "Purged 0 identities" in second.output and len(second.output.splitlines()) == 1
    assert old["named"] not in identities(app)
    assert [json.loads(e.details)["count"] for e in purge_events(app)] == [1, 0]


def test_a_dry_run_says_what_would_go_and_changes_nothing(app, runner):
    old = hall_closed_days_ago(app, "Old hall", 200)
    hall_closed_days_ago(app, "Recent hall", 3)
    before = identities(app), named_flags(app)
    result = runner.invoke(args=["purge", "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "Would purge 1 identity of 'Old hall'" in result.output
    assert "Recent hall" not in result.output
    assert "nothing changed" in result.output
    assert (identities(app), named_flags(app)) == before
    assert old["named"] in identities(app)
    assert purge_events(app) == []


def test_the_retention_period_is_configurable(make_app):
    app = make_app(RETENTION_DAYS=5)
    closed = hall_closed_days_ago(app, "Last week", 7)
    result = app.test_cli_runner().invoke(args=["purge"])
    assert "Purged 1 identity" in result.output
    assert identities(app) == set()
    assert json.loads(purge_events(app)[0].details)["retention_days"] == 5
    assert named_flags(app)[closed["named"]] is False


def test_a_purged_identity_can_no_longer_be_revealed(app, runner):
    old = hall_closed_days_ago(app, "Old hall", 365)
    runner.invoke(args=["purge"])
    session = app.extensions["feedback_db"]()
    try:
        facts = escrow.facts(session, old["named"])
        assert facts is not None and facts.is_named is False
        with pytest.raises(escrow.NothingToReveal):
            escrow.reveal(session, app.extensions["feedback_keyring"], old["named"], "Checking after purge",
                          by=audit.Actor("fola@example.org", 1), now=clock.now())
    finally:
        session.close()
