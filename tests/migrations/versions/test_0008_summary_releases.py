"""0008: summary releases (a town hall's noisy counts, its quotes, the epsilon each spent); nothing else changes."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from tests.migrations import samples
from tests.migrations.rows import Rows, assert_kept, downgrade, insert, stored, tables, upgraded_holding

# A release of town hall 1 as 0008 stores it: status, affiliation, theme and group cells, and one quote.
ADDED_IN_0008: Rows = {
    "summary_release": [
        {"id": 1, "town_hall_id": 1, "number": 1, "released_on": date(2025, 4, 1), "epsilon": 14 / 3,
         "scale": 1.5, "theme_cap": 3},
    ],
    "released_count": [
        {"release_id": 1, "kind": "status", "key": "received", "value": 5},
        {"release_id": 1, "kind": "status", "key": "published", "value": -1},  # noise is never clipped in storage
        {"release_id": 1, "kind": "affiliation", "key": "Not given", "value": 2},
        {"release_id": 1, "kind": "theme", "key": "1", "value": 6},
        {"release_id": 1, "kind": "group", "key": str(samples.PUBLISHED), "value": 2},
    ],
    "released_quote": [{"release_id": 1, "theme_id": 1, "submission_id": samples.PUBLISHED, "position": 0}],
}
AT_0008: Rows = {**samples.AT_0007, **ADDED_IN_0008}
SUBMISSION = sa.table("submission", sa.column("id", sa.Uuid()))
TOWN_HALL = sa.table("town_hall", sa.column("id"))


@pytest.fixture
def upgraded(engine):
    """A database holding AT_0007's rows, then upgraded to 0008."""
    return upgraded_holding(engine, "0007", "0008", samples.AT_0007)


def count(connection: sa.Connection, table: str) -> int:
    return connection.execute(sa.select(sa.func.count()).select_from(sa.table(table))).scalar_one()


def test_upgrade_keeps_every_row_and_adds_three_empty_release_tables(upgraded):
    assert tables(upgraded) == set(samples.AT_0007) | set(ADDED_IN_0008)
    with upgraded.connect() as connection:
        assert_kept(connection, samples.AT_0007)
        assert {table: count(connection, table) for table in ADDED_IN_0008} == dict.fromkeys(ADDED_IN_0008, 0)


def test_a_release_of_a_town_hall_from_before_can_be_stored_and_read_back(upgraded):
    with upgraded.begin() as connection:
        insert(connection, ADDED_IN_0008)

    with upgraded.connect() as connection:
        assert_kept(connection, AT_0008)


def test_a_release_is_one_per_number_and_town_hall(upgraded):
    with upgraded.begin() as connection:
        insert(connection, ADDED_IN_0008)
    with pytest.raises(sa.exc.IntegrityError), upgraded.begin() as connection:
        insert(connection, {"summary_release": [ADDED_IN_0008["summary_release"][0] | {"id": 2}]})


def test_a_withdrawal_takes_its_quotes_and_a_deleted_town_hall_its_releases(upgraded):
    with upgraded.begin() as connection:
        insert(connection, ADDED_IN_0008)

    with upgraded.begin() as connection:
        connection.execute(sa.delete(SUBMISSION).where(SUBMISSION.c.id == samples.PUBLISHED))
    with upgraded.connect() as connection:
        assert stored(connection, "released_quote", ADDED_IN_0008["released_quote"]) == []
        assert count(connection, "released_count") == len(ADDED_IN_0008["released_count"])
    with upgraded.begin() as connection:
        connection.execute(sa.delete(SUBMISSION))
        connection.execute(sa.delete(TOWN_HALL).where(TOWN_HALL.c.id == 1))
    with upgraded.connect() as connection:
        assert (count(connection, "summary_release"), count(connection, "released_count")) == (0, 0)


def test_downgrade_to_0007_drops_the_release_tables_and_keeps_every_row(upgraded):
    with upgraded.begin() as connection:
        insert(connection, ADDED_IN_0008)

    downgrade(upgraded, "0007")

    assert tables(upgraded) == set(samples.AT_0007)
    with upgraded.connect() as connection:
        assert_kept(connection, samples.AT_0007)
