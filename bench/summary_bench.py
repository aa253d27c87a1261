"""Time the leadership summary pages and CSV exports against plain SQL, in one run, on a big instance.

    .venv/bin/python bench/summary_bench.py --database postgresql --submissions 1000000
    .venv/bin/python bench/summary_bench.py --database sqlite --submissions 200000

It fills a fresh database (bench/fill_summary.py: 100 town halls, 40 themes), starts the real app on
it, logs a leader and a facilitator in through the login form, and requests each page through Flask's
test client (routing, the summary service, suppression and rendering), interleaved with the plain SQL
GROUP BYs that compute the same counts on the same engine. It reports medians and the ratio
page/baseline (aim: within 2x). Then, in a fresh process per size, it streams a town hall's
submissions CSV (2k, 20k, 200k published rows at 1M submissions) and reports the peak memory
(aim: flat as rows grow). The database is dropped at the end unless --keep is given.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import resource
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from datetime import date
from html import unescape
from pathlib import Path

import fill_summary
import sqlalchemy as sa

from feedback import audit, clock, create_app, crypto, keyfile
from feedback.db import make_engine
from feedback.services.admin import accounts

POSTGRES_SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432"
PASSWORD = "bench summary password 4"
LEADER, FACILITATOR = "leader@bench.example", "facilitator@bench.example"

# The counts the summary shows, as plain SQL: statuses per town hall, published per town hall and
# affiliation, and themes per town hall and affiliation over published submissions.
STATUS_COUNTS = ("SELECT town_hall_id, status, hidden_reason, count(*) FROM submission "
                 "GROUP BY town_hall_id, status, hidden_reason")
AFFILIATION_COUNTS = ("SELECT town_hall_id, affiliation, count(*) FROM submission WHERE status = 'published' "
                      "GROUP BY town_hall_id, affiliation")
THEME_COUNTS = ("SELECT s.town_hall_id, s.affiliation, t.theme_id, count(*) FROM submission s "
                "JOIN tagging t ON t.submission_id = s.id WHERE s.status = 'published' "
                "GROUP BY s.town_hall_id, s.affiliation, t.theme_id")
# The export's rows, as plain SQL: a town hall's published submissions in id order with their themes
# and near-duplicate group sizes.
EXPORT_ROWS = ("SELECT s.id, coalesce(s.redacted_body, s.body), th.name, g.size FROM submission s "
               "LEFT JOIN tagging t ON t.submission_id = s.id LEFT JOIN theme th ON th.id = t.theme_id "
               "LEFT JOIN (SELECT representative_id, count(*) AS size FROM duplicate_link "
               "GROUP BY representative_id) g ON g.representative_id = s.id "
               "WHERE s.town_hall_id = :hall AND s.status = 'published' ORDER BY s.id")


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", choices=("postgresql", "sqlite"), default="sqlite")
    parser.add_argument("--submissions", type=int, default=0,
                        help="submissions to fill (default 1,000,000 on PostgreSQL, 200,000 on SQLite)")
    parser.add_argument("--export-sizes", default="",
                        help="published rows of the export town halls, comma-separated "
                             "(default: submissions/500, /50, /5)")
    parser.add_argument("--runs", type=int, default=7, help="timed runs of each page and baseline")
    parser.add_argument("--pg-name", default="bench_summary", help="PostgreSQL database to create and drop")
    parser.add_argument("--sqlite-path", default="", help="SQLite file (default: a new temporary file)")
    parser.add_argument("--keep", action="store_true", help="keep the filled database at the end")
    parser.add_argument("--reuse", action="store_true", help="use a database kept by an earlier --keep run")
    parser.add_argument("--fill-only", action="store_true", help="fill the database, keep it and stop")
    parser.add_argument("--probe-export", help=argparse.SUPPRESS)  # internal: memory of one export
    parser.add_argument("--url", help=argparse.SUPPRESS)
    parser.add_argument("--keyring", help=argparse.SUPPRESS)
    args = parser.parse_args()
    args.submissions = args.submissions or (1_000_000 if args.database == "postgresql" else 200_000)
    return args


def make_database(args: argparse.Namespace) -> str:
    """A URL to an empty database of our own (or to the kept one with --reuse)."""
    if args.database == "sqlite":
        path = Path(args.sqlite_path or Path(tempfile.mkdtemp(prefix="bench-summary-")) / "bench.sqlite3")
        if not args.reuse:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
        return f"sqlite:///{path}"
    if not re.fullmatch(r"bench_[a-z0-9_]+", args.pg_name):
        raise SystemExit("--pg-name must start with bench_: this script drops the database it uses")
    if not args.reuse:
        server = sa.create_engine(f"{POSTGRES_SERVER}/postgres", isolation_level="AUTOCOMMIT")
        with server.connect() as connection:
            connection.exec_driver_sql(f"DROP DATABASE IF EXISTS {args.pg_name}")
            connection.exec_driver_sql(f"CREATE DATABASE {args.pg_name}")
        server.dispose()
    return f"{POSTGRES_SERVER}/{args.pg_name}"


def drop_database(args: argparse.Namespace, url: str) -> None:
    if args.database == "sqlite":
        path = Path(url.removeprefix("sqlite:///"))
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        if not args.sqlite_path:
            path.parent.rmdir()  # the temporary folder made for it
        return
    server = sa.create_engine(f"{POSTGRES_SERVER}/postgres", isolation_level="AUTOCOMMIT")
    with server.connect() as connection:
        connection.exec_driver_sql(f"DROP DATABASE IF EXISTS {args.pg_name}")
    server.dispose()


def bench_app(url: str, keyring: str):
    """The real app on the bench database, with cheap password hashing and generous login limits."""
    return create_app({
        "SECRET_KEY": secrets.token_urlsafe(40), "DATABASE_URL": url, "KEYRING_PATH": keyring,
        "STAFF_LOGIN_RATE_LIMIT": "1000 per minute", "ACCOUNT_LOGIN_RATE_LIMIT": "1000 per minute",
        "ARGON2": {"time_cost": 1, "memory_cost": 8, "parallelism": 1},
    })


def add_staff(app) -> None:
    session = app.extensions["feedback_db"]()
    try:
        for email, role in ((LEADER, "leader"), (FACILITATOR, "facilitator")):
            try:
                accounts.create_user(session, app.extensions["feedback_password_hasher"], email, role.capitalize(),
                                     role, PASSWORD, by=audit.Actor(audit.SYSTEM), now=clock.now())
            except accounts.AccountError:
                pass  # made by the run that filled a reused database
    finally:
        session.close()


def logged_in(app, email: str):
    """A test client logged in through the login form."""
    client = app.test_client()
    form = client.get("/login").get_data(as_text=True)
    token = unescape(re.search(r'name="csrf_token"[^>]* value="([^"]*)"', form).group(1))
    response = client.post("/login", data={"email": email, "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 302, response.status_code
    return client


def fetch(client, path: str) -> int:
    """Request a page and read all of it (a streamed one chunk by chunk); the number of bytes."""
    response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    size = sum(len(chunk) for chunk in response.iter_encoded())
    response.close()
    return size


def plain(engine: sa.Engine, *statements: str, stream: bool = False, **params) -> Callable[[], int]:
    """Run the statements on the engine and fetch every row: all at once as the summary does, or
    streamed in batches (a server-side cursor on PostgreSQL) as the export does."""
    def run() -> int:
        rows = 0
        with engine.connect() as connection:
            if stream:
                connection = connection.execution_options(stream_results=True, yield_per=500)
            for statement in statements:
                result = connection.execute(sa.text(statement), params)
                rows += sum(len(batch) for batch in result.partitions()) if stream else len(result.all())
        return rows
    return run


def interleaved(pairs: list[tuple[str, Callable, str, Callable]], runs: int) -> dict[str, float]:
    """Time each (ours, baseline) pair back to back, alternating which goes first; medians in seconds."""
    times: dict[str, list[float]] = {}
    for _name, ours, _base_name, base in pairs:  # warm up: templates, query plans, caches
        ours()
        base()
    for run in range(runs):
        for name, ours, base_name, base in pairs:
            order = [(name, ours), (base_name, base)]
            for label, fn in (order if run % 2 == 0 else order[::-1]):
                start = time.perf_counter()
                fn()
                times.setdefault(f"{name}|{label}", []).append(time.perf_counter() - start)
        print(f"  run {run + 1} of {runs} done", flush=True)
    return {key: statistics.median(values) for key, values in times.items()}


def rss_kib(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise LookupError(field)


def probe_export(args: argparse.Namespace) -> None:
    """In this fresh process: stream one town hall's submissions CSV and print its memory as JSON."""
    app = bench_app(args.url, args.keyring)
    client = logged_in(app, FACILITATOR)
    warm = fill_summary.read_filled(app.extensions["feedback_engine"]).export_halls[0].slug
    fetch(client, f"/leadership/{warm}/submissions.csv")  # imports, first queries, template-free warm-up
    Path("/proc/self/clear_refs").write_text("5")  # reset the peak RSS (VmHWM) to the current RSS
    before = rss_kib("VmRSS")
    start = time.perf_counter()
    size = fetch(client, f"/leadership/{args.probe_export}/submissions.csv")
    seconds = time.perf_counter() - start
    peak = rss_kib("VmHWM")
    tracemalloc.start()
    fetch(client, f"/leadership/{args.probe_export}/submissions.csv")
    traced_peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    maxrss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"bytes": size, "seconds": seconds, "rss_before_kib": before, "rss_peak_kib": peak,
                      "python_peak_bytes": traced_peak, "maxrss_kib": maxrss}))


def export_memory(url: str, keyring: str, filled: fill_summary.Filled) -> list[tuple[fill_summary.Hall, dict]]:
    found = []
    for hall in filled.export_halls:
        output = subprocess.run([sys.executable, __file__, "--probe-export", hall.slug, "--url", url,
                                 "--keyring", keyring], check=True, capture_output=True, text=True).stdout
        found.append((hall, json.loads(output.strip().splitlines()[-1])))
    return found


def machine() -> str:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    memory = int(next(line.split()[1] for line in Path("/proc/meminfo").read_text().splitlines()
                      if line.startswith("MemTotal"))) / 2 ** 20
    return f"{os.cpu_count()} cores ({cpu}), {memory:.0f} GiB, Python {platform.python_version()}"


def report(args, engine, filled, medians, pairs, memory) -> None:
    server = engine.dialect.name
    with engine.connect() as connection:
        query = "SELECT sqlite_version()" if server == "sqlite" else "SHOW server_version"
        version = connection.exec_driver_sql(query).scalar()
    total = sum(h.submissions for h in filled.halls)
    print(f"\n{date.today()}, {machine()}, {server} {version}")
    print(f"{total} submissions, {len(filled.halls)} town halls, {filled.taggings} taggings; "
          f"one-town-hall page on {filled.typical.slug} ({filled.typical.submissions} submissions); "
          f"{args.runs} runs, medians\n")
    print("| what | ours (s) | plain SQL | plain SQL (s) | ratio |")
    print("| --- | ---: | --- | ---: | ---: |")
    for name, _ours, base_name, _base in pairs:
        ours, base = medians[f"{name}|{name}"], medians[f"{name}|{base_name}"]
        print(f"| `{name}` | {ours:.3f} | {base_name} | {base:.3f} | {ours / base:.2f} |")
    print("\n| export of | published rows | CSV size | time (s) | peak RSS growth | Python peak (tracemalloc) |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    for hall, m in memory:
        print(f"| `{hall.slug}` | {hall.published} | {m['bytes'] / 2 ** 20:.1f} MiB | {m['seconds']:.2f} | "
              f"{(m['rss_peak_kib'] - m['rss_before_kib']) / 1024:.1f} MiB | "
              f"{m['python_peak_bytes'] / 2 ** 20:.1f} MiB |")


def main() -> None:
    args = parse_args()
    if args.probe_export:
        probe_export(args)
        return
    url = make_database(args)
    workdir = Path(tempfile.mkdtemp(prefix="bench-summary-keys-"))
    keyring = str(workdir / "keyring.json")
    keyfile.save(crypto.generate_keyring(), Path(keyring))
    engine = make_engine(url)
    if args.reuse:
        filled = fill_summary.read_filled(engine)
    else:
        sizes = [int(s) for s in args.export_sizes.split(",")] if args.export_sizes else [
            args.submissions // 500, args.submissions // 50, args.submissions // 5]
        print(f"filling {url} with {args.submissions} submissions ...", flush=True)
        filled = fill_summary.fill(engine, args.submissions, sizes)
        print(f"filled in {filled.seconds:.0f} s: {filled.taggings} taggings", flush=True)
    app = bench_app(url, keyring)
    add_staff(app)
    if args.fill_only:
        shutil.rmtree(workdir)
        print(f"kept {url}: time it with --reuse" + (f" --sqlite-path {url.removeprefix('sqlite:///')}"
                                                     if args.database == "sqlite" else ""))
        return
    leader, facilitator = logged_in(app, LEADER), logged_in(app, FACILITATOR)
    app_engine = app.extensions["feedback_engine"]
    counts = plain(app_engine, STATUS_COUNTS, AFFILIATION_COUNTS, THEME_COUNTS)
    one_hall = f"/leadership/{filled.typical.slug}"
    biggest = filled.export_halls[-1]
    pairs = [
        ("/leadership", lambda: fetch(leader, "/leadership"), "the three GROUP BYs", counts),
        (one_hall, lambda: fetch(leader, one_hall), "the three GROUP BYs", counts),
        ("/leadership/themes.csv", lambda: fetch(leader, "/leadership/themes.csv"), "the three GROUP BYs", counts),
        (f"/leadership/{biggest.slug}/submissions.csv",
         lambda: fetch(facilitator, f"/leadership/{biggest.slug}/submissions.csv"),
         "SELECT of the same rows", plain(app_engine, EXPORT_ROWS, stream=True, hall=biggest.id)),
    ]
    print(f"timing {len(pairs)} pairs, {args.runs} runs ...", flush=True)
    medians = interleaved(pairs, args.runs)
    print("measuring the export's memory, a fresh process per size ...", flush=True)
    memory = export_memory(url, keyring, filled)
    report(args, engine, filled, medians, pairs, memory)
    app_engine.dispose()
    engine.dispose()
    shutil.rmtree(workdir)
    if args.keep:
        print(f"\nkept {url}: rerun with --reuse" + (f" --sqlite-path {url.removeprefix('sqlite:///')}"
                                                     if args.database == "sqlite" else ""))
    else:
        drop_database(args, url)


if __name__ == "__main__":
    main()
