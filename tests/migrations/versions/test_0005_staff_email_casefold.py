"""0005: staff emails folded with casefold(), as blind indexes always were; accounts from before still log in."""

from __future__ import annotations

import pytest
from argon2 import PasswordHasher
from sqlalchemy import orm

from feedback.db import upgrade_schema
from feedback.services.admin import accounts
from tests.migrations import samples
from tests.migrations.rows import assert_kept, downgrade, insert, stored, upgraded_holding

PASSWORD = "correct horse battery staple"
HASHER = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)  # cheap, for tests only
HASH = HASHER.hash(PASSWORD)


def _account(id: int, email: str) -> dict:
    return {"id": id, "email": email, "display_name": f"Account {id}", "role": "leader", "password_hash": HASH,
            "is_active": True}


# As 0004's code stored them: created as "Straße@Example.org", "Mass@example.org" and "Maß@example.org", lower()ed.
BEFORE = [_account(3, "straße@example.org"), _account(4, "mass@example.org"), _account(5, "maß@example.org")]


@pytest.fixture
def upgraded(engine):
    """A database holding AT_0004's rows and three more accounts, then upgraded to 0005."""
    return upgraded_holding(engine, "0004", "0005", samples.AT_0004, {"staff_user": BEFORE})


def emails(connection) -> dict[int, str]:
    return {row["id"]: row["email"] for row in stored(connection, "staff_user", [{"id": 1, "email": ""}])}


def test_upgrade_folds_only_the_emails_that_casefold_spells_otherwise_and_keeps_every_other_row(upgraded):
    with upgraded.connect() as connection:
        assert emails(connection) == {1: "admin@example.org", 2: "facilitator@example.org",
                                      3: "strasse@example.org", 4: "mass@example.org", 5: "maß@example.org"}
        assert_kept(connection, {name: rows for name, rows in samples.AT_0004.items() if name != "staff_user"})


def test_an_email_whose_folded_form_is_taken_is_kept_with_a_warning(engine, caplog):
    upgrade_schema(engine, "0004")
    with engine.begin() as connection:
        insert(connection, {"staff_user": BEFORE})
    upgrade_schema(engine, "0005")
    assert "Staff account 5 keeps its email" in caplog.text
    assert "maß" not in caplog.text  # an account is named by its id, as in the audit log


@pytest.mark.parametrize(("typed", "account"), [
    ("Straße@Example.org", 3), ("STRASSE@example.org", 3), ("  mass@EXAMPLE.org ", 4), ("Maß@example.org", 4)])
def test_accounts_created_before_log_in_with_the_email_as_they_typed_it(upgraded, typed, account):
    upgrade_schema(upgraded)  # today's code logs them in: its model of staff_user is the newest revision's
    with orm.Session(upgraded) as session:
        staff = accounts.authenticate(session, HASHER, HASH, typed, PASSWORD)
    assert staff is not None and staff.id == account


def test_downgrade_to_0004_keeps_every_row_and_the_folded_emails(upgraded):
    downgrade(upgraded, "0004")

    with upgraded.connect() as connection:
        assert emails(connection)[3] == "strasse@example.org"
        assert_kept(connection, {name: rows for name, rows in samples.AT_0004.items() if name != "staff_user"})
