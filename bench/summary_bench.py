"""Time a town hall's release and the leadership summary against the raw SQL of the same counts, on PostgreSQL.

    .venv/bin/python -m bench.summary_bench -n 100000 1000000 [--halls 10] [--largest 0.4] [--runs 5] [--explain]

For each size it fills a fresh database of its own (--pg-name, dropped at the end unless --keep) through
the migrations and COPY: --halls town halls, one holding --largest of the submissions, a third of them
published, about 1.5 themes per published submission (a few with more than the cap), near-duplicate
groups of about 1% of each hall. Then, through the services (no HTTP, no app), it times, interleaved
with their baselines on the same engine, alternating which goes first, after one warm-up each:

- `releases.release()` of the largest hall (exact counts, OpenDP noise, quotes, storing, audit) against
  the four GROUP BYs of exact_counts() written by hand as plain SQL (the theme cap's ROW_NUMBER included);
  with its parts (exact_counts(), the noise, _quotes() against its own query as plain SQL), the quotes'
  rows as they could be asked for (3 per theme and the representatives), and the theme cap's cost;
- `counts.summary()` of all halls and of the largest (it reads the latest stored releases) against the
  live counts it replaces: the same four GROUP BYs, over all halls (by hall) or over the largest.

It prints a Markdown table of medians and ratios; --explain also prints EXPLAIN ANALYZE of the raw SQL.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import re
import statistics
import sys
import time
import uuid
from collections.abc import Callable
from datetime import date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import sqlalchemy as sa  # noqa: E402
from sqlalchemy import orm  # noqa: E402

from bench import fill_summary  # noqa: E402
from feedback import audit, clock, crypto  # noqa: E402
from feedback.config import Defaults  # noqa: E402
from feedback.db import AUDIT_KEY, make_engine, upgrade_schema  # noqa: E402
from feedback.models import HiddenReason, TownHall  # noqa: E402
from feedback.services.summary import counts, releases  # noqa: E402
from feedback.services.summary.disclosure import Mechanism  # noqa: E402

SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432"
MECHANISM = Mechanism(scale=Defaults.SUMMARY_NOISE_SCALE, theme_cap=Defaults.SUMMARY_THEME_CAP)
K, AFFILIATIONS, BY = Defaults.SUMMARY_K, list(Defaults.AFFILIATIONS), audit.Actor("bench")
STATUS_WEIGHTS = {"published": 1 / 3, "pending": 0.42, "hidden": 0.17, "escalated": 0.08}
THEMES_PER_PUBLISHED = {1: 60, 2: 29, 3: 7, 4: 3, 5: 1}  # before duplicates drawn twice are dropped
GROUPED = 0.01  # the share of a hall's submissions grouped under a representative

# exact_counts() as plain SQL: for one hall (:hall), and, BY_HALL, over every hall by hall (the live counts).
HALL = "s.town_hall_id = :hall"
STATUS_SQL = ("SELECT {by}s.status, s.hidden_reason, count(*) FROM submission s{where} "
              "GROUP BY {by}s.status, s.hidden_reason")
AFFILIATION_SQL = ("SELECT {by}s.affiliation, count(*) FROM submission s WHERE {hall}s.status = 'published' "
                   "GROUP BY {by}s.affiliation")
CAPPED_SQL = ("SELECT {by_c}c.theme_id, count(*) FROM (SELECT s.town_hall_id, t.theme_id, row_number() OVER "
              "(PARTITION BY t.submission_id ORDER BY t.theme_id) AS rank FROM tagging t JOIN submission s "
              "ON s.id = t.submission_id WHERE {hall}s.status = 'published') c WHERE c.rank <= :cap "
              "GROUP BY {by_c}c.theme_id")
UNCAPPED_SQL = ("SELECT {by}t.theme_id, count(*) FROM tagging t JOIN submission s ON s.id = t.submission_id "
                "WHERE {hall}s.status = 'published' GROUP BY {by}t.theme_id")
GROUP_SQL = ("SELECT {by}d.representative_id, count(*) FROM duplicate_link d "
             "JOIN submission m ON m.id = d.submission_id JOIN submission s ON s.id = d.representative_id "
             "WHERE m.status = 'published' AND s.status = 'published'{and_hall} GROUP BY {by}d.representative_id")
# The quotes: as _quotes() asks (every tagged published non-member row of the hall), and as proposed (its
# first three by id under each theme, which ix_tagging_theme_submission gives in order, and the representatives).
LIVE = ("s.town_hall_id = :hall AND s.status = 'published' "
        "AND NOT EXISTS (SELECT 1 FROM duplicate_link d WHERE d.submission_id = s.id)")
QUOTES_SQL = ("SELECT t.theme_id, s.id FROM submission s JOIN tagging t ON t.submission_id = s.id "
              f"WHERE {LIVE} AND t.theme_id = ANY(:themes)")
FIRST_SQL = ("SELECT th.theme_id, q.id FROM unnest(CAST(:themes AS integer[])) AS th(theme_id) CROSS JOIN LATERAL "
             "(SELECT s.id FROM tagging t JOIN submission s ON s.id = t.submission_id WHERE t.theme_id = th.theme_id "
             f"AND {LIVE} ORDER BY t.submission_id LIMIT 3) q")
REPRESENTATIVES_SQL = f"{QUOTES_SQL} AND s.id = ANY(:representatives)"


def statements(one_hall: bool) -> dict[str, str]:
    if one_hall:
        f = {"by": "", "by_c": "", "where": f" WHERE {HALL}", "hall": f"{HALL} AND ", "and_hall": f" AND {HALL}"}
    else:
        f = {"by": "s.town_hall_id, ", "by_c": "c.town_hall_id, ", "where": "", "hall": "", "and_hall": ""}
    return {name: sql.format(**f) for name, sql in (
        ("status", STATUS_SQL), ("affiliation", AFFILIATION_SQL), ("capped", CAPPED_SQL),
        ("uncapped", UNCAPPED_SQL), ("group", GROUP_SQL))}


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", "--submissions", type=int, nargs="+", default=[100_000, 1_000_000],
                        help="instance sizes, each filled afresh (default: 100000 1000000)")
    parser.add_argument("--halls", type=int, default=10, help="town halls (default 10)")
    parser.add_argument("--largest", type=float, default=0.4, help="the largest hall's share (default 0.4)")
    parser.add_argument("--runs", type=int, default=5, help="timed runs of each pair (default 5)")
    parser.add_argument("--pg-name", default="bench_summary", help="the database to create and drop")
    parser.add_argument("--keep", action="store_true", help="keep the last size's database")
    parser.add_argument("--explain", action="store_true", help="print EXPLAIN ANALYZE of the raw SQL")
    args = parser.parse_args()
    if not re.fullmatch(r"bench_[a-z0-9_]+", args.pg_name):
        parser.error("--pg-name must start with bench_: this script drops the database it uses")
    return args


def recreate(name: str, drop_only: bool = False) -> None:
    server = sa.create_engine(f"{SERVER}/postgres", isolation_level="AUTOCOMMIT")
    with server.connect() as connection:
        connection.exec_driver_sql(f"DROP DATABASE IF EXISTS {name}")
        if not drop_only:
            connection.exec_driver_sql(f"CREATE DATABASE {name}")
    server.dispose()


def fill(engine: sa.Engine, submissions: int, halls: int, largest: float, seed: int = 11) -> dict[str, int]:
    """The halls (oldest first, the largest at two thirds), themes, submissions, taggings and groups."""
    rng = random.Random(seed)
    upgrade_schema(engine)
    writer = fill_summary.PostgresWriter(engine)
    themes, theme_weights = fill_summary.theme_rows(rng)
    writer.rows("theme", fill_summary.THEME_COLUMNS, themes)
    theme_ids, text = [row[0] for row in themes], fill_summary.Text(rng)
    weights = [rng.uniform(0.5, 1.5) for _ in range(halls - 1)]
    sizes = [int(submissions * (1 - largest) * w / sum(weights)) for w in weights]
    sizes.insert(2 * halls // 3, submissions - sum(sizes))
    made = {"taggings": 0, "links": 0, "published": 0}
    reasons = [r.value for r in HiddenReason]
    for i, size in enumerate(sizes):
        held_on = date.today() - timedelta(days=30 * (halls - i))
        writer.rows("town_hall", fill_summary.HALL_COLUMNS, [(i + 1, f"hall-{i + 1:02d}", f"Town hall {i + 1}", "",
                                                             held_on, held_on - timedelta(days=7),
                                                             held_on + timedelta(days=14), "active")])
        statuses = rng.choices(list(STATUS_WEIGHTS), list(STATUS_WEIGHTS.values()), k=size)
        affiliations = rng.choices(list(fill_summary.AFFILIATION_WEIGHTS),
                                   list(fill_summary.AFFILIATION_WEIGHTS.values()), k=size)
        rows, taggings, ids, published = [], [], [], []
        for status, affiliation in zip(statuses, affiliations, strict=True):
            sid = uuid.uuid4()
            ids.append(sid)
            if status == "published":
                published.append(sid)
                n = rng.choices(list(THEMES_PER_PUBLISHED), list(THEMES_PER_PUBLISHED.values()))[0]
                taggings += [(sid, t) for t in set(rng.choices(theme_ids, theme_weights, k=n))]
            rows.append((sid, i + 1, text.body(), None, held_on + timedelta(days=rng.randint(-7, 14)), status,
                         rng.choice(reasons) if status == "hidden" else None, affiliation, rng.random() < 1 / 3,
                         os.urandom(32), os.urandom(32)))
        representatives = set(published[:max(5, len(published) // 200)])
        links = [(sid, rng.choice(published[:len(representatives)])) for sid in ids
                 if sid not in representatives and rng.random() < GROUPED]
        writer.rows("submission", fill_summary.SUBMISSION_COLUMNS, rows)
        writer.rows("tagging", ("submission_id", "theme_id"), taggings)
        writer.rows("duplicate_link", ("submission_id", "representative_id"), links)
        made["taggings"] += len(taggings)
        made["links"] += len(links)
        made["published"] += len(published)
    writer.done()  # commit, VACUUM ANALYZE
    with engine.begin() as connection:
        for table in ("town_hall", "theme"):
            connection.exec_driver_sql(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                                       f"(SELECT max(id) FROM {table}))")
    made["largest"] = max(sizes)
    return made


def raw(engine: sa.Engine, sql: list[str], **params) -> Callable[[], int]:
    """Run the statements and fetch every row."""
    def run() -> int:
        with engine.connect() as connection:
            return sum(len(connection.execute(sa.text(q), params).all()) for q in sql)
    return run


def interleaved(pairs: list[tuple[str, Callable, str, Callable | None]], runs: int) -> dict[tuple[str, str], float]:
    """Each (ours, baseline) back to back, alternating which goes first, after a warm-up; medians in seconds."""
    times: dict[tuple[str, str], list[float]] = {}
    for _name, ours, _base_name, base in pairs:
        ours()
        if base:
            base()
    for run in range(runs):
        for name, ours, base_name, base in pairs:
            order = [(name, ours)] + ([(base_name, base)] if base else [])
            for label, fn in order if run % 2 == 0 else order[::-1]:
                start = time.perf_counter()
                fn()
                times.setdefault((name, label), []).append(time.perf_counter() - start)
        print(f"  run {run + 1} of {runs}", flush=True)
    return {key: statistics.median(values) for key, values in times.items()}


def machine(engine: sa.Engine) -> str:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    memory = int(next(line.split()[1] for line in Path("/proc/meminfo").read_text().splitlines()
                      if line.startswith("MemTotal"))) / 2 ** 20
    with engine.connect() as connection:
        pg = connection.exec_driver_sql("SHOW server_version").scalar()
        settings = {n: connection.exec_driver_sql(f"SHOW {n}").scalar() for n in ("shared_buffers", "work_mem")}
    return (f"{os.cpu_count()} cores ({cpu}), {memory:.0f} GiB, Python {platform.python_version()}, "
            f"PostgreSQL {pg} (shared_buffers {settings['shared_buffers']}, work_mem {settings['work_mem']}), "
            f"load average {os.getloadavg()[0]:.1f}")


def bench_size(args: argparse.Namespace, submissions: int) -> list[tuple[str, float, str, float | None]]:
    recreate(args.pg_name)
    engine = make_engine(f"{SERVER}/{args.pg_name}")
    print(f"filling {args.pg_name} with {submissions} submissions ...", flush=True)
    started = time.perf_counter()
    made = fill(engine, submissions, args.halls, args.largest)
    print(f"filled in {time.perf_counter() - started:.0f} s: {made}", flush=True)
    sessions = orm.sessionmaker(engine, expire_on_commit=False,
                                info={AUDIT_KEY: crypto.generate_keyring().subkey("audit-chain:v1")})
    with sessions() as session:
        halls = list(session.scalars(sa.select(TownHall).order_by(TownHall.id)))
        sizes = dict(session.execute(sa.text("SELECT town_hall_id, count(*) FROM submission GROUP BY 1")).all())
    big = max(halls, key=lambda h: sizes[h.id])

    def release(hall: TownHall) -> None:
        with sessions() as session:
            releases.release(session, session.get(TownHall, hall.id), mechanism=MECHANISM, total_budget=1e9, k=K,
                             affiliations=AFFILIATIONS, by=BY, now=clock.now())

    for hall in halls:  # every hall released once: the summary reads the latest releases
        release(hall)

    def part(fn: Callable[[orm.Session], object]) -> Callable[[], None]:
        def run() -> None:
            with sessions() as session:
                fn(session)
        return run

    exact = part(lambda s: releases.exact_counts(s, big.id, theme_cap=MECHANISM.theme_cap, affiliations=AFFILIATIONS))
    with sessions() as session:
        truth = releases.exact_counts(session, big.id, theme_cap=MECHANISM.theme_cap, affiliations=AFFILIATIONS)
    noisy = MECHANISM.noisy(truth)
    quoting = {"hall": big.id, "themes": [int(t) for t, v in noisy["theme"].items() if v >= K],
               "representatives": [uuid.UUID(r) for r in noisy["group"]]}
    one, every = statements(True), statements(False)
    four = ["status", "affiliation", "capped", "group"]
    hall_sql = raw(engine, [one[q] for q in four], hall=big.id, cap=MECHANISM.theme_cap)
    all_sql = raw(engine, [every[q] for q in four], cap=MECHANISM.theme_cap)
    today = date.today()
    n = f"{sizes[big.id]:,}"
    pairs = [
        (f"`releases.release()` of the largest hall ({n})", lambda: release(big), "the four GROUP BYs", hall_sql),
        ("  part: `exact_counts()`", exact, "the four GROUP BYs", hall_sql),
        ("  part: `Mechanism.noisy()`", lambda: MECHANISM.noisy(truth), "", None),
        ("  part: `_quotes()`", part(lambda s: releases._quotes(s, big.id, noisy, K)),
         "its query (every tagged row)", raw(engine, [QUOTES_SQL], **quoting)),
        ("  proposed quotes: 3 per theme (LATERAL) + representatives", raw(engine, [FIRST_SQL, REPRESENTATIVES_SQL],
                                                                        **quoting), "", None),
        ("the capped theme GROUP BY", raw(engine, [one["capped"]], hall=big.id, cap=MECHANISM.theme_cap),
         "the uncapped theme GROUP BY", raw(engine, [one["uncapped"]], hall=big.id)),
        ("`counts.summary()`, all halls", part(lambda s: counts.summary(s, None, k=K, affiliations=AFFILIATIONS,
                                                                        today=today)),
         "the four GROUP BYs, by hall", all_sql),
        ("`counts.summary()`, the largest hall", part(lambda s: counts.summary(s, big.slug, k=K,
                                                                               affiliations=AFFILIATIONS, today=today)),
         "the four GROUP BYs", hall_sql),
    ]
    print(f"timing {len(pairs)} pairs, {args.runs} runs (load average {os.getloadavg()[0]:.1f}) ...", flush=True)
    medians = interleaved(pairs, args.runs)
    if args.explain:
        with engine.connect() as connection:
            explained = [*((q, one[q]) for q in [*four, "uncapped"]), ("quotes", QUOTES_SQL), ("first", FIRST_SQL)]
            for name, sql in explained:
                plan = connection.execute(sa.text(f"EXPLAIN (ANALYZE, BUFFERS) {sql}"),
                                          {"cap": MECHANISM.theme_cap, **quoting}).scalars()
                print(f"\nEXPLAIN ANALYZE, {name}:\n" + "\n".join(plan))
    print(f"\n{datetime.now().astimezone():%Y-%m-%d %H:%M %Z}, {machine(engine)}")
    print(f"{submissions:,} submissions in {len(halls)} halls (largest {big.slug}: {n}), {made['published']:,} "
          f"published, {made['taggings']:,} taggings ({made['taggings'] / made['published']:.2f} per published), "
          f"{made['links']:,} near-duplicate links; {args.runs} runs, medians")
    engine.dispose()
    if not (args.keep and submissions == args.submissions[-1]):
        recreate(args.pg_name, drop_only=True)
    return [(name, medians[name, name], base_name, medians.get((name, base_name))) for name, _, base_name, _ in pairs]


def main() -> None:
    args = parse_args()
    tables = [(n, bench_size(args, n)) for n in args.submissions]
    print("\n| submissions | what | ours (s) | raw SQL | raw SQL (s) | ratio |")
    print("| ---: | --- | ---: | --- | ---: | ---: |")
    for n, rows in tables:
        for name, ours, base_name, base in rows:
            ratio = f"{ours / base:.2f}" if base else ""
            print(f"| {n:,} | {name} | {ours:.3f} | {base_name} | {f'{base:.3f}' if base else ''} | {ratio} |")


if __name__ == "__main__":
    main()
