"""A short fault drill (bench/fault_drill.py's core): nothing acknowledged is lost, nothing stored twice.

A few hundred submissions from concurrent clients, each retrying the same form token after a
connection error or a 5xx, while a gunicorn worker is SIGKILLed every half second; on PostgreSQL (a
private throwaway cluster, never the shared server) the database also crash-restarts twice.
"""

from __future__ import annotations

import secrets

import pytest
import sqlalchemy as sa

from tests.conftest import POSTGRES_SERVER_URL
from tests.drill import postgres_bindir, run_fault_drill

SUBMISSIONS, CLIENTS = 300, 12


def assert_nothing_lost_or_doubled(report) -> None:
    summary = "\n".join(report.lines())
    assert report.acknowledged == SUBMISSIONS, summary
    assert report.missing == 0, summary
    assert report.duplicated == 0, summary
    assert report.receipt_mismatches == 0, summary
    assert report.stored == SUBMISSIONS, summary
    assert report.worker_kills > 0, summary


def test_sqlite_loses_nothing_acknowledged_while_workers_are_killed(tmp_path):
    report = run_fault_drill(tmp_path, "sqlite", SUBMISSIONS, CLIENTS, kill_interval=0.5)
    assert_nothing_lost_or_doubled(report)
    assert report.integrity == "ok"


@pytest.fixture
def own_database():
    """An empty database of this test's own on the configured server, for machines without initdb."""
    server = sa.make_url(POSTGRES_SERVER_URL)
    name = f"thf_drill_{secrets.token_hex(4)}"
    admin = sa.create_engine(server.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    yield server.set(database=name).render_as_string(hide_password=False)
    with admin.connect() as connection:
        connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.dispose()


@pytest.mark.skipif(not POSTGRES_SERVER_URL, reason="set FEEDBACK_TEST_DATABASE_URL (.ci/run does)")
def test_postgresql_loses_nothing_acknowledged_while_workers_and_the_database_crash(tmp_path, request):
    if postgres_bindir() is not None:
        report = run_fault_drill(tmp_path, "postgresql", SUBMISSIONS, CLIENTS, kill_interval=0.5, db_restarts=2)
        assert report.db_restarts == 2, "\n".join(report.lines())
    else:  # no initdb here: the configured server (never restarted), worker kills only
        url = request.getfixturevalue("own_database")
        report = run_fault_drill(tmp_path, "postgresql", SUBMISSIONS, CLIENTS, kill_interval=0.5, database_url=url)
    assert_nothing_lost_or_doubled(report)
