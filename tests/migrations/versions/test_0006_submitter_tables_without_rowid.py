"""0006: submission, identity and reply rebuilt WITHOUT ROWID on SQLite; nothing changes on PostgreSQL."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from feedback.db import make_engine
from feedback.models import Base
from tests.migrations import samples
from tests.migrations.rows import assert_kept, downgrade, insert, stored, upgraded_holding

TABLES = ("submission", "identity", "reply")


@pytest.fixture
def upgraded(engine):
    """A database holding AT_0005's rows, then upgraded to 0006."""
    return upgraded_holding(engine, "0005", "0006", samples.AT_0005)


def without_rowid(engine: sa.Engine) -> dict[str, bool]:
    """Which of TABLES SQLite stores WITHOUT ROWID, as its schema says."""
    with engine.connect() as connection:
        schema = dict(connection.exec_driver_sql("SELECT name, sql FROM sqlite_master WHERE type = 'table'").all())
    return {table: schema[table].rstrip().endswith("WITHOUT ROWID") for table in TABLES}


def test_upgrade_keeps_every_row_of_every_table(upgraded):
    with upgraded.connect() as connection:
        assert_kept(connection, samples.AT_0005)


@pytest.mark.backend("sqlite")  # PostgreSQL has no rowid
def test_upgrade_leaves_no_rowid_to_read_on_sqlite(upgraded):
    assert without_rowid(upgraded) == dict.fromkeys(TABLES, True)
    for table in TABLES:
        with pytest.raises(sa.exc.OperationalError, match="no such column: rowid"), upgraded.connect() as connection:
            connection.exec_driver_sql(f"SELECT rowid FROM {table}")


@pytest.mark.backend("sqlite")  # WITHOUT ROWID is SQLite's
def test_the_models_build_the_tables_as_the_migrations_do(upgraded, tmp_path):
    """Tests build their schema with create_all: it must store these tables as a migrated database does."""
    built = make_engine(f"sqlite:///{tmp_path / 'built.sqlite3'}")
    Base.metadata.create_all(built)
    try:
        assert without_rowid(built) == without_rowid(upgraded)
    finally:
        built.dispose()


def test_foreign_keys_still_point_at_submission_after_the_upgrade(upgraded):
    """Deleting a submission still takes its identity and replies with it, and an identity needs a submission."""
    with upgraded.begin() as connection:
        connection.execute(sa.delete(sa.table("submission", sa.column("id", sa.Uuid())))
                           .where(sa.column("id", sa.Uuid()) == samples.NAMED))
    with upgraded.connect() as connection:
        assert stored(connection, "identity", samples.AT_0001["identity"]) == []
        assert stored(connection, "reply", samples.AT_0002["reply"]) == []
        assert stored(connection, "reveal_request", samples.AT_0002["reveal_request"]) == []
        assert len(stored(connection, "submission", samples.AT_0005["submission"])) == 4
    orphan = samples.AT_0001["identity"][0] | {"submission_id": samples.NAMED}
    with pytest.raises(sa.exc.IntegrityError), upgraded.begin() as connection:
        insert(connection, {"identity": [orphan]})


def test_downgrade_to_0005_gives_the_rowids_back_and_keeps_every_row(upgraded):
    downgrade(upgraded, "0005")

    if upgraded.dialect.name == "sqlite":
        assert without_rowid(upgraded) == dict.fromkeys(TABLES, False)
    with upgraded.connect() as connection:
        assert_kept(connection, samples.AT_0005)
