"""0017: town halls, themes and actions get a versions column (content in other languages), {} for each row."""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa

from tests.migrations import samples
from tests.migrations.rows import assert_kept, downgrade, insert, upgraded_holding
from tests.migrations.versions.test_0009_action_plan import ACTION

TABLES = ("town_hall", "theme", "action")


@pytest.fixture
def upgraded(engine):
    """A database at 0016 holding AT_0007's rows and an action, upgraded to 0017."""
    return upgraded_holding(engine, "0016", "0017", samples.AT_0007, {"action": [ACTION]})


def versions(connection: sa.Connection, table: str) -> list:
    rows = connection.execute(sa.text(f"SELECT versions FROM {table}")).scalars()  # noqa: S608 - our names
    return [json.loads(value) if isinstance(value, str) else value for value in rows]


def columns(engine: sa.Engine, table: str) -> set[str]:
    return {column["name"] for column in sa.inspect(engine).get_columns(table)}


def test_upgrade_keeps_every_row_and_gives_each_an_empty_set_of_versions(upgraded):
    with upgraded.connect() as connection:
        assert_kept(connection, samples.AT_0007)
        assert_kept(connection, {"action": [ACTION]})
        for table in TABLES:
            assert versions(connection, table) == [{}] * len(versions(connection, table)), table
        assert len(versions(connection, "town_hall")) == 2


def test_a_row_stored_by_code_from_before_gets_no_versions_and_a_spanish_version_is_kept(upgraded):
    """Code from before 0017, still running during a rolling deploy, does not know the column."""
    older = samples.AT_0001["town_hall"][0] | {"id": 3, "slug": "older", "prompt": ""}
    with upgraded.begin() as connection:
        insert(connection, {"town_hall": [older]})
        connection.execute(sa.text("UPDATE theme SET versions = :v WHERE id = 1"),
                           {"v": json.dumps({"es": {"name": "Pertenencia"}})})
    with upgraded.connect() as connection:
        halls = versions(connection, "town_hall")
        themes = versions(connection, "theme")
    assert halls == [{}, {}, {}]
    assert {"es": {"name": "Pertenencia"}} in themes


def test_downgrade_to_0016_drops_the_columns_and_keeps_every_row(upgraded):
    downgrade(upgraded, "0016")
    for table in TABLES:
        assert "versions" not in columns(upgraded, table)
    with upgraded.connect() as connection:
        assert_kept(connection, samples.AT_0007)
        assert_kept(connection, {"action": [ACTION]})
