"""Storage that keeps no arrival order: a scheduled rewrite (`flask shuffle-recent`, hourly) of recent rows.

The tables a submitter writes are keyed by random ids, but storage keeps an order of its own. On SQLite they
have no rowid (models.NO_ROWID), yet a page keeps its cells where and in the order they were written, and
-wal holds whole commits in order: VACUUM rebuilds the file in key order and the WAL is truncated.
On PostgreSQL each row version carries the id of the transaction that wrote it (xmin, a counter that timed
audit events share) and a place in the heap (ctid), both in arrival order: one transaction rewrites every
recent row, so they all share its xmin, and CLUSTER then rebuilds each table in the order of its random
primary key, leaving out the old versions. Between two runs, rows written since the last one keep their order.
"""

from __future__ import annotations

import time
from datetime import date, timedelta
from typing import cast

import sqlalchemy as sa
from sqlalchemy import exc, orm

from feedback import db
from feedback.db import writing
from feedback.models import Identity, Reply, Submission

# Rows dated today or yesterday count as recent: a day more than the hour between runs, so none is missed.
RECENT_DAYS = 1
TABLES = ("submission", "identity", "reply")
LOCK_TRIES, LOCK_PAUSE = 250, 0.02  # about 5 s of trying to take the tables at a moment none is in use
LOCK_NOT_AVAILABLE = "55P03"  # PostgreSQL's SQLSTATE for a NOWAIT lock that was not free


def _recent(since: date) -> list[tuple[sa.ColumnElement, sa.ColumnElement[bool]]]:
    """Each table's key column, and which of its rows are recent."""
    recent_submissions = sa.select(Submission.id).where(Submission.received_on >= since)
    return [
        (Submission.__table__.c.id, Submission.received_on >= since),
        (Identity.__table__.c.submission_id, Identity.submission_id.in_(recent_submissions)),
        # Staff replies too: after the run they anchor nothing, as they share the answers' xmin and order.
        (Reply.__table__.c.id, Reply.written_on >= since),
    ]


def shuffle_recent(session: orm.Session, today: date) -> int:
    """Leave no arrival order in storage for rows written since the last run; return how many rows are recent."""
    since = today - timedelta(days=RECENT_DAYS)
    if session.get_bind().dialect.name != "postgresql":
        count = sum(session.scalar(sa.select(sa.func.count()).select_from(key.table).where(recent)) or 0
                    for key, recent in _recent(since))
        db.vacuum(session)
        return count
    with writing(session):
        _lock(session)
        # SET key = key: a new version of the row, written by this transaction, with nothing in it changed.
        count = sum(cast(sa.CursorResult, session.execute(sa.update(key.table).where(recent).values({key: key})))
                    .rowcount for key, recent in _recent(since))
    # Separately: CLUSTER in the same transaction would copy the old versions along, as still visible to it.
    with writing(session):
        _lock(session)
        for table in TABLES:
            session.execute(sa.text(f"CLUSTER {table} USING pk_{table}"))
    return count


def _lock(session: orm.Session) -> None:
    """Take the three tables together or not at all, then keep them until the transaction ends.

    Never one while waiting for another: a staff reply reads reply before it checks its submission, so a
    rewrite holding submission and waiting for reply would deadlock with it, and one of the two would fail.
    After LOCK_TRIES it waits in line like any writer.
    """
    statement = f"LOCK TABLE {', '.join(TABLES)} IN ACCESS EXCLUSIVE MODE"
    for _ in range(LOCK_TRIES):
        try:
            with session.begin_nested():  # a refused try gives back what it took
                session.execute(sa.text(f"{statement} NOWAIT"))
            return
        except exc.OperationalError as error:
            if getattr(error.orig, "sqlstate", None) != LOCK_NOT_AVAILABLE:
                raise
        time.sleep(LOCK_PAUSE)
    session.execute(sa.text(statement))
