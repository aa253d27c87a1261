"""Promise 1: storage keeps no arrival order of submitter rows that timed staff events could anchor.

An attacker holding the database (or a backup) knows the time of every staff event from the audit log. If
submissions and answers were stored in arrival order among staff replies, each would fall between two
timed events. These tests write such a mix, then read every order storage offers: SQLite's rowid, a plain
scan, the file's pages; PostgreSQL's transaction ids (xmin) and physical places (ctid).
"""

from __future__ import annotations

import re
import secrets
import uuid
from dataclasses import dataclass, field
from itertools import combinations
from pathlib import Path

import pytest
import sqlalchemy as sa

from feedback import audit, clock, crypto
from feedback.services.intake import submitting
from feedback.services.live import questions, sessions, votes
from feedback.services.moderation import replies
from tests.factories import make_submission, make_town_hall

SUBMISSIONS = 60
FACILITATOR = audit.Actor("facilitator@example.org", staff_id=1)
# A random order of n rows puts each pair in arrival order with chance 1/2; the fraction's spread is about
# 0.05 at 60 rows, so 0.25 is five spreads: a random order never fails, arrival order (1.0) always does.
TOLERANCE = 0.25


@dataclass
class Arrivals:
    """What was written, in the order it arrived: submissions, and replies (staff and submitters' mixed)."""

    submissions: list[uuid.UUID] = field(default_factory=list)
    replies: list[uuid.UUID] = field(default_factory=list)
    bodies: dict[uuid.UUID, bytes] = field(default_factory=dict)


def arrive(app) -> Arrivals:
    """Anonymous and named submissions; every third one a staff reply (a timed audit event) and an answer."""
    session = app.extensions["feedback_db"]()
    ring = app.extensions["feedback_keyring"]
    hall = make_town_hall(session)
    arrivals = Arrivals()
    for n in range(SUBMISSIONS):
        body = f"Concern {n} marker-{secrets.token_hex(8)}: the rota is unfair."
        receipt = make_submission(session, ring, hall, body, name="Ada Lovelace" if n % 2 else None)
        arrivals.submissions.append(receipt.submission_id)
        arrivals.bodies[receipt.submission_id] = body.encode()
        if n % 3 == 2:
            earlier = arrivals.submissions[n - 1]
            staff = replies.add_staff_reply(session, earlier, f"Thank you ({n}).", by=FACILITATOR, now=clock.now())
            answer = replies.add_submitter_reply(session, earlier, f"Answer {n}.", clock.today())
            arrivals.replies += [staff.id, answer.id]
    session.close()
    return arrivals


@dataclass
class LiveArrivals:
    """Questions asked in a live session and "me too" votes, in the order they came, among timed approvals."""

    questions: list[uuid.UUID] = field(default_factory=list)
    votes: list[tuple[uuid.UUID, bytes]] = field(default_factory=list)


def arrive_live(app) -> LiveArrivals:
    """A live session: questions asked, every other one approved (a timed audit event), votes from browsers."""
    session = app.extensions["feedback_db"]()
    ring = app.extensions["feedback_keyring"]
    hall = make_town_hall(session)
    live = sessions.start(session, hall.id, by=FACILITATOR, now=clock.now())
    code, live_id = live.code, live.id
    arrivals = LiveArrivals()
    browsers = [crypto.new_voter_secret() for _ in range(3)]
    for n in range(SUBMISSIONS):
        new = submitting.NewSubmission(body=f"Question {n} marker-{secrets.token_hex(8)}: why so late?")
        asked = questions.ask(session, ring, code, crypto.new_form_token(), new, clock.today()).submission_id
        arrivals.questions.append(asked)
        if n % 2:
            questions.approve(session, asked, by=FACILITATOR, now=clock.now())
            for secret in browsers:
                key = crypto.live_voter_key(ring, secret, asked)
                votes.vote(session, live_id, asked, key, burst=lambda _id: False)
                arrivals.votes.append((asked, key))
    session.close()
    return arrivals


def in_arrival_order(seen: list[uuid.UUID], arrived: list[uuid.UUID]) -> float:
    """The fraction of pairs that storage lists in the order they arrived: 1.0 for arrival order, ~0.5 at random."""
    rank = {row: index for index, row in enumerate(arrived)}
    pairs = list(combinations([rank[row] for row in seen], 2))
    return sum(first < second for first, second in pairs) / len(pairs)


def ids(connection: sa.Connection, query: str) -> list[uuid.UUID]:
    """The id column of every row the query returns, in the order returned."""
    return [uuid.UUID(str(row["id"])) for row in connection.exec_driver_sql(query).mappings()]


def shuffle(app) -> None:
    result = app.test_cli_runner().invoke(args=["shuffle-recent"])
    assert result.exit_code == 0, result.output


def only(app, dialect: str) -> sa.Engine:
    engine = app.extensions["feedback_engine"]
    assert engine.dialect.name == dialect  # backend(...) leaves the test out on the other database
    return engine


@pytest.mark.backend("sqlite")
@pytest.mark.parametrize("table", ["submission", "identity", "reply", "live_question", "live_vote"])
def test_sqlite_keeps_no_rowid_in_a_table_submitters_write(app, table):
    engine = only(app, "sqlite")
    arrive(app)
    with pytest.raises(sa.exc.OperationalError, match="no such column: rowid"), engine.connect() as connection:
        connection.exec_driver_sql(f"SELECT rowid FROM {table}")


@pytest.mark.backend("sqlite")
def test_sqlite_scans_submissions_and_replies_in_the_order_of_their_random_ids(app):
    """A plain SELECT * lists rows in storage order: it is the order of the ids, not of arrival."""
    engine = only(app, "sqlite")
    arrivals = arrive(app)
    with engine.connect() as connection:
        submissions = ids(connection, "SELECT * FROM submission")
        reply_rows = ids(connection, "SELECT * FROM reply")
    assert submissions == sorted(arrivals.submissions)
    assert reply_rows == sorted(arrivals.replies)
    assert abs(in_arrival_order(submissions, arrivals.submissions) - 0.5) < TOLERANCE
    assert abs(in_arrival_order(reply_rows, arrivals.replies) - 0.5) < TOLERANCE


@pytest.mark.backend("sqlite")
def test_sqlite_scans_live_questions_and_votes_in_the_order_of_their_keys(app):
    engine = only(app, "sqlite")
    arrivals = arrive_live(app)
    with engine.connect() as connection:
        asked = ids(connection, "SELECT submission_id AS id FROM live_question")
        voted = [(uuid.UUID(str(row[0])), bytes(row[1]))
                 for row in connection.exec_driver_sql("SELECT submission_id, voter_key FROM live_vote")]
    assert asked == sorted(arrivals.questions)
    assert voted == sorted(arrivals.votes, key=lambda vote: (vote[0].hex, vote[1]))
    assert abs(in_arrival_order(asked, arrivals.questions) - 0.5) < TOLERANCE


def pages(path: Path, bodies: dict[uuid.UUID, bytes]) -> dict[int, list[uuid.UUID]]:
    """Submissions by the page of the file that holds them, each page's from its end (where cells start)."""
    data = path.read_bytes()
    page_size = int.from_bytes(data[16:18], "big")
    places = {}
    for submission_id, body in bodies.items():
        found = [match.start() for match in re.finditer(re.escape(body), data)]
        assert len(found) == 1, "one copy of each text, in the table"
        places[submission_id] = (found[0] // page_size, -(found[0] % page_size))
    by_page: dict[int, list[uuid.UUID]] = {}
    for submission_id in sorted(places, key=places.__getitem__):
        by_page.setdefault(places[submission_id][0], []).append(submission_id)
    return by_page


@pytest.mark.backend("sqlite")
def test_sqlite_file_pages_hold_submissions_in_id_order_after_shuffle_recent(app):
    """Cells stay where they were written, newest nearest a page's start: the rebuild leaves them in key order."""
    engine = only(app, "sqlite")
    arrivals = arrive(app)

    shuffle(app)

    path = Path(engine.url.database or "")
    assert not Path(f"{path}-wal").exists() or Path(f"{path}-wal").stat().st_size == 0, "no commits kept in order"
    by_page = pages(path, arrivals.bodies)
    assert all(held == sorted(held) for held in by_page.values())
    stored = [submission_id for page in sorted(by_page) for submission_id in by_page[page]]
    assert abs(in_arrival_order(stored, arrivals.submissions) - 0.5) < TOLERANCE


def xmins(connection: sa.Connection, table: str) -> set[int]:
    return set(connection.exec_driver_sql(f"SELECT xmin::text::bigint FROM {table}").scalars())


@pytest.mark.backend("postgresql")
def test_postgresql_rows_written_since_the_last_run_share_one_transaction_id_after_shuffle_recent(app):
    """Before, each submission's and answer's xmin fell between the xmins of two timed audit events."""
    engine = only(app, "postgresql")
    arrive(app)

    shuffle(app)

    with engine.connect() as connection:
        written = xmins(connection, "submission") | xmins(connection, "identity") | xmins(connection, "reply")
        staff_events = xmins(connection, "audit_event")
    assert len(written) == 1
    assert written.pop() > max(staff_events), "no timed staff event comes after them to anchor them"


@pytest.mark.backend("postgresql")
def test_postgresql_physical_order_is_the_order_of_ids_after_shuffle_recent(app):
    engine = only(app, "postgresql")
    arrivals = arrive(app)

    shuffle(app)

    with engine.connect() as connection:
        submissions = ids(connection, "SELECT * FROM submission ORDER BY ctid")
        reply_rows = ids(connection, "SELECT * FROM reply ORDER BY ctid")
    assert submissions == sorted(arrivals.submissions)
    assert reply_rows == sorted(arrivals.replies)
    assert abs(in_arrival_order(submissions, arrivals.submissions) - 0.5) < TOLERANCE
    assert abs(in_arrival_order(reply_rows, arrivals.replies) - 0.5) < TOLERANCE


@pytest.mark.backend("postgresql")
def test_postgresql_live_questions_and_votes_share_one_transaction_id_and_key_order_after_shuffle_recent(app):
    """Asked, approved and voted for among timed staff events: afterwards nothing in storage says in which order."""
    engine = only(app, "postgresql")
    arrivals = arrive_live(app)
    with engine.connect() as connection:
        assert len(xmins(connection, "live_vote")) > 1  # before: one transaction per vote

    shuffle(app)

    with engine.connect() as connection:
        written = xmins(connection, "live_question") | xmins(connection, "live_vote")
        staff_events = xmins(connection, "audit_event")
        asked = ids(connection, "SELECT submission_id AS id FROM live_question ORDER BY ctid")
        voted = [(uuid.UUID(str(row[0])), bytes(row[1]))
                 for row in connection.exec_driver_sql("SELECT submission_id, voter_key FROM live_vote ORDER BY ctid")]
    assert len(written) == 1
    assert written.pop() > max(staff_events), "no timed staff event comes after them to anchor them"
    assert asked == sorted(arrivals.questions)
    assert voted == sorted(arrivals.votes)
    assert abs(in_arrival_order(asked, arrivals.questions) - 0.5) < TOLERANCE
