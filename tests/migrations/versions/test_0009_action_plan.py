"""0009: the action plan's tables and a town hall's prompt; every row from before is kept."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from tests.migrations import samples
from tests.migrations.rows import assert_kept, downgrade, insert, stored, tables, upgraded_holding

NEW_TABLES = {"action", "action_update", "action_theme", "action_town_hall", "action_submission",
              "action_feedback", "help_answer"}
SUBMITTER_WRITTEN = ("action_submission", "action_feedback", "help_answer")
ACTION = {"id": 1, "parent_id": None, "title": "Publish the call rota a month ahead", "description": "",
          "owner": "Office of the Dean", "status": "planned", "progress_from": "status", "progress": 0,
          "target_on": None, "next_update_due": date(2027, 1, 15), "wont_do_reason": "", "published": True,
          "created_on": date(2026, 12, 1)}


@pytest.fixture
def upgraded(engine):
    """A database holding AT_0007's rows (0008 adds empty tables), then upgraded to 0009."""
    return upgraded_holding(engine, "0008", "0009", samples.AT_0007)


def test_upgrade_keeps_every_row_and_gives_each_town_hall_an_empty_prompt(upgraded):
    with upgraded.connect() as connection:
        assert_kept(connection, samples.AT_0007)
        prompts = stored(connection, "town_hall", [{"id": 1, "prompt": ""}])
    assert prompts == [{"id": hall["id"], "prompt": ""} for hall in samples.AT_0007["town_hall"]]
    assert NEW_TABLES <= tables(upgraded)


def test_an_action_with_feedback_and_links_can_be_stored_and_a_withdrawal_takes_its_rows(upgraded):
    with upgraded.begin() as connection:
        insert(connection, {"action": [ACTION],
                            "action_town_hall": [{"action_id": 1, "town_hall_id": 1}],
                            "action_feedback": [{"submission_id": samples.PUBLISHED, "action_id": 1}],
                            "action_submission": [{"action_id": 1, "submission_id": samples.PUBLISHED}]})
        connection.execute(sa.delete(sa.table("submission", sa.column("id", sa.Uuid())))
                           .where(sa.column("id", sa.Uuid()) == samples.PUBLISHED))
    with upgraded.connect() as connection:
        assert stored(connection, "action_feedback", [{"submission_id": samples.PUBLISHED, "action_id": 1}]) == []
        assert stored(connection, "action_submission", [{"action_id": 1, "submission_id": samples.PUBLISHED}]) == []
        assert stored(connection, "action", [{"id": 1}]) == [{"id": 1}]


@pytest.mark.backend("sqlite")  # WITHOUT ROWID is SQLite's
def test_tables_submitters_write_have_no_rowid_on_sqlite(upgraded):
    with upgraded.connect() as connection:
        schema = dict(connection.exec_driver_sql("SELECT name, sql FROM sqlite_master WHERE type = 'table'").all())
    assert {name: schema[name].rstrip().endswith("WITHOUT ROWID") for name in SUBMITTER_WRITTEN} == dict.fromkeys(
        SUBMITTER_WRITTEN, True)


def test_downgrade_to_0008_drops_the_plan_and_keeps_every_row(upgraded):
    downgrade(upgraded, "0008")
    assert not NEW_TABLES & tables(upgraded)
    with upgraded.connect() as connection:
        assert_kept(connection, samples.AT_0007)
