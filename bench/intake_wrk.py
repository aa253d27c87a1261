"""Drive the real submission POST through gunicorn with wrk, beside a bare Flask baseline, and compare.

    .venv/bin/python bench/intake_wrk.py [--duration 20] [--databases sqlite,postgresql] [--rounds 1]

For each database (a fresh SQLite file; a fresh PostgreSQL database `bench_intake`), the script serves

- ours: `gunicorn -c gunicorn.conf.py` (the app, 2 workers, Redis as the rate-limit storage), and
- the baseline: the same config serving `bench/baseline_app.py`, which inserts one row per POST,

then runs wrk (32 connections) against each, back to back, and prints requests per second, p50 and
p99 latency, errors and the ratio ours/baseline. Every request to ours is a real submission: a session
cookie and CSRF token from a real GET of the form, and a one-time form token of its own (minted with
the app's `crypto.new_form_token`), so each one stores a new submission; two thirds are anonymous,
one third named (sealed identity, blind index). The submission rate limit is lifted for the run
(everything comes from 127.0.0.1); the limiter still runs, against Redis, on every POST.

Needs wrk (Debian: `apt-get install -y wrk`), and for PostgreSQL a server that lets this user create
a database (`--postgres-url`).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import re
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from dataclasses import dataclass
from datetime import date, timedelta
from http.cookiejar import CookieJar
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy import orm

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench import baseline_app  # noqa: E402
from feedback import crypto, keyfile  # noqa: E402
from feedback.db import make_engine  # noqa: E402
from feedback.services.intake import town_halls  # noqa: E402

CONFIG = ROOT / "gunicorn.conf.py"
HIDDEN = re.compile(r'<input[^>]* name="(csrf_token|form_token)"[^>]* value="([^"]*)"')
AFFILIATIONS = ["student", "faculty", "staff", "other", "prefer not to say"]
WORDS = ("the call schedule on the wards is unfair and nobody listens when residents from our group raise "
         "it with leadership again after the last town hall we were told things would change but the same "
         "people still get the worst rotations and the comments about accents continue in handover").split()

WRK_SCRIPT = r"""
-- Each thread takes every n-th line of the pool (cookie TAB body), so no two requests share a form token.
local counter, threads = 0, {}
function setup(thread)
  thread:set("id", counter)
  counter = counter + 1
  table.insert(threads, thread)
end
function init(args)
  pool_path, path, stride = args[1], args[2], tonumber(args[3])
  cookies, bodies = {}, {}
  for line in io.lines(pool_path) do
    local tab = line:find("\t", 1, true)
    cookies[#cookies + 1] = line:sub(1, tab - 1)
    bodies[#bodies + 1] = line:sub(tab + 1)
  end
  index, used, pool = id, 0, #bodies
  s200, s4xx, s5xx, sother = 0, 0, 0, 0
end
function request()
  local i = (index % #bodies) + 1
  index = index + stride
  used = used + 1
  return wrk.format("POST", path, {["Content-Type"] = "application/x-www-form-urlencoded",
                                   ["Cookie"] = cookies[i]}, bodies[i])
end
function response(status, headers, body)
  if status == 200 then s200 = s200 + 1
  elseif status >= 400 and status < 500 then s4xx = s4xx + 1
  elseif status >= 500 then s5xx = s5xx + 1
  else sother = sother + 1 end
end
function done(summary, latency, requests)
  local c = {s200 = 0, s4xx = 0, s5xx = 0, sother = 0, used = 0, pool = 0}
  for _, t in ipairs(threads) do
    for k, _ in pairs(c) do c[k] = c[k] + t:get(k) end
  end
  local e = summary.errors
  io.write(string.format(
    'RESULT {"requests": %d, "duration_us": %d, "p50_us": %d, "p99_us": %d, "mean_us": %.0f, "max_us": %d, ' ..
    '"connect": %d, "read": %d, "write": %d, "timeout": %d, "status": %d, ' ..
    '"s200": %d, "s4xx": %d, "s5xx": %d, "sother": %d, "sent": %d, "pool": %d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99), latency.mean, latency.max,
    e.connect, e.read, e.write, e.timeout, e.status, c.s200, c.s4xx, c.s5xx, c.sother, c.used, c.pool / #threads))
end
"""


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=20, help="seconds of load per measurement [20]")
    parser.add_argument("--warmup", type=int, default=3, help="seconds of load before each measurement [3]")
    parser.add_argument("--connections", type=int, default=32, help="wrk connections [32]")
    parser.add_argument("--threads", type=int, default=2, help="wrk threads [2]")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers, both apps [2]")
    parser.add_argument("--gunicorn-threads", type=int, default=None, metavar="N",
                        help="GUNICORN_THREADS for both apps (threads per worker; >1 means gthread workers) "
                             "[the config's default]")
    parser.add_argument("--rounds", type=int, default=1,
                        help="measurements per app and database, alternating; the median is reported [1]")
    parser.add_argument("--databases", default="sqlite,postgresql", help="comma-separated [sqlite,postgresql]")
    parser.add_argument("--postgres-url", default="postgresql+psycopg://postgres@127.0.0.1:5432/bench_intake",
                        help="a database this run may drop and recreate [.../bench_intake]")
    parser.add_argument("--ratelimit-storage", default="redis://127.0.0.1:6379/13",
                        help="FEEDBACK_RATELIMIT_STORAGE_URI for ours [redis://127.0.0.1:6379/13]")
    parser.add_argument("--port", type=int, default=18100, help="ours listens here, the baseline on the next")
    parser.add_argument("--sessions", type=int, default=64, help="browser sessions fetched with a real GET [64]")
    parser.add_argument("--pool-rate", type=int, default=1500,
                        help="one-time form tokens made per second of load (more than either app serves)")
    parser.add_argument("--keep", action="store_true", help="keep the work folder (logs, pools)")
    parser.add_argument("--profile", type=Path, default=None, metavar="DIR",
                        help="record ours with py-spy (pip install py-spy) into DIR/ours-<database>.txt "
                             "(collapsed stacks); profiled figures are slower, do not report them")
    return parser.parse_args()


# --- databases ---------------------------------------------------------------------------------


def fresh_postgres(url: str) -> str:
    """Drop and recreate the benchmark's own PostgreSQL database; refuse the shared ones."""
    parsed = sa.make_url(url)
    if parsed.database in (None, "", "postgres", "test", "template0", "template1"):
        sys.exit(f"refusing to drop database {parsed.database!r}: give --postgres-url a database of its own")
    admin = sa.create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{parsed.database}" WITH (FORCE)')
        connection.exec_driver_sql(f'CREATE DATABASE "{parsed.database}"')
    admin.dispose()
    return url


def open_town_hall(url: str) -> str:
    engine = make_engine(url)
    with orm.Session(engine, expire_on_commit=False) as session:
        today = date.today()
        hall = town_halls.create_town_hall(session, town_halls.NewTownHall(
            title=f"Bench {secrets.token_hex(3)}", description="Benchmark", held_on=today,
            intake_opens_on=today - timedelta(days=1), intake_closes_on=today + timedelta(days=30)))
        slug = hall.slug
    engine.dispose()
    return slug


def count_rows(url: str, table: str) -> int:
    engine = make_engine(url)
    with engine.connect() as connection:
        count = connection.execute(sa.text(f"SELECT count(*) FROM {table}")).scalar_one()
    engine.dispose()
    return count


# --- servers -----------------------------------------------------------------------------------


@dataclass
class Server:
    name: str
    port: int
    process: subprocess.Popen
    log: Path

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()


def start_server(name: str, env: dict[str, str], port: int, work: Path, app: list[str], probe: str) -> Server:
    log = work / f"{name}.log"
    env = {**env, "GUNICORN_BIND": f"127.0.0.1:{port}"}
    with log.open("w") as out:
        process = subprocess.Popen([sys.executable, "-m", "gunicorn", "-c", str(CONFIG), *app],
                                   env=env, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT)
    server = Server(name, port, process, log)
    deadline = time.monotonic() + 60
    while True:
        if process.poll() is not None:
            sys.exit(f"{name} did not start:\n{log.read_text()}")
        try:
            urllib.request.urlopen(server.base_url + probe, timeout=2)
            return server
        except urllib.error.HTTPError:
            return server  # it answers (the baseline has no GET route)
        except OSError:
            if time.monotonic() > deadline:
                server.stop()
                sys.exit(f"{name} did not answer on port {port}:\n{log.read_text()}")
            time.sleep(0.2)


# --- request pools -----------------------------------------------------------------------------


def fetch_sessions(base_url: str, slug: str, count: int) -> list[tuple[str, str]]:
    """(Cookie header, CSRF token) of `count` sessions, each from a real GET of the form."""
    sessions = []
    for _ in range(count):
        jar = CookieJar()
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        page = opener.open(f"{base_url}/t/{slug}", timeout=10).read().decode()
        fields = dict(HIDDEN.findall(page))
        cookie = "; ".join(f"{c.name}={c.value}" for c in jar)
        sessions.append((cookie, fields["csrf_token"]))
    return sessions


def concern_text(rng: random.Random) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(rng.randint(15, 180))).capitalize() + "."


def write_pool(path: Path, sessions: list[tuple[str, str]], size: int, seed: int) -> None:
    """`size` POST bodies, each with its own one-time form token: 2/3 anonymous, 1/3 named."""
    rng = random.Random(seed)
    with path.open("w") as out:
        for i in range(size):
            cookie, csrf_token = sessions[i % len(sessions)]
            fields = {"csrf_token": csrf_token, "form_token": crypto.new_form_token(), "leave_empty": "",
                      "comment": concern_text(rng), "affiliation": rng.choice(AFFILIATIONS)}
            if i % 3 == 2:
                person = f"Person {seed}-{i}"
                fields.update(identity_choice="named", name=person,
                              email=f"person.{seed}.{i}@example.org", contact_ok="y" if i % 2 else "")
            else:
                fields["identity_choice"] = "anonymous"
            out.write(f"{cookie}\t{urllib.parse.urlencode(fields)}\n")


# --- wrk -----------------------------------------------------------------------------------------


def run_wrk(args, script: Path, pool: Path, url: str, path: str, seconds: int) -> dict:
    command = ["wrk", "-t", str(args.threads), "-c", str(args.connections), "-d", f"{seconds}s",
               "--timeout", "5s", "-s", str(script), url, "--", str(pool), path, str(args.threads)]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0 or "RESULT " not in done.stdout:
        sys.exit(f"wrk failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    line = next(line for line in done.stdout.splitlines() if line.startswith("RESULT "))
    result = json.loads(line.removeprefix("RESULT "))
    result["errors"] = (result["connect"] + result["read"] + result["write"] + result["timeout"]
                        + result["status"])
    result["rps"] = result["requests"] / (result["duration_us"] / 1e6)
    result["unique"] = min(result["sent"], result["pool"])
    return result


@dataclass
class Target:
    name: str
    server: Server
    path: str
    sessions: list[tuple[str, str]]


def py_spy(args, target: Target, seconds: int, kind: str) -> subprocess.Popen | None:
    """Sample ours' workers (on-CPU only) while wrk runs, as collapsed stacks (flamegraph.pl input)."""
    if args.profile is None or target.name != "ours":
        return None
    args.profile.mkdir(parents=True, exist_ok=True)
    beside = Path(sys.executable).parent / "py-spy"
    command = [str(beside) if beside.exists() else "py-spy", "record", "--subprocesses", "--nonblocking",
               "--pid", str(target.server.process.pid), "--duration", str(seconds), "--rate", "100",
               "--format", "raw", "--output", str(args.profile / f"ours-{kind}.txt")]
    return subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def cpu_seconds(pid: int) -> float:
    """CPU time (user + system) used so far by a gunicorn master and its workers."""
    tick = os.sysconf("SC_CLK_TCK")
    try:
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        children = []
    total = 0
    for each in [pid, *map(int, children)]:
        try:
            fields = Path(f"/proc/{each}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / tick


def measure(args, work: Path, script: Path, target: Target, seconds: int, seed: int, kind: str = "") -> dict:
    pool = work / f"pool-{target.name}-{seed}.tsv"
    write_pool(pool, target.sessions, max(2000, seconds * args.pool_rate), seed)
    profiler = py_spy(args, target, seconds, kind) if kind else None
    cpu_before = cpu_seconds(target.server.process.pid)
    try:
        result = run_wrk(args, script, pool, target.server.base_url, target.path, seconds)
        time.sleep(1)  # the requests in flight when wrk stopped still cost CPU
        # CPU per request does not depend on what else runs on the machine, unlike requests/s.
        result["cpu_ms"] = 1000 * (cpu_seconds(target.server.process.pid) - cpu_before) / max(1, result["sent"])
        result["load"] = os.getloadavg()[0]  # the machine's 1-minute load average as the measurement ends
        return result
    finally:
        if profiler is not None:
            profiler.wait()
        if not args.keep:
            pool.unlink()


# --- the run -----------------------------------------------------------------------------------


def machine() -> str:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    mem_kib = int(next(line.split()[1] for line in Path("/proc/meminfo").read_text().splitlines()
                       if line.startswith("MemTotal")))
    return (f"{os.cpu_count()} cores ({cpu}), {mem_kib / 2**20:.0f} GiB RAM, {platform.system()} "
            f"{platform.release()}, Python {platform.python_version()}")


def bench_database(args, work: Path, script: Path, kind: str, base_env: dict[str, str]) -> dict:
    url = f"sqlite:///{work / 'bench.sqlite3'}" if kind == "sqlite" else fresh_postgres(args.postgres_url)
    env = {**base_env, "FEEDBACK_DATABASE_URL": url, "BASELINE_DATABASE_URL": url}
    ours = start_server(f"ours-{kind}", env, args.port, work, [], "/")  # its on_starting hook migrates
    baseline_app.create_table(url)
    base = start_server(f"baseline-{kind}", env, args.port + 1, work, ["bench.baseline_app:app"], "/")
    try:
        slug = open_town_hall(url)
        path = f"/t/{slug}"
        targets = {"ours": Target("ours", ours, path, fetch_sessions(ours.base_url, slug, args.sessions)),
                   "baseline": Target("baseline", base, path, [("x=1", "none")])}
        results: dict[str, list[dict]] = {"ours": [], "baseline": []}
        seed = 0
        for target in targets.values():  # warm both up (templates, connections, imports)
            seed += 1
            measure(args, work, script, target, args.warmup, seed)
        time.sleep(2)  # let the requests still in flight when wrk stopped finish before counting
        stored_before = {"ours": count_rows(url, "submission"), "baseline": count_rows(url, "baseline_submission")}
        named_before = count_rows(url, "identity")
        for round_ in range(args.rounds):
            order = ["ours", "baseline"] if round_ % 2 == 0 else ["baseline", "ours"]
            for name in order:
                seed += 1
                results[name].append(measure(args, work, script, targets[name], args.duration, seed, kind))
        time.sleep(2)
        stored = {"ours": count_rows(url, "submission") - stored_before["ours"],
                  "baseline": count_rows(url, "baseline_submission") - stored_before["baseline"]}
        named = count_rows(url, "identity") - named_before
    finally:
        ours.stop()
        base.stop()
    summary = {}
    for name, runs in results.items():
        summary[name] = {key: statistics.median(run[key] for run in runs)
                         for key in ("rps", "p50_us", "p99_us", "errors", "requests", "cpu_ms")}
        summary[name]["stored"] = stored[name]
        summary[name]["unique"] = sum(run["unique"] for run in runs)
        summary[name]["sent"] = sum(run["sent"] for run in runs)
        summary[name]["s200"] = sum(run["s200"] for run in runs)
        summary[name]["non200"] = sum(run["s4xx"] + run["s5xx"] + run["sother"] for run in runs)
        summary[name]["loads"] = [run["load"] for run in runs]
    summary["ours"]["named"] = named
    return summary


def main() -> None:
    args = parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is not installed. On Debian or Ubuntu: sudo apt-get install -y wrk")
    work = Path(tempfile.mkdtemp(prefix="thf-intake-wrk-"))
    instance = work / "instance"
    instance.mkdir()
    keyfile.save(crypto.generate_keyring(), instance / "keyring.json")
    script = work / "intake.lua"
    script.write_text(WRK_SCRIPT)
    base_env = {**os.environ, "FEEDBACK_INSTANCE_PATH": str(instance),
                "FEEDBACK_SECRET_KEY": secrets.token_urlsafe(48),
                "FEEDBACK_KEYRING_PATH": str(instance / "keyring.json"),
                "FEEDBACK_RATELIMIT_STORAGE_URI": args.ratelimit_storage,
                # Every request comes from 127.0.0.1: lift the per-client submission limit for the run.
                "FEEDBACK_SUBMISSION_RATE_LIMIT": "1000000 per minute",
                "GUNICORN_WORKERS": str(args.workers)}
    if args.gunicorn_threads is not None:
        base_env["GUNICORN_THREADS"] = str(args.gunicorn_threads)
    threads = int(base_env.get("GUNICORN_THREADS", "1"))
    kind = f"gthread workers x {threads} threads" if threads > 1 else "sync workers"
    print(f"machine: {machine()}")
    print(f"wrk: {args.threads} threads, {args.connections} connections, {args.duration} s per measurement "
          f"(after {args.warmup} s warm-up), {args.rounds} round(s); gunicorn: {args.workers} {kind}; "
          f"rate-limit storage: {args.ratelimit_storage}")
    rows = []
    try:
        for kind in [k.strip() for k in args.databases.split(",") if k.strip()]:
            print(f"... {kind}", flush=True)
            rows.append((kind, bench_database(args, work, script, kind, base_env)))
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
        else:
            print(f"work folder kept: {work}")
    print()
    print("| database | app | requests/s | p50 ms | p99 ms | errors | requests sent | rows stored "
          "| server CPU ms/request |")
    print("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for kind, summary in rows:
        for name in ("ours", "baseline"):
            s = summary[name]
            print(f"| {kind} | {name} | {s['rps']:.0f} | {s['p50_us'] / 1000:.1f} | {s['p99_us'] / 1000:.1f} "
                  f"| {s['errors']:.0f} | {s['sent']} | {s['stored']} | {s['cpu_ms']:.1f} |")
    print()
    verdicts = []
    for kind, summary in rows:
        ours, base = summary["ours"], summary["baseline"]
        ratio = ours["rps"] / base["rps"]
        reused = ours["sent"] - ours["unique"]
        print(f"{kind}: ratio ours/baseline {ratio:.2f} in requests/s, {base['cpu_ms'] / ours['cpu_ms']:.2f} in "
              f"server CPU per request; ours p99 {ours['p99_us'] / 1000:.1f} ms; errors {ours['errors']:.0f}; "
              f"{ours['stored']} submissions stored ({ours['named']} named) for {ours['s200']} receipts and "
              f"{ours['sent'] - ours['s200'] - ours['non200']} requests in flight when wrk stopped; "
              f"{reused} form tokens reused")
        # Every receipt stored, nothing stored twice: s200 <= rows <= requests sent.
        verdicts.append(ratio >= 0.6 and ours["p99_us"] < 100_000 and ours["errors"] == 0
                        and ours["s200"] <= ours["stored"] <= ours["sent"] and reused == 0)
    loads = [load for _, summary in rows for name in ("ours", "baseline") for load in summary[name]["loads"]]
    if loads:
        print(f"load average (1 min) at the end of each measurement: {min(loads):.1f} to {max(loads):.1f} "
              f"on {os.cpu_count()} cores")
    print("aim (ratio >= 0.6, p99 < 100 ms, no errors, one row per request):",
          "met" if all(verdicts) else "NOT met")


if __name__ == "__main__":
    main()
