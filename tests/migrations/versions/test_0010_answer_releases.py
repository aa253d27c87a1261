"""0010: answer releases (noisy counts of "did this help?"); every row from before is kept."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from tests.migrations import samples
from tests.migrations.rows import assert_kept, downgrade, insert, stored, tables, upgraded_holding

ACTION = {"id": 1, "parent_id": None, "title": "Publish the call rota a month ahead", "description": "",
          "owner": "Office of the Dean", "status": "done", "progress_from": "status", "progress": 100,
          "target_on": None, "next_update_due": None, "wont_do_reason": "", "published": True,
          "created_on": date(2026, 12, 1)}
RELEASE = {"id": 1, "number": 1, "released_on": date(2026, 12, 1), "epsilon": 0.5, "scale": 2.0}


@pytest.fixture
def upgraded(engine):
    """A database holding AT_0007's rows and an action, then upgraded to 0010."""
    return upgraded_holding(engine, "0009", "0010", samples.AT_0007, {"action": [ACTION]})


def test_upgrade_keeps_every_row_and_stores_a_release_of_answers(upgraded):
    with upgraded.begin() as connection:
        assert_kept(connection, {**samples.AT_0007, "action": [ACTION]})
        insert(connection, {"answer_release": [RELEASE],
                            "released_answer": [{"release_id": 1, "action_id": 1, "answer": "helped", "value": 7}]})
    with upgraded.connect() as connection:
        assert stored(connection, "released_answer", [{"action_id": 1, "answer": "", "value": 0}]) == [
            {"action_id": 1, "answer": "helped", "value": 7}]


def test_one_release_per_number(upgraded):
    with upgraded.begin() as connection:
        insert(connection, {"answer_release": [RELEASE]})
    with pytest.raises(sa.exc.IntegrityError), upgraded.begin() as connection:
        insert(connection, {"answer_release": [RELEASE | {"id": 2}]})


def test_downgrade_to_0009_drops_the_answer_releases_and_keeps_every_row(upgraded):
    downgrade(upgraded, "0009")
    assert not {"answer_release", "released_answer"} & tables(upgraded)
    with upgraded.connect() as connection:
        assert_kept(connection, {**samples.AT_0007, "action": [ACTION]})
