"""The database layer: SQLite pragmas, owner-only files, and writes that take the lock up front."""

from __future__ import annotations

import os
import sqlite3
import stat
import subprocess
import sys

import pytest
import sqlalchemy as sa
from sqlalchemy import orm

from feedback import config, create_app
from feedback.config import SQLITE_FILENAME
from feedback.db import AdvisoryLock, advisory_lock, checkpoint, make_engine, migrating, upgrade_schema, writing
from feedback.models import Base
from tests.browsing import send_concern
from tests.conftest import base_config
from tests.factories import make_town_hall


@pytest.fixture
def sqlite_engine(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'pragmas.sqlite3'}")
    yield engine
    engine.dispose()


def test_sqlite_connections_get_the_durability_and_privacy_pragmas(sqlite_engine):
    with sqlite_engine.connect() as connection:
        value = lambda pragma: connection.exec_driver_sql(f"PRAGMA {pragma}").scalar()  # noqa: E731
        assert value("journal_mode") == "wal"
        assert value("synchronous") == 2  # FULL
        assert value("foreign_keys") == 1
        assert value("busy_timeout") >= 5000
        assert value("secure_delete") == 1


def test_a_write_transaction_holds_the_write_lock_from_its_first_statement(sqlite_engine, tmp_path):
    session = orm.Session(sqlite_engine)
    other = sqlite3.connect(tmp_path / "pragmas.sqlite3", timeout=0, isolation_level=None)
    try:
        with writing(session):
            session.execute(sa.text("SELECT 1"))  # a read only: a deferred BEGIN would hold no lock yet
            with pytest.raises(sqlite3.OperationalError, match="locked"):
                other.execute("BEGIN IMMEDIATE")
        other.execute("BEGIN IMMEDIATE")  # released at commit
        other.execute("ROLLBACK")
    finally:
        other.close()
        session.close()


def test_a_failed_write_is_rolled_back(sqlite_engine):
    with sqlite_engine.begin() as connection:
        connection.exec_driver_sql("CREATE TABLE t (x INTEGER)")
    session = orm.Session(sqlite_engine)
    with pytest.raises(RuntimeError), writing(session):
        session.execute(sa.text("INSERT INTO t VALUES (1)"))
        raise RuntimeError("stop")
    assert session.execute(sa.text("SELECT count(*) FROM t")).scalar() == 0
    session.close()


def test_a_failed_statement_never_shows_its_parameters(database_url):
    engine = make_engine(database_url)
    try:
        with pytest.raises(sa.exc.DBAPIError) as failure, engine.connect() as connection:
            connection.execute(sa.text("SELECT * FROM no_such_table WHERE x = :x"), {"x": "words someone typed"})
        assert "words someone typed" not in str(failure.value)
    finally:
        engine.dispose()


def test_a_checkpoint_blocked_by_a_reader_says_so_in_the_log(tmp_path, caplog):
    engine = make_engine(f"sqlite:///{tmp_path / 'busy.sqlite3'}")
    with engine.begin() as connection:
        connection.exec_driver_sql("CREATE TABLE t (x TEXT)")
        connection.exec_driver_sql("INSERT INTO t VALUES ('erased words')")
    reader = sqlite3.connect(tmp_path / "busy.sqlite3", isolation_level=None)
    reader.execute("BEGIN")
    reader.execute("SELECT * FROM t").fetchall()  # holds a snapshot: the WAL cannot be truncated
    with engine.connect() as connection:  # the pooled connection the checkpoint will use: wait briefly
        connection.exec_driver_sql("PRAGMA busy_timeout=100")
    session = orm.Session(engine)
    try:
        with caplog.at_level("WARNING"):
            assert checkpoint(session) is False
        assert "WAL checkpoint blocked" in caplog.text and "erased words" not in caplog.text
        reader.execute("COMMIT")
        assert checkpoint(session) is True
    finally:
        reader.close()
        session.close()
        engine.dispose()


@pytest.fixture
def table_engine(database_url):
    engine = make_engine(database_url)
    with engine.begin() as connection:
        connection.exec_driver_sql("CREATE TABLE t (x INTEGER)")
    yield engine
    engine.dispose()


def test_writes_made_before_writing_are_still_rolled_back_first(table_engine):
    session = orm.Session(table_engine)
    try:
        session.execute(sa.text("INSERT INTO t VALUES (7)"))  # outside writing(): not ours to commit
        with writing(session):
            session.execute(sa.text("INSERT INTO t VALUES (1)"))
        assert session.execute(sa.text("SELECT x FROM t")).scalars().all() == [1]
    finally:
        session.close()


def test_what_the_session_read_before_writing_is_read_again_inside_it(table_engine):
    metadata = sa.MetaData()
    table = sa.Table("t", metadata, sa.Column("x", sa.Integer, primary_key=True))

    class Row:
        pass

    registry = orm.registry()
    registry.map_imperatively(Row, table)
    with table_engine.begin() as connection:
        connection.exec_driver_sql("INSERT INTO t VALUES (1)")
    session = orm.Session(table_engine)
    try:
        row = session.get(Row, 1)
        with table_engine.begin() as connection:  # someone else changes it meanwhile
            connection.exec_driver_sql("UPDATE t SET x = 2 WHERE x = 1")
        with writing(session):
            assert sa.inspect(row).expired  # as after a rollback: loaded again if used
    finally:
        session.close()
        registry.dispose()


def test_the_advisory_lock_ids_are_the_numbers_running_instances_already_use():
    # Changing one would let an old and a new host take different locks for the same work during a deploy.
    assert {lock.name: lock.value for lock in AdvisoryLock} == {
        "AUDIT_CHAIN": 724201, "CODEBOOK": 724202, "RELEASES": 724203, "SCHEMA_UPGRADE": 0x7468_6655}


def test_an_advisory_lock_is_held_until_the_transaction_ends(database_url):
    engine = make_engine(database_url)
    try:
        with engine.connect() as connection, connection.begin():
            advisory_lock(connection, AdvisoryLock.CODEBOOK)  # SQLite: nothing to take, and no error
            if connection.dialect.name == "postgresql":
                with engine.connect() as other:
                    taken = other.execute(sa.text("SELECT pg_try_advisory_xact_lock(:key)"),
                                          {"key": AdvisoryLock.CODEBOOK.value}).scalar()
                    assert taken is False
    finally:
        engine.dispose()


def mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


@pytest.fixture
def usual_umask():
    """The umask most systems give (022): files come out world-readable unless the app says otherwise."""
    previous = os.umask(0o022)
    yield
    os.umask(previous)


def test_the_database_its_wal_and_shm_and_the_instance_folder_are_owner_only(tmp_path, usual_umask):
    """Issue 12, item 4: after `flask init` and a submission, only the owner can read any of them."""
    instance = tmp_path / "instance"
    instance.mkdir(mode=0o755)  # as git checks out instance/ (it holds a README)
    config.init_instance(instance)
    database = instance / SQLITE_FILENAME
    app = create_app(base_config(tmp_path, f"sqlite:///{database}"))
    engine = app.extensions["feedback_engine"]
    try:
        Base.metadata.create_all(engine)
        with app.extensions["feedback_db"]() as session:
            slug = make_town_hall(session).slug
        assert send_concern(app.test_client(), slug, "Words only I may read").status_code == 200
        files = [database, database.with_name(database.name + "-wal"), database.with_name(database.name + "-shm")]
        assert {path.name: mode(path) for path in [*files, instance]} == {
            "feedback.sqlite3": 0o600, "feedback.sqlite3-wal": 0o600, "feedback.sqlite3-shm": 0o600, "instance": 0o700}
    finally:
        engine.dispose()


def test_an_existing_database_and_its_leftover_wal_and_shm_are_narrowed_to_the_owner(tmp_path, usual_umask):
    database = tmp_path / "old.sqlite3"
    sqlite3.connect(database).close()  # made by an older version: 644
    leftovers = [tmp_path / "old.sqlite3-wal", tmp_path / "old.sqlite3-shm"]
    for path in leftovers:
        path.touch()
    assert {mode(path) for path in [database, *leftovers]} == {0o644}
    engine = make_engine(f"sqlite:///{database}")
    try:
        with engine.connect() as connection:
            connection.exec_driver_sql("CREATE TABLE t (x)")
            connection.commit()
            assert {mode(path) for path in [database, *leftovers]} == {0o600}
    finally:
        engine.dispose()


def test_a_database_in_a_folder_that_does_not_exist_fails_as_sqlite_says(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'missing' / 'x.sqlite3'}")
    with pytest.raises(sa.exc.OperationalError, match="unable to open database file"):
        engine.connect()
    assert not (tmp_path / "missing").exists()


def test_connections_have_foreign_keys_and_the_usual_wait_again_after_a_schema_upgrade(sqlite_engine):
    upgrade_schema(sqlite_engine)

    for _ in range(3):  # the pool hands back the connection the upgrade used
        with sqlite_engine.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() == 10000  # not the upgrade's 30 min


def test_an_upgrade_that_leaves_dangling_references_is_rolled_back_and_foreign_keys_come_back_on(sqlite_engine):
    upgrade_schema(sqlite_engine, "0001")

    with pytest.raises(RuntimeError, match="refer to rows that do not exist"):
        with migrating(sqlite_engine) as alembic_config:
            connection = alembic_config.attributes["connection"]
            connection.exec_driver_sql("INSERT INTO submission (id, town_hall_id, body, received_on, status, is_named,"
                                       " receipt_hash, form_token_hash) VALUES ('x', 999, 'b', '2026-01-01',"
                                       " 'pending', 0, x'00', x'01')")

    with sqlite_engine.connect() as connection:
        assert connection.exec_driver_sql("SELECT count(*) FROM submission").scalar() == 0
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


def test_a_new_connection_leaves_the_write_lock_another_connection_holds_in_place(tmp_path):
    # Closing any descriptor of a file drops every POSIX lock the process holds on it: making files private
    # must never open them, or a second connection would silently release the first one's lock.
    database = tmp_path / "locks.sqlite3"
    engine = make_engine(f"sqlite:///{database}")
    with engine.connect() as setup:
        setup.exec_driver_sql("CREATE TABLE t (x)")
        setup.commit()
    holder = engine.connect().execution_options(**{"feedback_write": True})
    holder.begin()
    holder.exec_driver_sql("INSERT INTO t VALUES (1)")
    second = engine.connect()  # a new pooled connection: runs the engine's connect hooks

    other_process = subprocess.run(
        [sys.executable, "-c", "import sqlite3, sys; c = sqlite3.connect(sys.argv[1], timeout=0, isolation_level=None);"
         " c.execute('BEGIN IMMEDIATE')", str(database)], capture_output=True, text=True)

    assert other_process.returncode != 0 and "database is locked" in other_process.stderr
    holder.rollback()
    holder.close()
    second.close()
    engine.dispose()
