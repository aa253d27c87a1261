"""0011: the similarity index's buckets, keyed by bucket and without a rowid; every row from before is kept."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from tests.migrations import samples
from tests.migrations.rows import assert_kept, downgrade, insert, stored, tables, upgraded_holding

BUCKET = {"town_hall_id": 1, "band": 3, "bucket": -(2**62), "submission_id": samples.PUBLISHED}


@pytest.fixture
def upgraded(engine):
    return upgraded_holding(engine, "0010", "0011", samples.AT_0007)


def test_upgrade_keeps_every_row_and_stores_a_bucket(upgraded):
    with upgraded.begin() as connection:
        assert_kept(connection, samples.AT_0007)
        insert(connection, {"similarity_bucket": [BUCKET]})
    with upgraded.connect() as connection:
        assert stored(connection, "similarity_bucket", [BUCKET]) == [BUCKET]


def test_a_withdrawn_submission_takes_its_buckets_along(upgraded):
    submission = sa.table("submission", sa.column("id", sa.Uuid))
    with upgraded.begin() as connection:
        insert(connection, {"similarity_bucket": [BUCKET]})
    with upgraded.begin() as connection:
        connection.execute(sa.delete(submission).where(submission.c.id == samples.PUBLISHED))
    with upgraded.connect() as connection:
        assert stored(connection, "similarity_bucket", [BUCKET]) == []


def test_downgrade_to_0010_drops_the_buckets_and_keeps_every_row(upgraded):
    downgrade(upgraded, "0010")
    assert "similarity_bucket" not in tables(upgraded)
    with upgraded.connect() as connection:
        assert_kept(connection, samples.AT_0007)
