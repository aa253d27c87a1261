"""0013: bulk changes kept for undo; every row from before is kept."""

from __future__ import annotations

import uuid
from datetime import datetime

import pytest

from tests.migrations import samples
from tests.migrations.rows import assert_kept, downgrade, insert, stored, tables, upgraded_holding

CHANGE = {"id": uuid.UUID("9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d"), "user_id": 1, "town_hall_id": 1,
          "kind": "status", "made_at": datetime(2026, 12, 1, 10, 0), "undone_at": None}
ITEM = {"bulk_change_id": CHANGE["id"], "submission_id": samples.PUBLISHED, "theme_id": 0,
        "status_before": "pending", "hidden_reason_before": None}


@pytest.fixture
def upgraded(engine):
    return upgraded_holding(engine, "0012", "0013", samples.AT_0007)


def test_upgrade_keeps_every_row_and_stores_a_bulk_change(upgraded):
    with upgraded.begin() as connection:
        assert_kept(connection, samples.AT_0007)
        insert(connection, {"bulk_change": [CHANGE], "bulk_change_item": [ITEM]})
    with upgraded.connect() as connection:
        assert stored(connection, "bulk_change_item", [ITEM]) == [ITEM]


def test_downgrade_to_0012_drops_the_bulk_changes_and_keeps_every_row(upgraded):
    downgrade(upgraded, "0012")
    assert not {"bulk_change", "bulk_change_item"} & tables(upgraded)
    with upgraded.connect() as connection:
        assert_kept(connection, samples.AT_0007)
