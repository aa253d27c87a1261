"""Alembic migrations build exactly the schema the models describe, on SQLite and PostgreSQL."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory

from feedback.db import MIGRATIONS, compared, make_engine, upgrade_schema
from feedback.models import Base

COMPARING = {"compare_type": True, "include_object": compared}  # as the migrations' env.py compares

ROOT = Path(__file__).resolve().parents[2]


def test_every_revision_has_a_test_module_of_its_own():
    """versions/0005_x.py comes with tests/migrations/versions/test_0005_x.py: its data from 0004, upgraded."""
    revisions = {path.stem for path in (MIGRATIONS / "versions").glob("*.py")}
    tested = {path.stem.removeprefix("test_") for path in (Path(__file__).parent / "versions").glob("test_*.py")}
    assert revisions - tested == set()


def test_upgrade_from_nothing_matches_the_models(database_url):
    engine = make_engine(database_url)
    try:
        upgrade_schema(engine)
        with engine.connect() as connection:
            diff = compare_metadata(MigrationContext.configure(connection, opts=COMPARING),
                                    Base.metadata)
        assert diff == []
    finally:
        engine.dispose()


def test_downgrade_to_base_removes_every_table(database_url):
    engine = make_engine(database_url)
    try:
        upgrade_schema(engine)
        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS))
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.downgrade(config, "base")
        assert set(sa.inspect(engine).get_table_names()) <= {"alembic_version"}
    finally:
        engine.dispose()


UPGRADE_AT = """
import sys, time
from feedback.db import make_engine, upgrade_schema
url, at = sys.argv[1], float(sys.argv[2])
engine = make_engine(url)
time.sleep(max(0.0, at - time.time()))
upgrade_schema(engine)
"""


def test_hosts_starting_at_once_upgrade_the_schema_once_and_all_start(database_url):
    """Several hosts (or arbiters) run the upgrade together: one does it, the others wait, none fails."""
    engine = make_engine(database_url)
    engine.connect().close()  # the database exists (SQLite: its file, in WAL mode), its schema does not
    at = time.time() + 4  # every process imported and connected by then, so they start together
    hosts = [subprocess.Popen([sys.executable, "-c", UPGRADE_AT, database_url, str(at)], cwd=ROOT,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True) for _ in range(4)]
    outputs = [host.communicate(timeout=120)[0] for host in hosts]
    assert [host.returncode for host in hosts] == [0] * len(hosts), outputs
    try:
        with engine.connect() as connection:
            head = ScriptDirectory(str(MIGRATIONS)).get_current_head()
            assert connection.exec_driver_sql("SELECT version_num FROM alembic_version").scalars().all() == [head]
            diff = compare_metadata(MigrationContext.configure(connection, opts=COMPARING),
                                    Base.metadata)
        assert diff == []
    finally:
        engine.dispose()
