"""0001: the initial schema (town halls, submissions, sealed identities), created in an empty database."""

from __future__ import annotations

from feedback.db import upgrade_schema
from tests.migrations import samples
from tests.migrations.rows import assert_kept, downgrade, insert, tables


def test_upgrade_creates_town_halls_submissions_and_identities_that_take_rows(engine):
    upgrade_schema(engine, "0001")

    assert tables(engine) == {"town_hall", "submission", "identity"}
    with engine.begin() as connection:
        insert(connection, samples.AT_0001)
    with engine.connect() as connection:
        assert_kept(connection, samples.AT_0001)


def test_downgrade_to_base_leaves_no_table(engine):
    upgrade_schema(engine, "0001")
    with engine.begin() as connection:
        insert(connection, samples.AT_0001)

    downgrade(engine, "base")

    assert tables(engine) == set()
