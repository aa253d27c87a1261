"""Sending a concern when things go wrong: the database fails or is down, the hall is gone, a look-up fails."""

from __future__ import annotations

import logging
from contextlib import contextmanager

import pytest
import sqlalchemy as sa

from feedback import crypto
from feedback.models import Submission
from feedback.services.intake import submitting
from tests.browsing import submission_form
from tests.factories import make_town_hall, today
from tests.stored import submissions


@contextmanager
def transactions_begun(app):
    """The connections that began a transaction on the app's engine while the block ran."""
    begins = []
    engine = app.extensions["feedback_engine"]

    def count(connection):
        begins.append(connection)

    sa.event.listen(engine, "begin", count)
    try:
        yield begins
    finally:
        sa.event.remove(engine, "begin", count)


def test_a_database_failure_keeps_the_text_and_logs_none_of_it(client, db_session, caplog):
    caplog.set_level(logging.DEBUG)
    hall = make_town_hall(db_session)
    tokens = submission_form(client, hall.slug)
    db_session.execute(sa.text("ALTER TABLE submission RENAME TO submission_gone"))
    db_session.commit()
    response = client.post(f"/t/{hall.slug}", data={"comment": "Dr Hallworth said it again", **tokens,
                                                    "identity_choice": "named", "name": "Kai Tanaka"})
    page = response.get_data(as_text=True)
    assert response.status_code == 503
    assert "nothing was stored" in page and "Dr Hallworth said it again</textarea>" in page
    assert "Hallworth" not in caplog.text and "Kai Tanaka" not in caplog.text


def test_when_the_whole_database_is_down_the_form_still_comes_back_with_the_text(client, db_session):
    hall = make_town_hall(db_session)
    tokens = submission_form(client, hall.slug)
    for table in ("submission", "town_hall"):
        db_session.execute(sa.text(f"ALTER TABLE {table} RENAME TO {table}_gone"))
    db_session.commit()
    response = client.post(f"/t/{hall.slug}", data={"comment": "Still mine", **tokens, "identity_choice": "anonymous"})
    page = response.get_data(as_text=True)
    assert response.status_code == 503
    assert "nothing was stored" in page and "Still mine</textarea>" in page
    assert "<h1>Send your concern</h1>" in page and ">Send</button>" in page
    assert f'action="/t/{hall.slug}"' in page


def test_a_post_to_a_town_hall_archived_after_the_form_was_opened_is_not_found(client, db_session):
    hall = make_town_hall(db_session)
    tokens = submission_form(client, hall.slug)
    hall.status = "archived"
    db_session.commit()
    response = client.post(f"/t/{hall.slug}", data={"comment": "Too late", **tokens, "identity_choice": "anonymous"})
    assert response.status_code == 404
    assert submissions(db_session) == []


def test_a_submission_is_one_write_transaction_with_no_read_before_it(app, client, db_session):
    """On SQLite a read first would mean a second BEGIN and a lock taken later; one transaction does it all."""
    hall = make_town_hall(db_session)
    tokens = submission_form(client, hall.slug)
    with transactions_begun(app) as begins:
        response = client.post(f"/t/{hall.slug}", data={"comment": "Once", **tokens, "identity_choice": "anonymous"})
    assert response.status_code == 200 and "Once" == submissions(db_session)[0].body
    assert len(begins) == 1


def test_a_retry_whose_look_up_fails_leaves_no_transaction_open(db_session, ring, monkeypatch):
    """On PostgreSQL an open transaction after an error is an aborted one: every later read would fail."""
    hall = make_town_hall(db_session)
    token = crypto.new_form_token()
    new = submitting.NewSubmission(body="Twice")
    submitting.submit(db_session, ring, hall.slug, token, new, today())

    def broken(*_args):
        raise sa.exc.OperationalError("SELECT", {}, Exception("connection lost"))

    monkeypatch.setattr(submitting, "_existing", broken)
    with pytest.raises(submitting.IntakeUnavailable) as raised:
        submitting.submit(db_session, ring, hall.slug, token, new, today())
    assert raised.value.__context__ is None or raised.value.__suppress_context__  # no database error attached
    assert not db_session.in_transaction()
    assert db_session.scalar(sa.select(sa.func.count()).select_from(Submission)) == 1


def test_an_address_we_could_not_have_made_is_not_found_without_touching_the_database(app, client, db_session):
    hall = make_town_hall(db_session)
    tokens = submission_form(client, hall.slug)
    with transactions_begun(app) as begins:
        response = client.post("/t/Not_A_Slug", data={"comment": "Lost?", **tokens, "identity_choice": "anonymous"})
    assert response.status_code == 404
    assert begins == []
