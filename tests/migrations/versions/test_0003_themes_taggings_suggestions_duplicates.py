"""0003: the theme codebook, taggings, suggestion decisions, near-duplicate links and the summary's index."""

from __future__ import annotations

import sqlalchemy as sa

from feedback.db import upgrade_schema
from tests.migrations import samples
from tests.migrations.rows import assert_kept, downgrade, insert, tables, upgraded_holding


def indexes(engine: sa.Engine, table: str) -> set[str | None]:
    return {index["name"] for index in sa.inspect(engine).get_indexes(table)}


def test_upgrade_keeps_every_row_and_adds_empty_theme_tables(engine):
    upgraded_holding(engine, "0002", "0003", samples.AT_0002)

    assert tables(engine) == set(samples.AT_0003)
    assert "ix_submission_hall_status" in indexes(engine, "submission")
    with engine.connect() as connection:
        assert_kept(connection, samples.AT_0002)
        for table in samples.ADDED_IN_0003:
            assert connection.execute(sa.select(sa.func.count()).select_from(sa.table(table))).scalar() == 0, table


def test_submissions_from_before_can_be_tagged_and_linked_as_near_duplicates(engine):
    upgraded_holding(engine, "0002", "0003", samples.AT_0002)

    with engine.begin() as connection:
        insert(connection, samples.ADDED_IN_0003)
    with engine.connect() as connection:
        assert_kept(connection, samples.AT_0003)


def test_downgrade_to_0002_drops_the_theme_tables_and_the_index_and_keeps_the_rest(engine):
    upgrade_schema(engine, "0003")
    with engine.begin() as connection:
        insert(connection, samples.AT_0003)

    downgrade(engine, "0002")

    assert tables(engine) == set(samples.AT_0002)
    assert "ix_submission_hall_status" not in indexes(engine, "submission")
    with engine.connect() as connection:
        assert_kept(connection, samples.AT_0002)
