"""0016: a submission's language (English for every one from before) and a staff member's (none chosen yet)."""

from __future__ import annotations

import uuid

import pytest
import sqlalchemy as sa

from tests.migrations import samples
from tests.migrations.rows import assert_kept, downgrade, insert, upgraded_holding

SPANISH = uuid.UUID("9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d")


@pytest.fixture
def upgraded(engine):
    return upgraded_holding(engine, "0015", "0016", samples.AT_0007)


def languages(connection: sa.Connection, table: str) -> set:
    return set(connection.execute(sa.text(f"SELECT language FROM {table}")).scalars())  # noqa: S608 - our names


def columns(engine: sa.Engine, table: str) -> set[str]:
    return {column["name"] for column in sa.inspect(engine).get_columns(table)}


def test_upgrade_keeps_every_row_and_dates_every_submission_from_before_english(upgraded):
    with upgraded.connect() as connection:
        assert_kept(connection, samples.AT_0007)
        assert languages(connection, "submission") == {"en"}
        assert languages(connection, "staff_user") == {None}  # no one chose: their browser's language


def test_a_submission_stored_by_code_from_before_gets_english_and_a_spanish_one_keeps_spanish(upgraded):
    """Code from before 0016, still running during a rolling deploy, does not know the column."""
    older = samples.AT_0001["submission"][0] | {"id": samples.REPLY, "receipt_hash": b"\x09" * 32,
                                                 "form_token_hash": b"\x0a" * 32, "identity_deleted": False}
    spanish = older | {"id": SPANISH, "receipt_hash": b"\x0b" * 32, "form_token_hash": b"\x0c" * 32, "language": "es"}
    with upgraded.begin() as connection:
        insert(connection, {"submission": [older]})
        insert(connection, {"submission": [spanish]})
        connection.execute(sa.text("UPDATE staff_user SET language = 'es' WHERE id = 1"))
    with upgraded.connect() as connection:
        assert languages(connection, "submission") == {"en", "es"}
        assert languages(connection, "staff_user") == {None, "es"}


def index_names(engine: sa.Engine) -> set[str]:
    """The indexes on submission, read from the catalog: reflection leaves expression indexes out."""
    query = ("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'submission'"
             if engine.dialect.name == "sqlite" else "SELECT indexname FROM pg_indexes WHERE tablename = 'submission'")
    with engine.connect() as connection:
        return set(connection.execute(sa.text(query)).scalars())


def test_the_desk_order_index_outlives_the_upgrade_and_the_downgrade(upgraded):
    """SQLite rebuilding submission in a batch would drop this expression index without a word."""
    assert "ix_submission_desk_order" in index_names(upgraded)
    downgrade(upgraded, "0015")
    assert "ix_submission_desk_order" in index_names(upgraded)


def test_downgrade_to_0015_drops_both_columns_and_keeps_every_row(upgraded):
    downgrade(upgraded, "0015")
    assert "language" not in columns(upgraded, "submission") | columns(upgraded, "staff_user")
    with upgraded.connect() as connection:
        assert_kept(connection, samples.AT_0007)
