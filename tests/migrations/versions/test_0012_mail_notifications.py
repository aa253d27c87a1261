"""0012: staff members' mail choices and the outgoing mail queue; every row from before is kept."""

from __future__ import annotations

from datetime import datetime

import pytest

from tests.migrations import samples
from tests.migrations.rows import assert_kept, downgrade, insert, stored, tables, upgraded_holding

CHOICE = {"user_id": 1, "escalations": True, "answers": False, "reveal_requests": True, "daily_digest": True,
          "answers_told_until": None, "digest_told_for": None}
MAIL = {"id": 1, "kind": "digest", "user_id": 1, "submission_id": None, "subject": "3 new submissions",
        "body": "3 new.", "status": "queued", "attempts": 0, "send_after": datetime(2026, 12, 1, 6, 0),
        "last_error": None, "sent_at": None}


@pytest.fixture
def upgraded(engine):
    return upgraded_holding(engine, "0011", "0012", samples.AT_0007)


def test_upgrade_keeps_every_row_and_stores_choices_and_mail(upgraded):
    with upgraded.begin() as connection:
        assert_kept(connection, samples.AT_0007)
        insert(connection, {"notification_preference": [CHOICE], "outgoing_mail": [MAIL]})
    with upgraded.connect() as connection:
        assert stored(connection, "notification_preference", [CHOICE]) == [CHOICE]
        assert stored(connection, "outgoing_mail", [MAIL]) == [MAIL]


def test_downgrade_to_0011_drops_the_mail_tables_and_keeps_every_row(upgraded):
    downgrade(upgraded, "0011")
    assert not {"notification_preference", "outgoing_mail"} & tables(upgraded)
    with upgraded.connect() as connection:
        assert_kept(connection, samples.AT_0007)
