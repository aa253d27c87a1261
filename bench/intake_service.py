"""Time the intake service against a bare INSERT of the same row, in one run, and print the ratio.

    .venv/bin/python bench/intake_service.py [--url sqlite:////tmp/bench.sqlite3] [-n 2000]

Both sides commit one row per submission on the same database, so the ratio shows what our intake
path (normalised text, form-token and receipt hashing, identity sealing for one third) costs on top of
the database itself. Absolute times depend on the machine; compare ratios.
"""

from __future__ import annotations

import argparse
import tempfile
import time
import uuid
from datetime import date
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy import orm

from feedback import crypto
from feedback.db import make_engine, writing
from feedback.models import Base, Submission
from feedback.services.intake import submitting, town_halls


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="", help="database URL (default: a new SQLite file)")
    parser.add_argument("-n", type=int, default=2000, help="submissions per side")
    return parser.parse_args()


BARE_INSERT = sa.insert(Submission.__table__)  # built once, as intake's own statements are


def bare_inserts(session, town_hall_id: int, n: int) -> float:
    """One prebuilt INSERT per transaction, through the same write transaction intake uses."""
    start = time.perf_counter()
    for i in range(n):
        with writing(session):
            session.connection().execute(BARE_INSERT, [{
                "id": uuid.uuid4(), "town_hall_id": town_hall_id, "body": f"Bare concern {i}",
                "received_on": date.today(), "status": "pending", "is_named": False,
                "receipt_hash": uuid.uuid4().bytes * 2, "form_token_hash": uuid.uuid4().bytes * 2}])
    return time.perf_counter() - start


def service_submissions(session, ring, hall, n: int) -> float:
    start = time.perf_counter()
    for i in range(n):
        identity = crypto.Identity(f"Person {i}", f"p{i}@example.org", True) if i % 3 == 0 else None
        new = submitting.NewSubmission(body=f"Service concern {i}", affiliation="student", identity=identity)
        submitting.submit(session, ring, hall.slug, crypto.new_form_token(), new, date.today())
    return time.perf_counter() - start


def main() -> None:
    args = parse_args()
    url = args.url or f"sqlite:///{Path(tempfile.mkdtemp()) / 'bench.sqlite3'}"
    engine = make_engine(url)
    Base.metadata.drop_all(engine)
    Base.metadata.create_all(engine)
    session = orm.Session(engine, expire_on_commit=False)
    ring = crypto.generate_keyring()
    hall = town_halls.create_town_hall(session, town_halls.NewTownHall(
        "Bench", date.today(), date.today(), date.today()))
    bare = bare_inserts(session, hall.id, args.n)
    ours = service_submissions(session, ring, hall, args.n)
    print(f"database: {engine.dialect.name}, {args.n} submissions per side")
    print(f"bare INSERT+COMMIT: {args.n / bare:8.0f} per second")
    print(f"submitting.submit:      {args.n / ours:8.0f} per second (one third named and sealed)")
    print(f"ratio ours/bare:    {bare / ours:8.2f}")
    session.close()
    Base.metadata.drop_all(engine)
    engine.dispose()


if __name__ == "__main__":
    main()
