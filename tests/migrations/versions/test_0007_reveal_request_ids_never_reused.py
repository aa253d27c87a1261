"""0007: reveal_request rebuilt with AUTOINCREMENT on SQLite, so no request id is ever given twice."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from feedback.db import make_engine
from feedback.models import Base
from tests.migrations import samples
from tests.migrations.rows import assert_kept, downgrade, upgraded_holding

REQUEST = {"submission_id": samples.NAMED, "requested_by": 2, "reason": "Safeguarding: a second request.",
           "status": "used", "decided_by": None}
SUBMISSION = sa.table("submission", sa.column("id", sa.Uuid()))
REVEAL_REQUEST = sa.table("reveal_request", sa.column("id"), sa.column("submission_id", sa.Uuid()),
                          sa.column("requested_by"), sa.column("reason"), sa.column("status"),
                          sa.column("decided_by"))


@pytest.fixture
def upgraded(engine):
    """A database holding AT_0006's rows, then upgraded to 0007."""
    return upgraded_holding(engine, "0006", "0007", samples.AT_0006)


def next_id_after_a_withdrawal(engine: sa.Engine) -> int:
    """Request 1 (the sample's) and 2 for NAMED; NAMED is withdrawn (deleting both); the next request's id."""
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":  # the sample's request 1 was inserted with its id: as if numbered
            connection.exec_driver_sql("SELECT setval(pg_get_serial_sequence('reveal_request', 'id'), 1)")
        connection.execute(sa.insert(REVEAL_REQUEST), [REQUEST])
    with engine.begin() as connection:
        connection.execute(sa.delete(SUBMISSION).where(SUBMISSION.c.id == samples.NAMED))
    with engine.begin() as connection:
        return connection.execute(sa.insert(REVEAL_REQUEST).returning(REVEAL_REQUEST.c.id),
                                  [REQUEST | {"submission_id": samples.PUBLISHED}]).scalar_one()


def test_upgrade_keeps_every_row_of_every_table(upgraded):
    with upgraded.connect() as connection:
        assert_kept(connection, samples.AT_0006)


def test_an_id_freed_by_a_withdrawal_is_never_given_again(upgraded):
    """Two audit events naming one request id for two submissions would bracket the withdrawal in time."""
    assert next_id_after_a_withdrawal(upgraded) == 3


@pytest.mark.backend("sqlite")  # AUTOINCREMENT is SQLite's; PostgreSQL's sequences never go back
def test_the_models_build_the_table_as_the_migrations_do(upgraded, tmp_path):
    """Tests build their schema with create_all: it must number requests as a migrated database does."""
    built = make_engine(f"sqlite:///{tmp_path / 'built.sqlite3'}")
    Base.metadata.create_all(built)
    try:
        for engine in (built, upgraded):
            with engine.connect() as connection:
                schema = connection.exec_driver_sql(
                    "SELECT sql FROM sqlite_master WHERE name = 'reveal_request'").scalar_one()
            assert "PRIMARY KEY AUTOINCREMENT" in schema
    finally:
        built.dispose()


def test_downgrade_to_0006_keeps_every_row(upgraded):
    downgrade(upgraded, "0006")

    with upgraded.connect() as connection:
        assert_kept(connection, samples.AT_0006)
        if upgraded.dialect.name == "sqlite":
            schema = connection.exec_driver_sql("SELECT sql FROM sqlite_master WHERE name = 'reveal_request'")
            assert "AUTOINCREMENT" not in schema.scalar_one()
    assert next_id_after_a_withdrawal(upgraded) == (1 if upgraded.dialect.name == "sqlite" else 3)
