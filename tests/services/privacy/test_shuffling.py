"""The hourly rewrite waits for the submitter tables without holding any of them meanwhile."""

from __future__ import annotations

import threading
import time

import pytest

from feedback.services.privacy import shuffling
from tests.factories import make_submission, make_town_hall, today


def test_the_rewrite_never_holds_one_table_while_it_waits_for_another(app, db_session, ring):
    """A staff reply reads reply before it checks its submission: a rewrite holding submission would deadlock it."""
    engine = app.extensions["feedback_engine"]
    if engine.dialect.name != "postgresql":
        pytest.skip("SQLite has one write lock for the whole file")
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
