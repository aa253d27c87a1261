"""The pieces the fault drill, the backup drill and their CI tests share.

Everything runs the app as production does: gunicorn with the repository's `gunicorn.conf.py`, a fresh
instance folder written by `flask --app feedback init`, the schema from `flask --app feedback db upgrade`
and a town hall from `create-town-hall`. Clients are plain HTTP clients with a cookie jar: each one
fetches the form (CSRF token and one-time form token), then posts it, retrying the very same body and
tokens after a connection error or a 5xx until it gets a receipt page. Every submission's text carries
a unique marker, so the database can be counted afterwards by marker: acknowledged but missing, and
stored twice, must both be 0.

gunicorn itself, the ports and the /proc-based worker finding are in `tests/servers.py`.
"""

from __future__ import annotations

import glob
import http.client
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections import Counter
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

import sqlalchemy as sa

from feedback import clock, crypto, keyfile
from tests.browsing import RECEIPT_CODE, hidden_fields
from tests.servers import ROOT, Gunicorn, free_port, request

BODY_PREFIX = "Fault drill"
# Every 4th submission is sent with a name, so identities are sealed (and, in the backup drill, unsealed).
NAMED_EVERY = 4


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# --- the app's instance: keys, schema, one town hall ------------------------------------------


class Instance:
    """A fresh instance folder (config.py and keyring.json) and a database, prepared with the flask commands."""

    def __init__(self, workdir: Path, database_url: str = "", **settings: str) -> None:
        self.path = workdir / "instance"
        self.path.mkdir(parents=True, exist_ok=True)
        self.database_url = database_url or f"sqlite:///{self.path / 'feedback.sqlite3'}"
        self.env = {key: value for key, value in os.environ.items()
                    if not key.startswith(("FEEDBACK_", "GUNICORN_"))}
        self.env.update({
            "FEEDBACK_INSTANCE_PATH": str(self.path),
            "FEEDBACK_DATABASE_URL": self.database_url,
            # Every drill client comes from 127.0.0.1: lift the per-address submission limit.
            "FEEDBACK_SUBMISSION_RATE_LIMIT": "1000000 per minute",
            "PYTHONUNBUFFERED": "1",
        })
        self.env.update({f"FEEDBACK_{key}": value for key, value in settings.items()})
        self.slug = ""

    @property
    def keyring_path(self) -> Path:
        return self.path / "keyring.json"

    @property
    def sqlite_path(self) -> Path | None:
        if not self.database_url.startswith("sqlite:///"):
            return None
        return Path(self.database_url.removeprefix("sqlite:///"))

    def flask(self, *args: str, env: dict | None = None, check: bool = True) -> subprocess.CompletedProcess:
        result = subprocess.run([sys.executable, "-m", "flask", "--app", "feedback", *args], cwd=ROOT,
                                env={**self.env, **(env or {})}, capture_output=True, text=True, timeout=600)
        if check and result.returncode != 0:
            raise RuntimeError(f"flask {' '.join(args)} failed ({result.returncode}):\n"
                               f"{result.stdout}\n{result.stderr}")
        return result

    def prepare(self, title: str = "Fault drill") -> str:
        """init, db upgrade, create-town-hall (open from yesterday for a month); returns its slug."""
        self.flask("init")
        self.flask("db", "upgrade")
        today = clock.today()
        created = self.flask("create-town-hall", "--title", title, "--date", today.isoformat(),
                             "--opens", (today - timedelta(days=1)).isoformat(),
                             "--closes", (today + timedelta(days=30)).isoformat())
        self.slug = re.search(r"/t/([a-z0-9-]+)", created.stdout).group(1)
        return self.slug

    def keyring(self) -> crypto.KeyRing:
        return keyfile.load(self.keyring_path)


# --- killing gunicorn's workers ---------------------------------------------------------------


class Killer(threading.Thread):
    """SIGKILLs a random gunicorn worker every `interval` seconds until stopped.

    Only workers that have loaded the app are aimed at; a tick with none (all still booting) is skipped.
    """

    def __init__(self, server: Gunicorn, interval: float = 0.5) -> None:
        super().__init__(daemon=True)
        self.server, self.interval = server, interval
        self.skipped = 0
        self._stop_event = threading.Event()

    def run(self) -> None:
        while not self._stop_event.wait(self.interval):
            if self.server.kill_a_worker() is None:
                self.skipped += 1

    def stop(self) -> None:
        self._stop_event.set()
        self.join(timeout=10)


# --- a private PostgreSQL cluster, ours to restart ------------------------------------------


def postgres_bindir() -> Path | None:
    """Where initdb and pg_ctl are (Debian keeps them out of PATH), newest version first."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"),
                   key=lambda p: int(re.search(r"/(\d+)/bin", p).group(1)), reverse=True)
    if found:
        return Path(found[0]).parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


class PrivatePostgres:
    """A throwaway PostgreSQL cluster in a folder of ours, on a port of ours, with trust auth.

    Restarting it with `pg_ctl restart -m immediate` is a crash: the server's processes are killed
    without a checkpoint, and recovery replays the WAL at the next start. Nothing else uses it.
    """

    def __init__(self, workdir: Path, port: int = 0) -> None:
        bindir = postgres_bindir()
        if bindir is None:
            raise RuntimeError("PostgreSQL's initdb and pg_ctl were not found (apt-get install postgresql)")
        self.bindir = bindir
        self.port = port or free_port()
        self._as_postgres = os.geteuid() == 0
        # As root the cluster runs as the postgres user, which must reach its folder. Not under pytest's
        # folder: any pytest starting meanwhile makes /tmp/pytest-of-root 700 again (and pg_ctl fails).
        self._own = Path(tempfile.mkdtemp(prefix="feedback-drill-")) if self._as_postgres else None
        self.root = (self._own or workdir) / "postgres"
        self.data = self.root / "data"
        self.logfile = self.root / "server.log"
        self.restarts = 0

    def _run(self, *args: str, timeout: float = 120) -> subprocess.CompletedProcess:
        command = list(args)
        if self._as_postgres:  # PostgreSQL refuses to run as root
            command = ["runuser", "-u", "postgres", "--", *command]
        result = subprocess.run(command, capture_output=True, text=True, timeout=timeout)
        if result.returncode != 0:
            raise RuntimeError(f"{' '.join(args)} failed:\n{result.stdout}\n{result.stderr}\n{self.log_tail()}")
        return result

    def start(self) -> PrivatePostgres:
        self.root.mkdir(parents=True)
        if self._as_postgres:
            # The postgres user must reach its folder through ours.
            for folder in [self.root.parent, *self.root.parent.parents]:
                if folder == Path("/"):
                    break
                folder.chmod(folder.stat().st_mode | 0o011)
            shutil.chown(self.root, "postgres", "postgres")
        self._run(str(self.bindir / "initdb"), "-D", str(self.data), "-A", "trust", "-U", "postgres",
                  "--no-sync", "-E", "UTF8")
        options = (f"-p {self.port} -c listen_addresses=127.0.0.1 -c unix_socket_directories={self.root} "
                   "-c max_connections=60 -c shared_buffers=32MB")
        self._run(str(self.bindir / "pg_ctl"), "-D", str(self.data), "-l", str(self.logfile), "-w", "-t", "60",
                  "-o", options, "start")
        return self

    def restart_immediate(self) -> None:
        """Crash the server (-m immediate) and start it again; pg_ctl keeps the start options."""
        # -l again: without it the new postmaster would write to (and hold open) our output pipe.
        self._run(str(self.bindir / "pg_ctl"), "-D", str(self.data), "-l", str(self.logfile), "-m", "immediate",
                  "-w", "-t", "60", "restart")
        self.restarts += 1

    def stop(self) -> None:
        if (self.data / "postmaster.pid").exists():
            try:
                self._run(str(self.bindir / "pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop", timeout=60)
            except RuntimeError as error:
                log(f"could not stop the private PostgreSQL: {error}")
        if self._own is not None:
            shutil.rmtree(self._own, ignore_errors=True)

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"

    def create_database(self, name: str) -> str:
        engine = sa.create_engine(self.url(), isolation_level="AUTOCOMMIT")
        with engine.connect() as connection:
            connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
        engine.dispose()
        return self.url(name)

    def log_tail(self, lines: int = 20) -> str:
        try:
            return "\n".join(self.logfile.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def __enter__(self) -> PrivatePostgres:
        return self.start()

    def __exit__(self, *_exc) -> None:
        self.stop()


# --- clients ----------------------------------------------------------------------------------


class Browser:
    """A cookie jar and the retry rule: connection errors and 5xx are retried with the same request."""

    RETRYABLE = (OSError, http.client.HTTPException)

    def __init__(self, port: int, deadline: float = 180, abort: threading.Event | None = None) -> None:
        self.port = port
        self.cookies: dict[str, str] = {}
        self.deadline = deadline  # seconds one request may keep being retried
        self.abort = abort or threading.Event()
        self.retries = 0

    def _send(self, method: str, path: str, body: bytes | None = None) -> tuple[int, str]:
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())} if self.cookies else {}
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        status, meta, text = request("127.0.0.1", self.port, method, path, body, headers)
        for cookie in meta["set-cookie"]:
            name, _, value = cookie.split(";", 1)[0].partition("=")
            self.cookies[name.strip()] = value.strip()
        return status, text

    def send(self, method: str, path: str, body: bytes | None = None, retry: bool = True) -> tuple[int, str]:
        """Send until the answer is not a connection error or a 5xx; (0, reason) when the deadline passes.

        With retry=False, send once and return whatever comes back (a connection error raises).
        """
        if not retry:
            return self._send(method, path, body)
        give_up = time.monotonic() + self.deadline
        pause = 0.02
        while True:
            try:
                status, text = self._send(method, path, body)
                if status < 500:
                    return status, text
                reason = f"HTTP {status}"
            except self.RETRYABLE as error:
                reason = error.__class__.__name__
            if time.monotonic() > give_up or self.abort.is_set():
                return 0, reason
            self.retries += 1
            time.sleep(pause + random.random() * pause)
            pause = min(pause * 2, 0.5)


@dataclass
class Sent:
    """One submission as its client saw it."""

    index: int
    marker: str
    body: str
    named: bool
    name: str = ""
    email: str = ""
    receipt: str = ""  # the receipt code shown, when acknowledged
    status: int = 0  # the final HTTP status (200 with a receipt when acknowledged; 0: no answer)
    acknowledged_at: float = 0.0  # time.monotonic() when the receipt page arrived

    @property
    def acknowledged(self) -> bool:
        return bool(self.receipt)


def marker_for(run_id: str, index: int) -> str:
    return f"{run_id}-{index:06d}"


def body_for(run_id: str, index: int) -> str:
    return f"{BODY_PREFIX} {marker_for(run_id, index)}: the call schedule is unfair and nobody listens."


def send_one(browser: Browser, slug: str, sent: Sent, retry: bool = True) -> None:
    """Fetch the form, then post it (retrying the same tokens, unless retry=False) until there is an answer."""
    status, page = browser.send("GET", f"/t/{slug}")
    if status != 200:
        sent.status = status
        return
    hidden = hidden_fields(page)
    fields = {"comment": sent.body, "csrf_token": hidden.get("csrf_token", ""),
              "form_token": hidden.get("form_token", ""), "leave_empty": ""}
    if sent.named:
        fields.update(identity_choice="named", name=sent.name, email=sent.email, contact_ok="y")
    else:
        fields["identity_choice"] = "anonymous"
    status, page = browser.send("POST", f"/t/{slug}", urllib.parse.urlencode(fields).encode(), retry=retry)
    sent.status = status
    match = RECEIPT_CODE.search(page) if status == 200 else None
    if match:
        sent.receipt = match.group(1)
        sent.acknowledged_at = time.monotonic()


def make_submissions(run_id: str, count: int) -> list[Sent]:
    items = []
    for index in range(count):
        named = index % NAMED_EVERY == 0
        items.append(Sent(index=index, marker=marker_for(run_id, index), body=body_for(run_id, index), named=named,
                          name=f"Drill Person {index}" if named else "",
                          email=f"person{index}.{run_id}@example.org" if named else ""))
    return items


class Load:
    """`clients` threads, each with its own cookie jar, sending the submissions in turn."""

    def __init__(self, port: int, slug: str, items: list[Sent], clients: int, deadline: float = 180) -> None:
        self.port, self.slug, self.items, self.clients, self.deadline = port, slug, items, clients, deadline
        self._next = 0
        self._lock = threading.Lock()
        self.done = 0
        self.retries = 0
        self.threads = [threading.Thread(target=self._client, daemon=True) for _ in range(clients)]
        self.started = self.finished = 0.0
        self.abort = threading.Event()

    def _take(self) -> Sent | None:
        with self._lock:
            if self._next >= len(self.items):
                return None
            item = self.items[self._next]
            self._next += 1
            return item

    def _client(self) -> None:
        while not self.abort.is_set() and (item := self._take()) is not None:
            browser = Browser(self.port, self.deadline, self.abort)  # a new visitor: a cookie jar of their own
            try:
                send_one(browser, self.slug, item)
            except Exception as error:  # never let one client's surprise stop the drill silently
                log(f"client error on {item.marker}: {error!r}")
            with self._lock:
                self.done += 1
                self.retries += browser.retries

    def start(self) -> Load:
        self.started = time.monotonic()
        for thread in self.threads:
            thread.start()
        return self

    def wait(self, progress_every: float = 10, stall: float = 300) -> None:
        """Wait for every client; give up (the rest count as unanswered) if nothing is answered for `stall` s."""
        last_log = last_progress = time.monotonic()
        done = self.done
        for thread in self.threads:
            while thread.is_alive():
                thread.join(timeout=0.5)
                now = time.monotonic()
                if self.done != done:
                    done, last_progress = self.done, now
                elif now - last_progress > stall and not self.abort.is_set():
                    log(f"  nothing answered for {stall:.0f} s: giving up")
                    self.abort.set()
                if progress_every and now - last_log > progress_every:
                    last_log = now
                    log(f"  {self.done}/{len(self.items)} answered")
        self.finished = time.monotonic()

    def acknowledged(self) -> int:
        with self._lock:
            return sum(1 for item in self.items[: self._next] if item.acknowledged)


# --- counting what was stored -----------------------------------------------------------------


@dataclass
class Report:
    database: str
    submissions: int
    clients: int
    acknowledged: int = 0
    stored: int = 0
    missing: int = 0  # acknowledged but not in the database
    duplicated: int = 0  # stored more than once
    unanswered: int = 0  # no answer within the deadline (never acknowledged)
    refused: dict = field(default_factory=dict)  # final status -> count, for answers without a receipt
    stored_unacknowledged: int = 0
    receipt_mismatches: int = 0  # stored, but not under the receipt the client was shown
    integrity: str = "n/a"
    worker_kills: int = 0
    skipped_ticks: int = 0  # kill ticks when no worker had finished booting
    preload: bool = True
    db_restarts: int = 0
    retries: int = 0
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return (self.missing == 0 and self.duplicated == 0 and self.receipt_mismatches == 0
                and self.integrity in ("ok", "n/a") and self.acknowledged == self.submissions)

    def lines(self) -> list[str]:
        refused = ", ".join(f"{status or 'none'}: {n}" for status, n in sorted(self.refused.items())) or "0"
        return [
            f"database                    {self.database}",
            f"submissions / clients       {self.submissions} / {self.clients}",
            f"gunicorn                    repository config, {'--preload' if self.preload else 'no preload'}",
            f"worker SIGKILLs             {self.worker_kills} (ticks with no booted worker: {self.skipped_ticks})",
            f"database restarts           {self.db_restarts}",
            f"client retries              {self.retries}",
            f"acknowledged                {self.acknowledged}",
            f"stored                      {self.stored}",
            f"acknowledged but missing    {self.missing}",
            f"stored twice                {self.duplicated}",
            f"stored, never acknowledged  {self.stored_unacknowledged}",
            f"receipt mismatches          {self.receipt_mismatches}",
            f"unanswered / refused        {self.unanswered} / {refused}",
            f"integrity_check             {self.integrity}",
            f"wall time                   {self.seconds:.1f} s",
        ]


def sqlite_integrity(path: Path) -> str:
    import sqlite3

    connection = sqlite3.connect(path)
    try:
        rows = connection.execute("PRAGMA integrity_check").fetchall()
    finally:
        connection.close()
    return "; ".join(row[0] for row in rows)


def stored_rows(database_url: str, run_id: str) -> list[tuple[str, bytes]]:
    """(body, receipt_hash) of every submission of this run."""
    engine = sa.create_engine(database_url)
    try:
        with engine.connect() as connection:
            return list(connection.execute(
                sa.text("SELECT body, receipt_hash FROM submission WHERE body LIKE :prefix"),
                {"prefix": f"{BODY_PREFIX} {run_id}-%"}))
    finally:
        engine.dispose()


def count(report: Report, items: list[Sent], rows: list[tuple[str, bytes]], ring: crypto.KeyRing) -> Report:
    """Fill the report's figures from what the clients saw and what the database holds."""
    by_marker: dict[str, list[bytes]] = {}
    marker_of = re.compile(rf"^{BODY_PREFIX} (\S+):")
    for body, receipt_hash in rows:
        by_marker.setdefault(marker_of.match(body).group(1), []).append(bytes(receipt_hash))
    report.stored = len(rows)
    report.duplicated = sum(len(hashes) - 1 for hashes in by_marker.values() if len(hashes) > 1)
    acknowledged = [item for item in items if item.acknowledged]
    report.acknowledged = len(acknowledged)
    report.missing = sum(1 for item in acknowledged if item.marker not in by_marker)
    report.receipt_mismatches = sum(
        1 for item in acknowledged if item.marker in by_marker
        and crypto.receipt_hash(ring, item.receipt) not in by_marker[item.marker])
    acknowledged_markers = {item.marker for item in acknowledged}
    report.stored_unacknowledged = sum(1 for marker in by_marker if marker not in acknowledged_markers)
    report.unanswered = sum(1 for item in items if item.status == 0)
    report.refused = dict(Counter(item.status for item in items if not item.acknowledged and item.status))
    return report


# --- the fault drill --------------------------------------------------------------------------


def run_fault_drill(workdir: Path, database: str = "sqlite", submissions: int = 5000, clients: int = 32,
                    kill_interval: float = 0.5, db_restarts: int = 3, workers: int = 2,
                    deadline: float = 180, preload: bool = True, database_url: str = "") -> Report:
    """Send `submissions` from `clients` while workers are SIGKILLed (and PostgreSQL crash-restarted).

    database: "sqlite" (a file in a fresh instance folder) or "postgresql" (a private cluster in
    workdir, restarted with -m immediate `db_restarts` times, evenly spread over the run). With
    database_url, that (empty) PostgreSQL database is used instead, and never restarted.
    """
    workdir.mkdir(parents=True, exist_ok=True)
    run_id = f"{int(time.time())}{random.randrange(1000):03d}"
    report = Report(database=database, submissions=submissions, clients=clients, preload=preload)
    cluster = None
    try:
        if database == "postgresql" and database_url:
            url = database_url
        elif database == "postgresql":
            cluster = PrivatePostgres(workdir).start()
            url = cluster.create_database("drill")
            log(f"private PostgreSQL on port {cluster.port}")
        elif database == "sqlite":
            url = ""
        else:
            raise ValueError(f"unknown database {database!r}")
        instance = Instance(workdir, url)
        slug = instance.prepare()
        items = make_submissions(run_id, submissions)
        server = Gunicorn(instance.env, workdir / "gunicorn.log", workers=workers, preload=preload)
        with server:
            log(f"gunicorn on port {server.port} with {workers} workers; {submissions} submissions "
                f"from {clients} clients, a worker SIGKILLed every {kill_interval} s")
            killer = Killer(server, kill_interval) if kill_interval else None
            load = Load(server.port, slug, items, clients, deadline).start()
            if killer:
                killer.start()
            if cluster and db_restarts:
                _restart_during(load, cluster, db_restarts)
            load.wait()
            if killer:
                killer.stop()
                report.skipped_ticks = killer.skipped
            report.worker_kills = server.kills
        report.retries = load.retries
        report.seconds = load.finished - load.started
        if cluster:
            report.db_restarts = cluster.restarts
        count(report, items, stored_rows(instance.database_url, run_id), instance.keyring())
        if instance.sqlite_path:
            report.integrity = sqlite_integrity(instance.sqlite_path)
        return report
    finally:
        if cluster:
            cluster.stop()


def _restart_during(load: Load, cluster: PrivatePostgres, restarts: int) -> None:
    """Crash-restart the database when 1/(n+1), 2/(n+1) ... of the submissions have been acknowledged."""
    total = len(load.items)
    for n in range(1, restarts + 1):
        target = total * n // (restarts + 1)
        while load.acknowledged() < target and any(t.is_alive() for t in load.threads):
            time.sleep(0.05)
        if not any(t.is_alive() for t in load.threads):
            return
        started = time.monotonic()
        cluster.restart_immediate()
        log(f"  PostgreSQL restarted -m immediate at {load.acknowledged()}/{total} acknowledged "
            f"({time.monotonic() - started:.1f} s)")
