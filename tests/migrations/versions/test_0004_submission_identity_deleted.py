"""0004: submission.identity_deleted, added to a table that rows in seven others refer to."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from feedback.db import upgrade_schema
from tests.migrations import samples
from tests.migrations.rows import assert_kept, downgrade, insert, stored, upgraded_holding


@pytest.fixture
def upgraded(engine):
    """A database holding AT_0003's rows, then upgraded to 0004."""
    return upgraded_holding(engine, "0003", "0004", samples.AT_0003)


def identity_deleted(connection: sa.Connection) -> dict:
    return {row["id"]: row["identity_deleted"]
            for row in stored(connection, "submission", [{"id": samples.NAMED, "identity_deleted": False}])}


def test_upgrade_keeps_every_row_of_every_table(upgraded):
    """SQLite adds the column by rebuilding submission: identities, replies and taggings must outlive that."""
    with upgraded.connect() as connection:
        assert_kept(connection, samples.AT_0003)


def test_upgrade_marks_no_existing_submission_as_having_lost_its_identity(upgraded):
    with upgraded.connect() as connection:
        assert identity_deleted(connection) == {row["id"]: False for row in samples.AT_0003["submission"]}


def test_a_submission_stored_without_the_new_column_gets_false(upgraded):
    """Code from before 0004, still running during a rolling deploy, does not know the column."""
    row = samples.AT_0001["submission"][0] | {"id": samples.REPLY, "receipt_hash": b"\x09" * 32,
                                               "form_token_hash": b"\x0a" * 32}
    with upgraded.begin() as connection:
        insert(connection, {"submission": [row]})
    with upgraded.connect() as connection:
        assert identity_deleted(connection)[samples.REPLY] is False


def test_foreign_keys_still_point_at_submission_after_the_upgrade(upgraded):
    """Deleting a submission still takes its identity with it, and an identity needs a submission."""
    with upgraded.begin() as connection:
        connection.execute(sa.delete(sa.table("submission", sa.column("id", sa.Uuid())))
                           .where(sa.column("id", sa.Uuid()) == samples.NAMED))
    with upgraded.connect() as connection:
        assert stored(connection, "identity", samples.AT_0001["identity"]) == []
        assert stored(connection, "reply", samples.AT_0002["reply"]) == []
    orphan = samples.AT_0001["identity"][0] | {"submission_id": samples.NAMED}
    with pytest.raises(sa.exc.IntegrityError), upgraded.begin() as connection:
        insert(connection, {"identity": [orphan]})


def test_downgrade_to_0003_drops_the_column_and_keeps_every_row(engine):
    upgrade_schema(engine, "0004")
    with engine.begin() as connection:
        insert(connection, samples.AT_0004)

    downgrade(engine, "0003")

    assert "identity_deleted" not in {column["name"] for column in sa.inspect(engine).get_columns("submission")}
    submissions = [{k: v for k, v in row.items() if k != "identity_deleted"} for row in samples.AT_0004["submission"]]
    with engine.connect() as connection:
        assert_kept(connection, {**samples.AT_0003, "submission": submissions})
