"""Engine and session per app, SQLite pragmas, get_db(), the write transaction and the advisory-lock registry."""

from __future__ import annotations

import enum
import logging
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.script import Script, ScriptDirectory
from flask import Flask, current_app, g
from sqlalchemy import event, orm

from feedback import files

SQLITE_BUSY_TIMEOUT = "PRAGMA busy_timeout=10000"
SQLITE_FOREIGN_KEYS = "PRAGMA foreign_keys=ON"
SQLITE_PRAGMAS = (
    "PRAGMA journal_mode=WAL",
    "PRAGMA synchronous=FULL",
    SQLITE_FOREIGN_KEYS,
    SQLITE_BUSY_TIMEOUT,
    "PRAGMA secure_delete=ON",
)
_WRITE = "feedback_write"
MIGRATIONS = Path(__file__).parent / "migrations"
AUDIT_KEY = "audit_key"


def sqlite_file(url: str) -> Path | None:
    """The file a SQLite URL names (None for an in-memory or URI-style database)."""
    database = sa.engine.make_url(url).database
    if not database or database == ":memory:" or database.startswith("file:"):
        return None
    return Path(database)


def make_engine(url: str) -> sa.Engine:
    """Create an engine; on SQLite set the pragmas and take the write lock up front for writes.

    The SQLite file is made owner-only (0600) before SQLite opens it, and so are its -wal and -shm, which
    SQLite creates with the database file's mode; left over from an older run, they are narrowed too.
    """
    if not url.startswith("sqlite"):
        return sa.create_engine(url, pool_pre_ping=True, hide_parameters=True)
    # hide_parameters: a failed statement must never write what a person typed into a log.
    engine = sa.create_engine(url, connect_args={"timeout": 10}, hide_parameters=True)
    path = sqlite_file(url)

    @event.listens_for(engine, "do_connect")
    def _before_connect(_dialect, _record, _args, _params) -> None:
        if path is not None:
            files.keep_private(path, create=True)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record) -> None:
        # Let SQLAlchemy emit BEGIN itself (below) instead of pysqlite's implicit one.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        for pragma in SQLITE_PRAGMAS:
            cursor.execute(pragma)
        cursor.close()
        if path is not None:
            for companion in ("-wal", "-shm"):
                files.keep_private(path.with_name(path.name + companion))

    @event.listens_for(engine, "begin")
    def _on_begin(connection: sa.Connection) -> None:
        immediate = connection.get_execution_options().get(_WRITE)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine


@contextmanager
def writing(session: orm.Session) -> Iterator[orm.Session]:
    """Run a write transaction: commit on success, roll back on error.

    Any read transaction is ended first, so that on SQLite the write starts with BEGIN IMMEDIATE and
    never has to upgrade a stale read snapshot (which fails instead of waiting).
    """
    session.rollback()
    session.connection(execution_options={_WRITE: True})
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise


class AdvisoryLock(enum.IntEnum):
    """The PostgreSQL advisory locks, by what each serialises: one registry, so no two share a number."""

    AUDIT_CHAIN = 724201  # appends to the audit chain: two writers never chain to the same event
    CODEBOOK = 724202  # codebook changes: name and two-level checks cannot race
    RELEASES = 724203  # summary releases: two facilitators never both spend a town hall's last budget
    SCHEMA_UPGRADE = 0x7468_6655  # schema upgrades: one host at a time


def advisory_lock(executor: orm.Session | sa.Connection, lock: AdvisoryLock) -> None:
    """Hold the lock until the transaction ends, on PostgreSQL; elsewhere nothing.

    SQLite needs none: a write transaction (BEGIN IMMEDIATE) already holds the database's one write lock.
    """
    dialect = executor.get_bind().dialect if isinstance(executor, orm.Session) else executor.dialect
    if dialect.name == "postgresql":  # waits without a limit
        executor.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": int(lock)})


def checkpoint(session: orm.Session) -> bool:
    """On SQLite, fold the WAL into the main file and truncate it, so erased text does not linger.

    Runs outside any transaction (a checkpoint cannot pass an open read snapshot). Returns False when
    another reader kept it from completing; True otherwise, and always on other databases.
    """
    engine = session.get_bind()
    if engine.dialect.name != "sqlite":
        return True
    assert isinstance(engine, sa.Engine)  # init_app binds sessions to the engine, never to one connection
    session.rollback()  # end our own read snapshot, if any
    raw = engine.raw_connection()  # autocommit: the connect hook set isolation_level to None
    try:
        cursor = raw.cursor()
        # SQLite's busy handler already waits (busy_timeout) for readers to finish.
        busy, _frames, _copied = cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        cursor.close()
    finally:
        raw.close()
    if busy:
        # Never says what was erased; the next checkpoint (any later erasure, or SQLite's own) finishes it.
        # In a submitter's request (a withdrawal) the line waits for the hourly report (feedback/logs.py).
        logging.getLogger(__name__).warning("WAL checkpoint blocked by a reader; erased rows may stay in -wal "
                                            "until the next checkpoint",
                                            extra={"summary": "WAL checkpoint blocked by a reader"})
    return busy == 0


def vacuum(session: orm.Session, wait: float = 10.0) -> bool:
    """On SQLite, rebuild the file (every table and index in key order) and truncate the WAL; elsewhere nothing.

    A page keeps its cells where they were written, in the order they came, and -wal holds commits in order:
    the rebuild leaves neither. It waits for the write lock like any writer and needs the file's size free.
    Returns False when a reader kept the -wal from being truncated for wait seconds (it then still holds the
    rebuilt pages and the file the old ones); True otherwise, and always on other databases.
    """
    engine = session.get_bind()
    if engine.dialect.name != "sqlite":
        return True
    assert isinstance(engine, sa.Engine)
    session.rollback()  # VACUUM runs outside any transaction
    raw = engine.raw_connection()
    deadline = time.monotonic() + wait
    try:
        cursor = raw.cursor()
        cursor.execute("VACUUM")
        while True:  # the busy handler waits for readers up to busy_timeout; then try again until the deadline
            remaining = max(deadline - time.monotonic(), 0.0)
            cursor.execute(f"PRAGMA busy_timeout={int(min(remaining, 10.0) * 1000)}")
            busy, _frames, _copied = cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
            if not busy or time.monotonic() >= deadline:
                return not busy
            time.sleep(0.1)
    finally:
        raw.cursor().execute(SQLITE_BUSY_TIMEOUT)  # back into the pool as every connection is
        raw.close()


def get_db() -> orm.Session:
    """The request's database session."""
    if "db" not in g:
        g.db = current_app.extensions["feedback_db"]()
    return g.db


def stream_rows(rows_from) -> Iterator:
    """Yield rows_from(session) with a session of its own, closed when the stream ends.

    A streamed response outlives its request, and so the request's session: it needs its own.
    """
    make_session = current_app.extensions["feedback_db"]

    def generate():
        session = make_session()
        try:
            yield from rows_from(session)
        finally:
            session.close()

    return generate()


def close_db(_exc: BaseException | None = None) -> None:
    session = g.pop("db", None)
    if session is not None:
        session.close()


def init_app(app: Flask) -> None:
    engine = make_engine(app.config["DATABASE_URL"])
    app.extensions["feedback_engine"] = engine
    # The audit chain is keyed (HMAC) with a key from the key ring, which lives outside the database:
    # someone who can only write to the database cannot forge a chain that verifies.
    audit_key = app.extensions["feedback_keyring"].subkey("audit-chain:v1")
    app.extensions["feedback_db"] = orm.sessionmaker(engine, expire_on_commit=False, info={AUDIT_KEY: audit_key})
    app.teardown_appcontext(close_db)


UPGRADE_WAIT_MS = 30 * 60 * 1000  # SQLite: how long an upgrade waits for another one to finish


def _pragma(connection: sa.Connection, statement: str) -> None:
    """Run a SQLite PRAGMA on the DBAPI connection, so SQLAlchemy begins no transaction for it."""
    cursor = connection.connection.cursor()
    try:
        cursor.execute(statement)
    finally:
        cursor.close()


@contextmanager
def migrating(engine: sa.Engine) -> Iterator[Config]:
    """Yield an Alembic config on a connection that alone migrates the schema, in one transaction.

    Hosts that start together all migrate: the first does, the others wait for it and then find
    nothing left to do (PostgreSQL: a transaction-scoped advisory lock; SQLite: BEGIN IMMEDIATE).
    On SQLite, foreign keys are off meanwhile and checked at the end instead: a batch migration rebuilds
    a table (copy, DROP, rename), and with them on, the DROP cascades to every row that references it.
    """
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:  # wait for another upgrade as long as it takes (a table rebuild), not the app's 10 s
            _pragma(connection, f"PRAGMA busy_timeout={UPGRADE_WAIT_MS}")
            _pragma(connection, "PRAGMA foreign_keys=OFF")  # before BEGIN: SQLite ignores it inside one
        connection.execution_options(**{_WRITE: True})
        try:
            with connection.begin():
                advisory_lock(connection, AdvisoryLock.SCHEMA_UPGRADE)
                config.attributes["connection"] = connection
                yield config
                if sqlite and connection.exec_driver_sql("PRAGMA foreign_key_check").first() is not None:
                    raise RuntimeError("The migration left rows that refer to rows that do not exist; rolled back.")
        finally:
            if sqlite:
                try:  # foreign keys first: a pooled connection without them would not cascade erasures
                    _pragma(connection, SQLITE_FOREIGN_KEYS)
                    _pragma(connection, SQLITE_BUSY_TIMEOUT)
                except BaseException:
                    connection.invalidate()  # never back into the pool with foreign keys off
                    raise


def upgrade_schema(engine: sa.Engine, revision: str = "head") -> None:
    """Run the Alembic migrations in feedback/migrations up to revision, one upgrader at a time."""
    with migrating(engine) as config:
        command.upgrade(config, revision)


# Indexes on an expression: Alembic cannot compare them (SQLite's reflection skips them, PostgreSQL writes
# their expression its own way), so autogenerate leaves them out and the revision adding one is written by hand.
EXPRESSION_INDEXES = frozenset({"ix_submission_desk_order"})


def compared(_object: object, name: str | None, type_: str, _reflected: bool, _compare_to: object) -> bool:
    """Alembic's include_object: everything but the expression indexes."""
    return not (type_ == "index" and name in EXPRESSION_INDEXES)


def new_revision(engine: sa.Engine, message: str, versions: Path | None = None) -> Path:
    """Write the next migration, autogenerated by comparing the models with the database; return its file.

    The database must be at the newest revision, so the new one holds only what the models changed since.
    It is numbered after the newest (0005 after 0004) and written to feedback/migrations/versions, or to
    versions (a folder of its own, e.g. to check for drift without leaving a file behind).

    :raises alembic.util.CommandError: the database is not at the newest revision.
    """
    with migrating(engine) as config:
        if versions is not None:
            config.set_main_option("path_separator", "os")
            config.set_main_option("version_locations", os.pathsep.join([str(MIGRATIONS / "versions"), str(versions)]))
        head = ScriptDirectory.from_config(config).get_current_head()
        number = f"{int(head) + 1:04d}" if head and head.isdigit() else None  # else Alembic picks an id
        script = command.revision(config, message=message, autogenerate=True, rev_id=number,
                                  version_path=None if versions is None else str(versions))
    assert isinstance(script, Script)  # one head, so one script
    return Path(script.path)
