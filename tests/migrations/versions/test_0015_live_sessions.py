"""0015: live sessions, their questions and "me too" votes; every row from before is kept."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from tests.migrations import samples
from tests.migrations.rows import assert_kept, downgrade, insert, stored, tables, upgraded_holding

LIVE = {"id": 1, "town_hall_id": 1, "code": "K7QF2M", "state": "running", "version": 0, "presenter_token_hash": None}
QUESTION = {"submission_id": samples.PUBLISHED, "live_session_id": 1}
VOTE = {"submission_id": samples.PUBLISHED, "voter_key": b"k" * 32}


@pytest.fixture
def upgraded(engine):
    return upgraded_holding(engine, "0014", "0015", samples.AT_0007)


def test_upgrade_keeps_every_row_and_stores_a_session_a_question_and_a_vote(upgraded):
    with upgraded.begin() as connection:
        assert_kept(connection, samples.AT_0007)
        insert(connection, {"live_session": [LIVE], "live_question": [{**QUESTION, "state": "pending"}],
                            "live_vote": [VOTE]})
    with upgraded.connect() as connection:
        assert stored(connection, "live_vote", [VOTE]) == [VOTE]
        # The defaults a row written by older code (or by hand) gets from the database itself.
        row = connection.execute(sa.text("SELECT presenter_note, flagged FROM live_question")).one()
        assert row.presenter_note == "" and not row.flagged
        assert not connection.execute(sa.text("SELECT held FROM live_vote")).scalar_one()  # a vote counts


def test_downgrade_to_0014_drops_the_live_tables_and_keeps_every_row(upgraded):
    downgrade(upgraded, "0014")
    assert not {"live_session", "live_question", "live_vote"} & tables(upgraded)
    with upgraded.connect() as connection:
        assert_kept(connection, samples.AT_0007)
