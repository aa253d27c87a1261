"""Time a facilitator's and a leader's pages through the app as one town hall grows, on SQLite and PostgreSQL.

    .venv/bin/python bench/scale_bench.py [--sizes 200 2000 20000 50000] [--databases sqlite postgresql] [--runs 7]

For each database and size N it makes a fresh database (SQLite: a new file in a temporary folder;
PostgreSQL: a schema of its own, `bench_scale_<N>`, in the database `test`, dropped at the end), builds the
schema from the models, and fills one town hall with N submissions by bulk inserts (never the form):
text drawn from a Zipf-like vocabulary (Zipf-Mandelbrot over 8,000 words: the demo's words and made-up
ones, plus stopwords), 5% of them in near-duplicate clusters (paraphrases: words dropped, added,
swapped), a third published and tagged with one or two of 20 themes (skewed), half pending, the rest
hidden. When the code has a similarity index (feedback.services.themes.similarity_index) it is rebuilt
for the hall, as `flask reindex-similarity` would. Then SQLite is ANALYZEd and PostgreSQL VACUUM ANALYZEd
(what autovacuum does after a bulk load; --no-vacuum: ANALYZE only). The hall's numbers are released once.

Then, through the Flask test client, logged in through the login form (a facilitator, and a leader for
the leadership page), it times the whole response (routing, queries, rendering, the body read):

- the submission page (/facilitate/s/<id>) of SAMPLED pending submissions, each with near-duplicates
  (a run's figure is their mean, so that one text's luck does not set the ratio);
- the desk's first page (/facilitate/<slug>);
- the leadership hall page (/leadership/<slug>).

Every size of a database is filled first and kept; then each run times every size in turn, page by
page, so that a noisy moment of a shared machine falls on all sizes alike. Each page is fetched once to
warm up, then --runs times; medians are printed, with the ratio to N = 200 (or the smallest size asked
for) computed in the same run. The script runs on older
code too (PYTHONPATH pointing at a worktree of it) to give the before figures.
"""

from __future__ import annotations

import argparse
import itertools
import os
import random
import secrets
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, os.environ.get("PYTHONPATH", "").split(":")[0] or str(Path(__file__).resolve().parent.parent))

import sqlalchemy as sa  # noqa: E402

from feedback import audit, clock, create_app, crypto, keyfile  # noqa: E402
from feedback.config import Defaults  # noqa: E402
from feedback.demo import content  # noqa: E402
from feedback.models import Base, HiddenReason, Submission, Tagging, Theme, TownHall  # noqa: E402
from feedback.services.intake import town_halls  # noqa: E402
from feedback.services.summary import releases  # noqa: E402
from feedback.services.summary.disclosure import Mechanism  # noqa: E402
from feedback.services.themes import similarity  # noqa: E402
from tests.staff import staff_client  # noqa: E402

try:
    from feedback.services.themes import similarity_index
except ImportError:  # older code: no index, every page view scans the hall
    similarity_index = None  # type: ignore[assignment]

PG_SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
SCHEMA = "bench_scale"
VOCABULARY, ZIPF_S, ZIPF_Q = 8000, 1.0, 3  # weight of the word of rank r: 1 / (r + q) ** s
CLUSTERED = 0.05  # share of submissions that are near-duplicates of another (clusters of 2 to 8)
SAMPLED = 5  # submission pages timed: one in each of the first clusters; a run's figure is their mean
THEMES = 20
BATCH = 5000
SYLLABLES = "ca mo ri ten sul dar pe lin vo gra nes tu ber shi ko fal mer dis pro ment".split()


class Text:
    """Concern-like texts over a Zipf-like vocabulary, and paraphrases of them."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        seen: dict[str, None] = {}
        for item in [*content.SUBMISSIONS, *content.generated_submissions()]:
            seen.update(dict.fromkeys(w for w in similarity.WORD.findall(item.body.casefold())
                                      if len(w) > 1 and w not in similarity.STOPWORDS))
        while len(seen) < VOCABULARY:
            seen.setdefault("".join(rng.choices(SYLLABLES, k=rng.randint(2, 4))))
        self.words = list(seen)
        rng.shuffle(self.words)
        self.cumulative = list(itertools.accumulate(1 / (r + 1 + ZIPF_Q) ** ZIPF_S for r in range(VOCABULARY)))
        self.stopwords = sorted(similarity.STOPWORDS)

    def word(self) -> str:
        return self.rng.choices(self.words, cum_weights=self.cumulative)[0]

    def body(self) -> str:
        words = [self.rng.choice(self.stopwords) if self.rng.random() < 0.35 else self.word()
                 for _ in range(self.rng.randint(8, 45))]
        return " ".join(words).capitalize() + "."

    def paraphrase(self, body: str) -> str:
        words = body.rstrip(".").split()
        for _ in range(self.rng.randint(1, 3)):
            edit = self.rng.random()
            if edit < 0.4 and len(words) > 4:
                del words[self.rng.randrange(len(words))]
            elif edit < 0.7:
                words.insert(self.rng.randrange(len(words) + 1), self.word())
            else:
                i, j = self.rng.randrange(len(words)), self.rng.randrange(len(words))
                words[i], words[j] = words[j], words[i]
        return " ".join(words) + "."


def bodies(n: int, text: Text) -> tuple[list[str], list[int]]:
    """n texts, CLUSTERED of them paraphrases in clusters; and the index of a paraphrase in each of the first
    SAMPLED clusters (their pages are timed)."""
    made: list[str] = []
    sampled: list[int] = []
    while len(made) < n:
        seed = text.body()
        made.append(seed)
        if text.rng.random() < CLUSTERED / 4:
            if len(sampled) < SAMPLED and len(made) < n:
                sampled.append(len(made))
            for _ in range(text.rng.randint(1, 7)):
                if len(made) < n:
                    made.append(text.paraphrase(seed))
    return made, sampled


def fill(session, hall: TownHall, n: int, rng: random.Random) -> list[uuid.UUID]:
    """N submissions in the hall by bulk inserts; the ids of pending submissions that have near-duplicates."""
    themes = [Theme(name=f"Theme {i + 1}", definition=f"Concerns of kind {i + 1}.") for i in range(THEMES)]
    session.add_all(themes)
    session.flush()
    theme_ids, weights = [t.id for t in themes], [1 / (rank + 1) for rank in range(THEMES)]
    texts, sampled = bodies(n, Text(rng))
    chosen = set(sampled)
    submissions, taggings = [], []
    for i, body in enumerate(texts):
        sid, roll = uuid.uuid4(), rng.random()
        status = "pending" if i in chosen or roll < 0.5 else "published" if roll < 0.5 + 1 / 3 else "hidden"
        submissions.append({"id": sid, "town_hall_id": hall.id, "body": body, "redacted_body": None,
                            "received_on": hall.intake_opens_on + timedelta(days=rng.randint(0, 3)),
                            "status": status, "hidden_reason": HiddenReason.OTHER.value if status == "hidden" else None,
                            "affiliation": rng.choice([*Defaults.AFFILIATIONS, None]), "is_named": rng.random() < 1 / 3,
                            "receipt_hash": os.urandom(32), "form_token_hash": os.urandom(32)})
        if status == "published":
            taggings += [{"submission_id": sid, "theme_id": t}
                         for t in set(rng.choices(theme_ids, weights, k=rng.choice((1, 2))))]
    for table, rows in ((Submission.__table__, submissions), (Tagging.__table__, taggings)):
        for start in range(0, len(rows), BATCH):
            session.execute(sa.insert(table), rows[start:start + BATCH])
    session.commit()
    return [submissions[i]["id"] for i in sampled]


def _once(fetch: Callable[[], object]) -> float:
    started = time.perf_counter()
    fetch()
    return time.perf_counter() - started


def getter(client, path: str) -> Callable[[], None]:
    def get() -> None:
        response = client.get(path)
        body = response.get_data()
        if response.status_code != 200 or not body:
            raise SystemExit(f"{path}: {response.status_code}")
    return get


def database_url(kind: str, folder: Path, schema: str) -> str:
    if kind == "sqlite":
        return f"sqlite:///{folder / 'scale.sqlite3'}"
    recreate_schema(schema)
    return f"{PG_SERVER}?options=-csearch_path%3D{schema}"


def recreate_schema(schema: str, drop_only: bool = False) -> None:
    """A schema of the run (BENCH_SCHEMA, default bench_scale, and the size), empty; or gone."""
    if not schema.startswith("bench_"):
        raise SystemExit("BENCH_SCHEMA must start with bench_")
    engine = sa.create_engine(PG_SERVER)
    with engine.begin() as connection:
        connection.exec_driver_sql(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
        if not drop_only:
            connection.exec_driver_sql(f"CREATE SCHEMA {schema}")
    engine.dispose()


class Prepared:
    """One database filled with one town hall of N submissions, and its pages to time."""

    def __init__(self, kind: str, n: int, vacuum: bool) -> None:
        self.kind, self.n = kind, n
        self.folder = tempfile.TemporaryDirectory()
        folder = Path(self.folder.name)
        keyfile.save(crypto.generate_keyring(), folder / "keyring.json")
        self.schema = f"{os.environ.get('BENCH_SCHEMA', SCHEMA)}_{n}"
        self.app = create_app({"TESTING": True, "SECRET_KEY": secrets.token_urlsafe(40),
                               "DATABASE_URL": database_url(kind, folder, self.schema),
                               "KEYRING_PATH": str(folder / "keyring.json"),
                               "STAFF_LOGIN_RATE_LIMIT": "1000 per minute",
                               "ACCOUNT_LOGIN_RATE_LIMIT": "1000 per minute",
                               "ARGON2": {"time_cost": 1, "memory_cost": 8, "parallelism": 1}})
        Base.metadata.create_all(self.app.extensions["feedback_engine"])
        self.pages = _fill_and_release(self.app, kind, n, vacuum)
        self.times: dict[str, list[float]] = {name: [] for name in self.pages}

    def run_once(self) -> None:
        for name, (fetch, count) in self.pages.items():
            self.times[name].append(_once(fetch) / count)

    def medians(self) -> dict[str, float]:
        return {name: statistics.median(t) for name, t in self.times.items()}

    def close(self) -> None:
        self.app.extensions["feedback_engine"].dispose()
        if self.kind == "postgresql":
            recreate_schema(self.schema, drop_only=True)
        self.folder.cleanup()


def _fill_and_release(app, kind: str, n: int, vacuum: bool) -> dict[str, tuple[Callable[[], None], int]]:
    """Fill the town hall, index it, vacuum or analyze, release its numbers, log in; its pages, warmed up."""
    session = app.extensions["feedback_db"]()
    today = clock.today()
    hall = town_halls.create_town_hall(session, town_halls.NewTownHall(
        title="Everyone's town hall", description="Tell us.", held_on=today, intake_opens_on=today - timedelta(days=5),
        intake_closes_on=today + timedelta(days=5)))
    started = time.perf_counter()
    chosen = fill(session, hall, n, random.Random(n))
    filled = time.perf_counter() - started
    indexed = 0.0
    if similarity_index is not None:
        started = time.perf_counter()
        similarity_index.rebuild(session, hall.id)
        indexed = time.perf_counter() - started
    session.commit()
    if kind == "postgresql" and vacuum:
        # What autovacuum does after a bulk load (its insert threshold is 20% of the table): the visibility
        # map is set, so the index-only scans of the index look-up and the desk's count skip the heap.
        with session.get_bind().connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.exec_driver_sql("VACUUM ANALYZE")
    else:
        with session.begin():
            session.execute(sa.text("ANALYZE"))
    mechanism = Mechanism(scale=Defaults.SUMMARY_NOISE_SCALE, theme_cap=Defaults.SUMMARY_THEME_CAP)
    releases.release(session, session.get(TownHall, hall.id), mechanism=mechanism, total_budget=1e9,
                     k=Defaults.SUMMARY_K, affiliations=list(Defaults.AFFILIATIONS), by=audit.Actor("bench"),
                     now=clock.now())
    slug = hall.slug
    session.close()
    facilitator, leader = staff_client(app, "facilitator"), staff_client(app, "leader")
    submission_pages = [getter(facilitator, f"/facilitate/s/{sid}") for sid in chosen]

    def submission_page() -> None:
        for fetch in submission_pages:
            fetch()

    pages = {"submission page": (submission_page, len(submission_pages)),
             "desk, first page": (getter(facilitator, f"/facilitate/{slug}"), 1),
             "leadership hall page": (getter(leader, f"/leadership/{slug}"), 1)}
    for fetch, _count in pages.values():
        fetch()  # warm-up
    print(f"{kind} N={n:,}: filled in {filled:.1f} s, indexed in {indexed:.1f} s", flush=True)
    return pages


def bench(kind: str, sizes: list[int], runs: int, vacuum: bool) -> dict[int, dict[str, float]]:
    """Every size of one database filled first, then timed in turns (each run times every size, page by page),
    so that a noisy moment of a shared machine falls on all sizes alike instead of on one."""
    prepared: list[Prepared] = []
    try:
        for n in sizes:
            prepared.append(Prepared(kind, n, vacuum))
        for _ in range(runs):
            for one in prepared:
                one.run_once()
        results = {one.n: one.medians() for one in prepared}
    finally:
        for one in prepared:
            one.close()
    for n, medians in results.items():
        print(f"{kind} N={n:,}: " + ", ".join(f"{name} {m * 1000:.1f} ms" for name, m in medians.items()), flush=True)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[200, 2000, 20000, 50000])
    parser.add_argument("--databases", nargs="+", choices=["sqlite", "postgresql"], default=["sqlite", "postgresql"])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--no-vacuum", dest="vacuum", action="store_false",
                        help="PostgreSQL: ANALYZE only after the fill, as before 2026-12-01 (visibility map unset)")
    args = parser.parse_args()
    print(f"{time.strftime('%Y-%m-%d %H:%M %Z')}, {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}, "
          f"index: {'yes' if similarity_index else 'no (older code)'}, "
          f"PostgreSQL {'VACUUM ANALYZE' if args.vacuum else 'ANALYZE only'}", flush=True)
    results = {(kind, n): medians for kind in args.databases
               for n, medians in bench(kind, args.sizes, args.runs, args.vacuum).items()}
    print(f"\n| database | page | {' | '.join(f'N={n:,} (ms)' for n in args.sizes)} | "
          f"{' | '.join(f'ratio {n:,}/{args.sizes[0]:,}' for n in args.sizes[1:])} |")
    print("| --- | --- |" + " ---: |" * (2 * len(args.sizes) - 1))
    for kind in args.databases:
        for page in results[kind, args.sizes[0]]:
            ms = [results[kind, n][page] for n in args.sizes]
            print(f"| {kind} | {page} | {' | '.join(f'{m * 1000:.1f}' for m in ms)} | "
                  f"{' | '.join(f'{m / ms[0]:.2f}' for m in ms[1:])} |")


if __name__ == "__main__":
    main()
