"""Storage that keeps no arrival order: a scheduled rewrite (`flask shuffle-recent`, hourly) of recent rows.

The tables a submitter writes are keyed by random ids, but storage keeps an order of its own. On SQLite they
have no rowid (models.NO_ROWID), yet a page keeps its cells where and in the order they were written, and
-wal holds whole commits in order: VACUUM rebuilds the file in key order and the WAL is truncated.
On PostgreSQL each row version carries the id of the transaction that wrote it (xmin, a counter that timed
audit events share) and a place in the heap (ctid), both in arrival order: one transaction rewrites every
recent row, so they all share its xmin, and CLUSTER then rebuilds each table in the order of its random
primary key, leaving out the old versions. Between two runs, rows written since the last one keep their order.

CLUSTER leaves out an old version only once no snapshot can still see it: while any transaction older than the
rewrite lives (pg_dump, a long export, a standby's hot_standby_feedback, a replication slot, a prepared
transaction), it copies the old versions along, arrival-ordered xmin and all. So the run waits (a bounded
time) for every such snapshot to end, and says what holds one instead of claiming success. It also rebuilds
the tables a withdrawal cascades to (tagging, duplicate_link, suggestion_decision, reveal_request,
released_quote, action_submission), whose dead rows carry the withdrawal's transaction id. Feedback on
an action, answers to "did this help?", live questions and their "me too" votes are submitter tables too.
"""

from __future__ import annotations

import time
from datetime import date, timedelta
from typing import cast

import sqlalchemy as sa
from sqlalchemy import exc, orm

from feedback import db
from feedback.db import writing
from feedback.models import (
    ActionFeedback,
    HelpAnswer,
    Identity,
    LiveQuestion,
    LiveSession,
    LiveVote,
    Reply,
    SimilarityBucket,
    Submission,
)

# Rows dated today or yesterday count as recent: a day more than the hour between runs, so none is missed.
RECENT_DAYS = 1
SUBMITTER_TABLES = ("submission", "identity", "reply", "action_feedback", "help_answer", "similarity_bucket",
                    "live_question", "live_vote")
# And those a withdrawal (ON DELETE CASCADE), an erasure or retention delete from: dead rows date the deletion.
TABLES = (*SUBMITTER_TABLES, "tagging", "duplicate_link", "suggestion_decision", "reveal_request", "released_quote",
          "action_submission", "outgoing_mail", "bulk_change_item")
WAIT_SECONDS = 60.0  # how long a run waits for old snapshots to end (flask shuffle-recent --wait)
POLL_PAUSE = 0.2
LOCK_TRIES, LOCK_PAUSE = 250, 0.02  # about 5 s of trying to take the tables at a moment none is in use
LOCK_NOT_AVAILABLE = "55P03"  # PostgreSQL's SQLSTATE for a NOWAIT lock that was not free


def _recent(since: date) -> list[tuple[sa.ColumnElement, sa.ColumnElement[bool]]]:
    """Each table's key column, and which of its rows are recent."""
    recent_submissions = sa.select(Submission.id).where(Submission.received_on >= since)
    running_questions = (sa.select(LiveQuestion.submission_id)
                         .join(LiveSession, LiveSession.id == LiveQuestion.live_session_id)
                         .where(LiveSession.state == "running"))
    return [
        (Submission.__table__.c.id, Submission.received_on >= since),
        (Identity.__table__.c.submission_id, Identity.submission_id.in_(recent_submissions)),
        # Staff replies too: after the run they anchor nothing, as they share the answers' xmin and order.
        (Reply.__table__.c.id, Reply.written_on >= since),
        (ActionFeedback.__table__.c.submission_id, ActionFeedback.submission_id.in_(recent_submissions)),
        # Answers to "did this help?" carry no date at all: every one is rewritten, every run (a small table).
        (HelpAnswer.__table__.c.id, sa.true()),
        # A submission's similarity buckets are written in the same transaction as the submission.
        (SimilarityBucket.__table__.c.submission_id, SimilarityBucket.submission_id.in_(recent_submissions)),
        # A live question is written with its submission; votes come while its session runs, which may be longer.
        (LiveQuestion.__table__.c.submission_id, LiveQuestion.submission_id.in_(recent_submissions)),
        (LiveVote.__table__.c.submission_id, sa.or_(LiveVote.submission_id.in_(recent_submissions),
                                                    LiveVote.submission_id.in_(running_questions))),
    ]


class NotShuffled(Exception):
    """Storage may still hold arrival order (or deleted rows); the message says what held it and what to do."""


def shuffle_recent(session: orm.Session, today: date, *, wait: float = WAIT_SECONDS) -> int:
    """Leave no arrival order in storage for rows written since the last run; return how many rows are recent.

    :raises NotShuffled: something kept the old row versions (or, on SQLite, the -wal) for more than wait seconds.
    """
    since = today - timedelta(days=RECENT_DAYS)
    if session.get_bind().dialect.name != "postgresql":
        count = sum(session.scalar(sa.select(sa.func.count()).select_from(key.table).where(recent)) or 0
                    for key, recent in _recent(since))
        if not db.vacuum(session, wait=wait):
            raise NotShuffled(f"The -wal could not be truncated: a connection kept a read transaction open for more "
                              f"than {wait:g} s, so the -wal still holds the rows in arrival order. End it (a long "
                              "export, a backup, an sqlite3 shell) and run shuffle-recent again.")
        return count
    with writing(session):
        _lock(session, SUBMITTER_TABLES)
        # SET key = key: a new version of the row, written by this transaction, with nothing in it changed.
        count = sum(cast(sa.CursorResult, session.execute(sa.update(key.table).where(recent).values({key: key})))
                    .rowcount for key, recent in _recent(since))
        rewrite = str(session.scalar(sa.text("SELECT pg_current_xact_id()::xid::text")))
    # Separately: CLUSTER in the same transaction would copy the old versions along, as still visible to it;
    # and so would it in any other while a snapshot older than the rewrite lives.
    _wait_for_no_older_snapshot(session, rewrite, wait)
    with writing(session):
        _lock(session, TABLES)
        for table in TABLES:
            session.execute(sa.text(f"CLUSTER {table} USING pk_{table}"))
    _check(session, rewrite)
    return count


HOLDERS = sa.text("""
SELECT 'backend pid ' || pid || coalesce(' (' || nullif(application_name, '') || ')', '')
       || coalesce(', ' || backend_type, '') || coalesce(', ' || state, '')
  FROM pg_stat_activity
 WHERE pid <> pg_backend_pid() AND (datname = current_database() OR datid IS NULL)
   AND (age(backend_xmin) >= age(CAST(:rewrite AS xid)) OR age(backend_xid) >= age(CAST(:rewrite AS xid)))
UNION ALL
SELECT 'replication slot ' || slot_name FROM pg_replication_slots
 WHERE (database = current_database() OR database IS NULL)
   AND (age(xmin) >= age(CAST(:rewrite AS xid)) OR age(catalog_xmin) >= age(CAST(:rewrite AS xid)))
UNION ALL
SELECT 'prepared transaction ' || quote_literal(gid) FROM pg_prepared_xacts
 WHERE database = current_database() AND age(transaction) >= age(CAST(:rewrite AS xid))
""")


def holders(session: orm.Session, rewrite: str) -> list[str]:
    """What still holds a snapshot (or a transaction) no newer than the rewrite: its old versions stay visible."""
    try:
        return list(session.scalars(HOLDERS, {"rewrite": rewrite}))
    finally:
        session.rollback()  # a fresh view of pg_stat_activity each time, and no snapshot of our own kept


def _wait_for_no_older_snapshot(session: orm.Session, rewrite: str, wait: float) -> None:
    deadline = time.monotonic() + wait
    while found := holders(session, rewrite):
        if time.monotonic() >= deadline:
            raise NotShuffled(f"Not rebuilt: after {wait:g} s, {'; '.join(found)} still holds a snapshot older than "
                              "the rewrite, so CLUSTER would keep the old row versions (with their arrival-ordered "
                              "transaction ids, and withdrawn rows). End it (or drop the slot, or finish the "
                              "prepared transaction), or run shuffle-recent when it is done, e.g. not during pg_dump.")
        time.sleep(POLL_PAUSE)


def _check(session: orm.Session, rewrite: str) -> None:
    """After CLUSTER: nothing may have taken a snapshot older than the rewrite meanwhile (and, where pageinspect
    can be used, no row version in the rebuilt tables was deleted by the rewrite or before it)."""
    found = holders(session, rewrite)
    if not found:
        left = {table: _leftovers(session, table, rewrite) for table in TABLES}
        found = [f"{table}: {count} old row versions" for table, count in left.items() if count]
    if found:
        raise NotShuffled(f"Rebuilt, but old row versions may remain: {'; '.join(found)}. Run shuffle-recent again.")


def _leftovers(session: orm.Session, table: str, rewrite: str) -> int:
    """Row versions deleted (or locked) by the rewrite or earlier still in the table's pages; 0 without pageinspect."""
    try:
        schema = session.scalar(sa.text(
            "SELECT extnamespace::regnamespace::text FROM pg_extension WHERE extname = 'pageinspect' "
            "AND (SELECT rolsuper FROM pg_roles WHERE rolname = current_user)"))
        if schema is None:
            return 0
        return session.scalar(sa.text(
            f"SELECT count(*) FROM generate_series(0, pg_relation_size(CAST(:table AS regclass)) "
            f"/ current_setting('block_size')::int - 1) AS page, "
            f"LATERAL {schema}.heap_page_items({schema}.get_raw_page(CAST(:name AS text), page::int)) AS item "
            "WHERE item.t_xmax <> '0' AND item.t_infomask & 4096 = 0 "  # 4096: xmax is a multixact, not an xid
            "AND age(item.t_xmax) >= age(CAST(:rewrite AS xid))"),
            {"table": table, "name": table, "rewrite": rewrite}) or 0
    finally:
        session.rollback()


def _lock(session: orm.Session, tables: tuple[str, ...]) -> None:
    """Take the tables together or not at all, then keep them until the transaction ends.

    Never one while waiting for another: a staff reply reads reply before it checks its submission, so a
    rewrite holding submission and waiting for reply would deadlock with it, and one of the two would fail.
    After LOCK_TRIES it waits in line like any writer.
    """
    statement = f"LOCK TABLE {', '.join(tables)} IN ACCESS EXCLUSIVE MODE"
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
