"""0002: staff accounts and sessions, replies, reveal requests, settings and the audit log, beside 0001's data."""

from __future__ import annotations

import sqlalchemy as sa

from feedback.db import upgrade_schema
from tests.migrations import samples
from tests.migrations.rows import assert_kept, downgrade, insert, tables, upgraded_holding


def test_upgrade_keeps_submissions_and_identities_and_adds_empty_staff_tables(engine):
    upgraded_holding(engine, "0001", "0002", samples.AT_0001)

    assert tables(engine) == set(samples.AT_0002)
    with engine.connect() as connection:
        assert_kept(connection, samples.AT_0001)
        for table in samples.ADDED_IN_0002:
            assert connection.execute(sa.select(sa.func.count()).select_from(sa.table(table))).scalar() == 0, table


def test_replies_and_reveal_requests_can_refer_to_submissions_from_before(engine):
    upgraded_holding(engine, "0001", "0002", samples.AT_0001)

    with engine.begin() as connection:
        insert(connection, samples.ADDED_IN_0002)
    with engine.connect() as connection:
        assert_kept(connection, samples.AT_0002)


def test_downgrade_to_0001_drops_the_staff_tables_and_keeps_submissions_and_identities(engine):
    upgrade_schema(engine, "0002")
    with engine.begin() as connection:
        insert(connection, samples.AT_0002)

    downgrade(engine, "0001")

    assert tables(engine) == set(samples.AT_0001)
    with engine.connect() as connection:
        assert_kept(connection, samples.AT_0001)
