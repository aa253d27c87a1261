"""0014: the desk's indexes (its order, its affiliations); every row from before is kept."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from tests.migrations import samples
from tests.migrations.rows import assert_kept, downgrade, upgraded_holding


@pytest.fixture
def upgraded(engine):
    return upgraded_holding(engine, "0013", "0014", samples.AT_0007)


def indexes(engine: sa.Engine) -> set[str]:
    """The submission table's indexes, expression indexes too (SQLAlchemy's inspector skips those on SQLite)."""
    query = ("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'submission'"
             if engine.dialect.name == "sqlite" else
             # This schema's only: another schema in the database (a benchmark's) may hold a submission table too.
             "SELECT indexname FROM pg_indexes WHERE tablename = 'submission' AND schemaname = current_schema()")
    with engine.connect() as connection:
        return set(connection.scalars(sa.text(query)))


def test_upgrade_keeps_every_row_and_adds_the_desk_order_index(upgraded):
    assert {"ix_submission_desk_order", "ix_submission_hall_affiliation"} <= indexes(upgraded)
    with upgraded.connect() as connection:
        assert_kept(connection, samples.AT_0007)


def test_downgrade_to_0013_drops_the_index_and_keeps_every_row(upgraded):
    downgrade(upgraded, "0013")
    assert not {"ix_submission_desk_order", "ix_submission_hall_affiliation"} & indexes(upgraded)
    with upgraded.connect() as connection:
        assert_kept(connection, samples.AT_0007)
