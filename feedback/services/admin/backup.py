"""Backups and restores of the database, taken while the app keeps taking submissions.

SQLite: SQLite's online backup API copies the live database in one step, inside one read
transaction: in WAL mode writers carry on meanwhile, and the copy is the database exactly as it was
when the step began (every submission committed before then, none half-written). The copy is checked
with `PRAGMA integrity_check` before it is moved into place (mode 600: it holds everything people sent).

PostgreSQL: `pg_dump --format=custom` (one repeatable-read snapshot, so also consistent while the app
runs); restore it with `pg_restore` (see README.md, "Backups and restore").

The key ring is never part of a backup: back it up apart from the database (README.md, "Keys").
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa

from feedback import files

REQUIRED_TABLES = {"town_hall", "submission", "identity"}
PG_DUMP_GUIDE = ("Back up PostgreSQL with pg_dump (a consistent snapshot while the app runs): "
                 "pg_dump --format=custom --file PATH DATABASE; restore it into an empty database with "
                 "pg_restore --no-owner --dbname DATABASE PATH. See README.md, 'Backups and restore'.")


class BackupError(Exception):
    """The backup or restore could not be made; the message says why and what to do."""


@dataclass(frozen=True)
class BackupResult:
    path: Path
    bytes: int
    submissions: int | None  # None when not counted (pg_dump)


def sqlite_file(database_url: str) -> Path | None:
    """The file of a SQLite URL, or None for any other database (or an in-memory SQLite)."""
    url = sa.make_url(database_url)
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        return None
    return Path(url.database)


def integrity(path: Path) -> str:
    """SQLite's `PRAGMA integrity_check` of a file, opened read-only: 'ok' when sound."""
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        rows = connection.execute("PRAGMA integrity_check").fetchall()
    except sqlite3.DatabaseError as error:
        return str(error)
    finally:
        connection.close()
    return "; ".join(str(row[0]) for row in rows)


def _check_copy(path: Path) -> int:
    """Refuse a file that is not a sound Town Hall Feedback database; return its number of submissions."""
    verdict = integrity(path)
    if verdict != "ok":
        raise BackupError(f"{path} failed SQLite's integrity check: {verdict}")
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        if not REQUIRED_TABLES <= tables:
            raise BackupError(f"{path} is not a Town Hall Feedback database (missing tables: "
                              f"{', '.join(sorted(REQUIRED_TABLES - tables))})")
        return connection.execute("SELECT count(*) FROM submission").fetchone()[0]
    finally:
        connection.close()


def backup_sqlite(source: Path, target: Path) -> BackupResult:
    """Copy a live SQLite database to target with the online backup API, check it, then move it in place."""
    if not source.exists():
        raise BackupError(f"there is no database at {source}")
    with files.replacing(target) as partial:  # private from the first byte
        live = sqlite3.connect(source, timeout=30)  # only reads; busy handler waits out a checkpoint
        copy = sqlite3.connect(partial)
        try:
            # pages=-1: the whole database in one step, so in one read snapshot. (Step by step, every
            # write by the app would restart the copy, which under steady load might never finish.)
            live.backup(copy, pages=-1)
            # A copy is read alone: make it a plain rollback-journal file, with nothing in a -wal beside it.
            copy.execute("PRAGMA journal_mode=DELETE")
        finally:
            copy.close()
            live.close()
        submissions = _check_copy(partial)
    return BackupResult(path=target, bytes=target.stat().st_size, submissions=submissions)


def restore_sqlite(backup: Path, target: Path) -> int:
    """Copy a checked backup into the database file at target (the app must be stopped); returns submissions.

    Written through SQLite's backup API rather than by copying the file, so a -wal left beside the old
    database can never be replayed into the restored one.
    """
    if not backup.exists():
        raise BackupError(f"there is no backup at {backup}")
    submissions = _check_copy(backup)
    target.parent.mkdir(parents=True, exist_ok=True)
    if not target.exists():
        os.close(os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    source = sqlite3.connect(f"file:{backup}?mode=ro", uri=True)
    live = sqlite3.connect(target, timeout=30)
    try:
        source.backup(live, pages=-1)
        live.execute("PRAGMA journal_mode=WAL")  # as the app runs it
        live.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        live.close()
        source.close()
    verdict = integrity(target)
    if verdict != "ok":
        raise BackupError(f"the restored database at {target} failed SQLite's integrity check: {verdict}")
    return submissions


@dataclass(frozen=True)
class RestoreResult:
    path: Path
    submissions: int


def restore(database_url: str, backup: Path, *, force: bool) -> RestoreResult:
    """Restore a SQLite backup into the database at database_url; replace an existing one only with force.

    :raises BackupError: not SQLite, a database is there and force is not set, or the backup is unsound.
    """
    target = sqlite_file(database_url)
    if target is None:
        raise BackupError("restore works on SQLite only. " + PG_DUMP_GUIDE)
    if target.exists() and target.stat().st_size and not force:
        raise BackupError(f"{target} already exists. Stop the app, keep a copy of it, then run restore again "
                          "with --force to replace it.")
    return RestoreResult(path=target, submissions=restore_sqlite(backup, target))


def _libpq_env(database_url: str) -> dict[str, str]:
    """PG* variables for pg_dump from a SQLAlchemy URL (the password never goes on a command line)."""
    url = sa.make_url(database_url)
    env = {"PGDATABASE": url.database or "", "PGHOST": url.host or "", "PGPORT": str(url.port or ""),
           "PGUSER": url.username or "", "PGPASSWORD": url.password or ""}
    options = url.query.get("options")
    if options:
        env["PGOPTIONS"] = options if isinstance(options, str) else " ".join(options)
    return {key: value for key, value in env.items() if value}


def backup_postgresql(database_url: str, target: Path) -> BackupResult:
    """pg_dump --format=custom to target (mode 600); raises with the pg_dump guidance if pg_dump is missing."""
    pg_dump = shutil.which("pg_dump")
    if pg_dump is None:
        raise BackupError("pg_dump was not found. " + PG_DUMP_GUIDE)
    with files.replacing(target) as partial:
        done = subprocess.run([pg_dump, "--format=custom", "--no-owner", "--file", str(partial)],
                              env={**os.environ, **_libpq_env(database_url)}, capture_output=True, text=True)
        if done.returncode != 0:
            raise BackupError(f"pg_dump failed: {done.stderr.strip()}")
    return BackupResult(path=target, bytes=target.stat().st_size, submissions=None)


def backup(database_url: str, target: Path) -> BackupResult:
    """Back up the app's database to target, which must not exist yet.

    :raises BackupError: target exists, the database is missing, or the copy is unsound.
    """
    target = Path(target)
    if target.exists():
        raise BackupError(f"{target} already exists; choose a new file name (backups are never overwritten)")
    if not target.parent.is_dir():
        raise BackupError(f"the folder {target.parent} does not exist")
    source = sqlite_file(database_url)
    if source is not None:
        return backup_sqlite(source, target)
    if sa.make_url(database_url).get_backend_name() == "postgresql":
        return backup_postgresql(database_url, target)
    raise BackupError(f"backups of {sa.make_url(database_url).get_backend_name()} databases are not supported")
