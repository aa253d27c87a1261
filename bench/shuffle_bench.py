"""What `flask shuffle-recent` costs: the time it holds the submitter tables, by table size and recent rows.

    .venv/bin/python bench/shuffle_bench.py [-n 10000 100000] [--recent 1000] [--url URL]

Fills a fresh database (SQLite in a temporary folder, or the PostgreSQL at --url, whose tables it drops and
creates) with n submissions of about 500 characters, a third of them named (identity rows of realistic size,
not sealed: sealing is not what is measured) and one reply for every two submissions. Then it times the
command twice: with every row dated today (the worst case, a day of 100k submissions) and with only --recent
of them dated today (the others a week old; a busy hour). Writers wait for it the whole time it runs.
"""

from __future__ import annotations

import argparse
import os
import secrets
import sys
import tempfile
import time
import uuid
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import sqlalchemy as sa  # noqa: E402
from sqlalchemy import orm  # noqa: E402

from feedback.db import make_engine  # noqa: E402
from feedback.models import Base, Identity, Reply, Submission, TownHall  # noqa: E402
from feedback.services.privacy import shuffling  # noqa: E402

TODAY = date(2026, 12, 1)
BATCH = 5000


def fill(engine: sa.Engine, n: int, recent: int) -> None:
    """n submissions, the last `recent` of them dated today and the others a week before."""
    Base.metadata.drop_all(engine)
    Base.metadata.create_all(engine)
    with engine.begin() as connection:
        connection.execute(sa.insert(TownHall), [{"id": 1, "slug": "bench", "title": "Bench", "held_on": TODAY,
                                                  "intake_opens_on": TODAY, "intake_closes_on": TODAY}])
    for start in range(0, n, BATCH):
        submissions, identities, replies = [], [], []
        for i in range(start, min(n, start + BATCH)):
            day = TODAY if i >= n - recent else TODAY - timedelta(days=7)
            sid = uuid.uuid4()
            submissions.append({"id": sid, "town_hall_id": 1, "body": secrets.token_hex(250), "received_on": day,
                                "is_named": i % 3 == 0, "receipt_hash": os.urandom(32),
                                "form_token_hash": os.urandom(32)})
            if i % 3 == 0:
                identities.append({"submission_id": sid, "key_id": "master-2026", "wrapped_key": os.urandom(40),
                                   "nonce": os.urandom(12), "ciphertext": os.urandom(120),
                                   "email_index": os.urandom(32)})
            if i % 2 == 0:
                replies.append({"id": uuid.uuid4(), "submission_id": sid, "position": 1, "author": "staff",
                                "body": secrets.token_hex(100), "written_on": day})
        with engine.begin() as connection:
            connection.execute(sa.insert(Submission), submissions)
            connection.execute(sa.insert(Identity), identities)
            connection.execute(sa.insert(Reply), replies)


def timed(engine: sa.Engine) -> tuple[float, int]:
    with orm.Session(engine) as session:
        started = time.perf_counter()
        count = shuffling.shuffle_recent(session, TODAY)
        return time.perf_counter() - started, count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--recent", type=int, default=1000)
    parser.add_argument("--url", help="a PostgreSQL URL (its tables are dropped); SQLite in a temporary folder")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        for n in args.n:
            for recent in (n, min(args.recent, n)):
                engine = make_engine(args.url or f"sqlite:///{Path(folder) / f'bench-{n}-{recent}.sqlite3'}")
                fill(engine, n, recent)
                seconds, count = timed(engine)
                size = ""
                if engine.dialect.name == "sqlite":
                    size = f", file {Path(engine.url.database or '').stat().st_size / 2**20:.0f} MiB"
                print(f"{engine.dialect.name}: {n} submissions, {recent} of them today ({count} recent rows): "
                      f"{seconds:.2f} s{size}", flush=True)
                if args.url:
                    Base.metadata.drop_all(engine)
                engine.dispose()


if __name__ == "__main__":
    main()
