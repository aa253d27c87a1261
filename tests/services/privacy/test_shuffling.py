"""The hourly rewrite waits for the submitter tables without holding any of them meanwhile."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest
import sqlalchemy as sa

from feedback import audit, clock
from feedback.models import (
    Action,
    ActionFeedback,
    ActionSubmission,
    DuplicateLink,
    HelpAnswer,
    ReleasedQuote,
    RevealRequest,
    SuggestionDecision,
)
from feedback.services.moderation import desk
from feedback.services.privacy import shuffling
from feedback.services.summary import releases
from feedback.services.summary.disclosure import Mechanism
from tests.browsing import post_form
from tests.factories import make_submission, make_theme, make_town_hall, tag, today
from tests.staff import make_staff


@pytest.mark.backend("postgresql")
def test_the_rewrite_never_holds_one_table_while_it_waits_for_another(app, db_session, ring):
    """A staff reply reads reply before it checks its submission: a rewrite holding submission would deadlock it."""
    engine = app.extensions["feedback_engine"]
    assert engine.dialect.name == "postgresql"  # SQLite has one write lock for the whole file
    make_submission(db_session, ring, make_town_hall(db_session))
    db_session.close()
    failures: list[BaseException] = []

    def rewrite() -> None:
        session = app.extensions["feedback_db"]()
        try:
            shuffling.shuffle_recent(session, today())
        except BaseException as error:  # reported by the test below
            failures.append(error)
        finally:
            session.close()

    with engine.connect() as staff_reply:
        staff_reply.exec_driver_sql("SELECT count(*) FROM reply")  # its transaction holds reply from here on
        worker = threading.Thread(target=rewrite)
        worker.start()
        time.sleep(0.5)
        with engine.connect() as intake:
            intake.exec_driver_sql("SET lock_timeout = '2s'")
            assert intake.exec_driver_sql("SELECT count(*) FROM submission").scalar() == 1
        staff_reply.rollback()
    worker.join(timeout=30)
    assert not worker.is_alive() and failures == []


# --- old snapshots, withdrawn rows, and a -wal held by a reader: the run fails loudly instead of claiming success ---

def postgresql(app) -> sa.Engine:
    """The app's engine, on a database with pageinspect (in public), which tuples() reads pages with."""
    engine = app.extensions["feedback_engine"]
    assert engine.dialect.name == "postgresql"  # PostgreSQL's row versions
    with engine.connect() as connection:
        found = connection.exec_driver_sql("SELECT 1 FROM pg_extension WHERE extname = 'pageinspect'").first()
    if found is None:  # a fresh server: the tests' user is a superuser (trust auth, as .ci/run has it)
        try:
            with engine.begin() as connection:
                connection.exec_driver_sql("CREATE EXTENSION IF NOT EXISTS pageinspect SCHEMA public")
        except sa.exc.IntegrityError:  # another test process created it at the same moment
            pass
    return engine


def run(app, wait: float):
    return app.test_cli_runner().invoke(args=["shuffle-recent", "--wait", str(wait)])


def hold_a_snapshot(engine: sa.Engine) -> tuple[sa.Connection, int]:
    """Another backend in a REPEATABLE READ transaction that has read something (pg_dump, a long export)."""
    connection = engine.connect().execution_options(isolation_level="REPEATABLE READ")
    pid = connection.exec_driver_sql("SELECT pg_backend_pid()").scalar_one()
    connection.exec_driver_sql("SELECT count(*) FROM town_hall").scalar()  # no lock on the tables rewritten
    return connection, pid


def tuples(engine: sa.Engine, table: str) -> list[dict]:
    """Every row version on the table's pages, live or dead (pageinspect)."""
    with engine.connect() as connection:
        return [dict(row) for row in connection.exec_driver_sql(
            f"SELECT item.t_xmin::text::bigint AS xmin, item.t_xmax::text::bigint AS xmax, item.t_data "
            f"FROM generate_series(0, pg_relation_size('{table}') / current_setting('block_size')::int - 1) AS page, "
            f"LATERAL public.heap_page_items(public.get_raw_page('{table}', page::int)) AS item "
            "WHERE item.lp_flags = 1").mappings()]


def xmins(engine: sa.Engine, table: str) -> set[int]:
    with engine.connect() as connection:
        return set(connection.exec_driver_sql(f"SELECT xmin::text::bigint FROM {table}").scalars())


def withdraw(app, code: str) -> None:
    """Through the app, as the submitter would, with their receipt code."""
    assert post_form(app.test_client(), "/receipt/withdraw", "/receipt", code=code, confirm="y").status_code == 200


@pytest.mark.backend("postgresql")
def test_an_old_snapshot_kept_open_makes_the_run_fail_and_say_what_holds_it(app, db_session, ring):
    engine = postgresql(app)
    hall = make_town_hall(db_session)
    for n in range(5):
        make_submission(db_session, ring, hall, f"Concern {n}.")
    db_session.close()
    holder, pid = hold_a_snapshot(engine)
    try:
        result = run(app, wait=1)
    finally:
        holder.close()
    assert result.exit_code != 0
    assert f"pid {pid}" in result.output and "older than the rewrite" in result.output
    assert "Rewrote storage" not in result.output


@pytest.mark.backend("postgresql")
def test_a_snapshot_released_within_the_wait_lets_the_run_leave_no_old_version(app, db_session, ring):
    """Before, CLUSTER copied the pre-rewrite versions (arrival-ordered xmin) and the withdrawn row, text and all."""
    engine = postgresql(app)
    hall = make_town_hall(db_session)
    for n in range(5):
        make_submission(db_session, ring, hall, f"Concern {n}.")
    gone = make_submission(db_session, ring, hall, "Withdrawn marker-7f3a: my rota.")
    db_session.close()
    withdraw(app, gone.code)
    holder, _pid = hold_a_snapshot(engine)
    threading.Timer(1.0, holder.close).start()

    result = run(app, wait=20)

    assert result.exit_code == 0, result.output
    (rewrite,) = xmins(engine, "submission")
    stored = tuples(engine, "submission")
    assert len(stored) == 5
    assert all(item["xmin"] >= rewrite and item["xmax"] == 0 for item in stored)
    assert not any(b"marker-7f3a" in bytes(item["t_data"]) for item in stored)


@pytest.mark.backend("postgresql")
def test_a_withdrawal_leaves_no_dead_row_in_the_tables_it_cascades_to(app, db_session, ring):
    """Each dead row's xmax is the withdrawal's transaction id, a counter the timed audit events share."""
    engine = postgresql(app)
    hall = make_town_hall(db_session)
    kept = make_submission(db_session, ring, hall, "The rota again.")
    gone = make_submission(db_session, ring, hall, "The rota is unfair.", name="Ada Lovelace")
    theme = make_theme(db_session)
    tag(db_session, gone.submission_id, theme)
    staff = make_staff(app, "facilitator")
    action = Action(title="Publish the rota early", status="planned", created_on=today())
    db_session.add(action)
    db_session.flush()
    db_session.add_all([
        ActionSubmission(action_id=action.id, submission_id=gone.submission_id),
        ActionFeedback(action_id=action.id, submission_id=gone.submission_id),
        # gone leads the group, so a release may quote it (never a member)
        DuplicateLink(submission_id=kept.submission_id, representative_id=gone.submission_id),
        SuggestionDecision(submission_id=gone.submission_id, theme_id=theme.id, decision="dismissed"),
        RevealRequest(submission_id=gone.submission_id, requested_by=staff.id, reason="A safety concern."),
    ])
    db_session.commit()
    others = [make_submission(db_session, ring, hall, f"The rota, {n}.").submission_id for n in range(12)]
    for other in others:  # enough under the theme that a release quotes it, and gone first: it leads a group
        tag(db_session, other, theme)
    desk.change_status(db_session, [kept.submission_id, gone.submission_id, *others], "published",
                       by=audit.Actor(audit.SYSTEM), now=clock.now())
    releases.release(db_session, hall, mechanism=Mechanism(scale=0.5, theme_cap=1), total_budget=100.0, k=5,
                     affiliations=[], by=audit.Actor(audit.SYSTEM), now=clock.now())
    assert gone.submission_id in db_session.scalars(sa.select(ReleasedQuote.submission_id)).all()
    db_session.close()
    withdraw(app, gone.code)

    result = run(app, wait=20)

    assert result.exit_code == 0, result.output
    for table in ("tagging", "duplicate_link", "suggestion_decision", "reveal_request", "released_quote", "identity",
                  "action_submission", "action_feedback"):
        assert [item for item in tuples(engine, table) if item["xmax"] != 0] == [], table


def test_a_reader_holding_the_wal_makes_the_run_fail_and_a_later_run_empties_it(sqlite_app):
    engine, ring = sqlite_app.extensions["feedback_engine"], sqlite_app.extensions["feedback_keyring"]
    session = sqlite_app.extensions["feedback_db"]()
    hall = make_town_hall(session)
    for n in range(5):
        make_submission(session, ring, hall, f"Concern {n}.")
    session.close()
    wal = Path(f"{engine.url.database}-wal")
    reader = engine.connect()
    reader.exec_driver_sql("SELECT count(*) FROM submission").scalar()  # an open read transaction
    try:
        result = run(sqlite_app, wait=1)
    finally:
        reader.close()
    assert result.exit_code != 0
    assert "-wal could not be truncated" in result.output
    assert "Rewrote storage" not in result.output

    again = run(sqlite_app, wait=10)

    assert again.exit_code == 0, again.output
    assert not wal.exists() or wal.stat().st_size == 0


@pytest.mark.backend("postgresql")
def test_feedback_on_actions_and_answers_to_did_this_help_leave_no_arrival_order(app, db_session, ring):
    """Each row written by a submitter, one transaction after another, ends up with the rewrite's xmin."""
    engine = postgresql(app)
    hall = make_town_hall(db_session)
    action = Action(title="Publish the rota early", status="done", created_on=today())
    db_session.add(action)
    db_session.commit()
    for n in range(4):
        sent = make_submission(db_session, ring, hall, f"About the action, {n}.")
        db_session.add(ActionFeedback(action_id=action.id, submission_id=sent.submission_id))
        db_session.add(HelpAnswer(action_id=action.id, answer="helped"))
        db_session.commit()  # one transaction each, as people send them: arrival-ordered xmins
    assert len(xmins(engine, "action_feedback")) == 4 and len(xmins(engine, "help_answer")) == 4
    db_session.close()

    result = run(app, wait=20)

    assert result.exit_code == 0, result.output
    assert xmins(engine, "action_feedback") == xmins(engine, "submission")
    assert len(xmins(engine, "help_answer")) == 1
