"""Issue 5, point 1: gunicorn with the repository's config migrates once, then serves, keeping no addresses."""

from __future__ import annotations

import os
import re
import secrets
import subprocess
import sys
import urllib.error
import urllib.parse
import urllib.request
from http.cookiejar import CookieJar
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy import orm

from feedback.db import make_engine
from feedback.forms.public import COMMENT_MAX
from tests.browsing import RECEIPT_CODE, hidden_fields, send_concern_over_http
from tests.conftest import write_keyring
from tests.factories import make_town_hall
from tests.servers import GUNICORN_CONF, free_port, request

QUERY_SECRET = "query-secret-7c1f"


def server_env(tmp_path: Path, database: Path, with_keys: bool = True) -> dict[str, str]:
    instance = tmp_path / "instance"
    instance.mkdir(exist_ok=True)
    if with_keys:
        write_keyring(instance / "keyring.json")
    (tmp_path / "home").mkdir(exist_ok=True)
    (tmp_path / "run").mkdir(exist_ok=True)
    env = {**os.environ, "FEEDBACK_INSTANCE_PATH": str(instance), "FEEDBACK_SECRET_KEY": secrets.token_urlsafe(40),
           "FEEDBACK_DATABASE_URL": f"sqlite:///{database}", "HOME": str(tmp_path / "home"),
           "XDG_RUNTIME_DIR": str(tmp_path / "run"),
           # Every post comes from 127.0.0.1 and these tests are not about limits (test_rate_limit_workers
           # is): the default 20 a minute, counted per worker, refused some of the concurrent posts below.
           "FEEDBACK_SUBMISSION_RATE_LIMIT": "1000 per minute"}
    for name in ("FEEDBACK_KEYRING_PATH", "FEEDBACK_RATELIMIT_STORAGE_URI", "GUNICORN_MIGRATE"):
        env.pop(name, None)
    return env


def post_concern(base_url: str, slug: str) -> str:
    return send_concern_over_http(base_url, slug, "Sent through gunicorn", "Ngozi Abernathy-Cole",
                                  "ngozi@example.org", query=f"?{QUERY_SECRET}=1")


def test_gunicorn_migrates_before_two_workers_start_and_serves_a_submission(tmp_path, gunicorn):
    database = tmp_path / "fresh.sqlite3"  # no schema yet: the arbiter must create it, once
    server = gunicorn(server_env(tmp_path, database), workers=2, cwd=tmp_path)
    port = server.port
    engine = make_engine(f"sqlite:///{database}")
    with orm.Session(engine, expire_on_commit=False) as session:
        slug = make_town_hall(session).slug
    code = post_concern(server.base_url, slug)
    with engine.connect() as connection:
        tables = set(sa.inspect(connection).get_table_names())
        stored = connection.execute(sa.text("SELECT count(*) FROM submission")).scalar_one()
        version = connection.execute(sa.text("SELECT version_num FROM alembic_version")).scalar_one()
    engine.dispose()
    server.stop()
    text = server.log_text()
    assert {"submission", "identity", "town_hall", "alembic_version"} <= tables
    assert version and stored == 1
    assert "Database schema is up to date." in text
    # The schema was made before the workers started: two booted and none failed on a half-made schema.
    assert text.index("Database schema is up to date.") < text.index("Booting worker")
    assert len(re.findall(r"Booting worker with pid", text)) >= 2
    assert "Traceback" not in text and "Worker failed" not in text
    access = [line for line in text.splitlines() if line.startswith('"')]
    assert not any("/t/" in line for line in access), text  # submitter pages get no line (issue 12)
    for line in access:
        assert "127.0.0.1" not in line and "?" not in line, line
    # The only address in the whole log is the one gunicorn listens on; never a client's.
    assert text.count("127.0.0.1") == text.count(f"Listening at: http://127.0.0.1:{port}")
    for value in (QUERY_SECRET, code, "Ngozi", "ngozi@example.org"):
        assert value not in text, value
    # --no-control-socket: nothing in ~/.gunicorn or $XDG_RUNTIME_DIR.
    assert not (tmp_path / "home" / ".gunicorn").exists()
    assert list((tmp_path / "run").iterdir()) == []


def _submitter_journey(base_url: str, slug: str) -> dict[str, set[int]]:
    """Send a named and an anonymous concern, check both receipts, answer, withdraw, fetch the receipt's script.

    Returns the sizes on the wire (status line, headers and body) of the receipt pages and of the status pages.
    """
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))
    sizes: dict[str, set[int]] = {"receipt": set(), "status": set()}

    def post(path: str, kind: str = "", **fields: str) -> str:
        with opener.open(f"{base_url}{path}", data=urllib.parse.urlencode(fields).encode(), timeout=10) as answer:
            body = answer.read()
            if kind:
                sizes[kind].add(len(str(answer.headers)) + len(body))
        return body.decode()

    def send(comment: str, **identity: str) -> str:
        form = opener.open(f"{base_url}/t/{slug}", timeout=10).read().decode()
        page = post(f"/t/{slug}", "receipt", comment=comment, **identity, **hidden_fields(form))
        match = RECEIPT_CODE.search(page)
        assert match, page
        return match.group(1)

    named = send("Sent through gunicorn", identity_choice="named", name="Ngozi Abernathy-Cole",
                 email="ngozi@example.org")
    anonymous = send("x" * COMMENT_MAX, identity_choice="anonymous")
    opener.open(f"{base_url}/", timeout=10).read()
    opener.open(f"{base_url}/static/js/copy.js", timeout=10).read()
    check = opener.open(f"{base_url}/receipt", timeout=10).read().decode()
    assert "x" * COMMENT_MAX in post("/receipt", "status", code=anonymous, **hidden_fields(check))
    status = post("/receipt", "status", code=named, **hidden_fields(check))
    assert "Sent through gunicorn" in status
    status = post("/receipt/reply", "status", code=named, answer="Thank you for asking", **hidden_fields(status))
    assert "Thank you for asking" in status
    assert "was withdrawn" in post("/receipt/withdraw", code=named, confirm="y", **hidden_fields(status))
    return sizes


def test_gunicorn_writes_no_access_line_for_submitter_requests_and_keeps_staff_lines(tmp_path, gunicorn):
    """Issue 12, item 2: a submitter's lines sat among staff lines in arrival order, so timed staff events
    placed them; the shipped config writes none, and staff requests are still logged, in order."""
    database = tmp_path / "mix.sqlite3"
    server = gunicorn(server_env(tmp_path, database), workers=1, cwd=tmp_path)
    engine = make_engine(f"sqlite:///{database}")
    with orm.Session(engine, expire_on_commit=False) as session:
        slug = make_town_hall(session).slug
    engine.dispose()
    log_start = len(server.log_text())
    staff = ["/login", "/staff", "/facilitate/", "/leadership/"]
    for path in staff[:2]:
        request("127.0.0.1", server.port, "GET", path)
    sizes = _submitter_journey(server.base_url, slug)
    for path in staff[2:]:
        request("127.0.0.1", server.port, "GET", path)
    server.stop()
    access = [line for line in server.log_text()[log_start:].splitlines() if line.startswith('"')]
    assert [line.split()[1] for line in access] == staff, access
    assert "Traceback" not in server.log_text()
    # Issue 12, item 3, on the wire: named or anonymous, 21 characters or the most allowed, one size.
    assert len(sizes["receipt"]) == len(sizes["status"]) == 1, sizes


def test_gunicorn_refuses_to_start_workers_when_the_schema_cannot_be_upgraded(tmp_path):
    env = {**server_env(tmp_path, tmp_path / "fresh.sqlite3", with_keys=False),  # no key ring: refuse
           "GUNICORN_BIND": f"127.0.0.1:{free_port()}", "GUNICORN_WORKERS": "2"}
    done = subprocess.run([sys.executable, "-m", "gunicorn", "-c", str(GUNICORN_CONF)], env=env, cwd=tmp_path,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode != 0
    output = done.stdout + done.stderr
    assert "Schema upgrade failed" in output and "flask --app feedback init" in output
    assert "Booting worker" not in output


def test_threaded_workers_store_concurrent_submissions_on_sqlite(tmp_path, gunicorn):
    """GUNICORN_THREADS: gthread workers, each thread with its own connection; SQLite writers wait their turn."""
    from concurrent.futures import ThreadPoolExecutor

    database = tmp_path / "threads.sqlite3"
    server = gunicorn({**server_env(tmp_path, database), "GUNICORN_THREADS": "4"}, workers=2, cwd=tmp_path)
    engine = make_engine(f"sqlite:///{database}")
    with orm.Session(engine, expire_on_commit=False) as session:
        slug = make_town_hall(session).slug
    with ThreadPoolExecutor(max_workers=12) as pool:
        codes = list(pool.map(lambda _: post_concern(server.base_url, slug), range(24)))
    with engine.connect() as connection:
        stored = connection.execute(sa.text("SELECT count(*) FROM submission")).scalar_one()
    engine.dispose()
    server.stop()
    text = server.log_text()
    assert "Using worker: gthread" in text
    assert len(set(codes)) == 24 and stored == 24
    assert "Traceback" not in text


def test_each_worker_freezes_what_it_loaded_so_collections_skip_it():
    """After loading the app, a worker moves its long-lived objects out of the garbage collector's walk."""
    import gc
    import runpy

    settings = runpy.run_path(str(GUNICORN_CONF))
    gc.unfreeze()
    try:
        settings["post_worker_init"](None)
        assert gc.get_freeze_count() > 1000
    finally:
        gc.unfreeze()


def test_what_a_migration_says_while_upgrading_reaches_the_server_log(monkeypatch):
    """A warning from a migration (0005 leaving an account's email as it was) is not swallowed on success."""
    import runpy
    import subprocess as subprocess_module

    said = ("Staff account 2 keeps its email as it was: another account has the same one once casefolded.\n"
            "Database upgraded to head.\n")
    monkeypatch.setattr(subprocess_module, "run",
                        lambda *_args, **_kwargs: subprocess_module.CompletedProcess([], 0, stdout=said))
    logged: list[tuple[str, str]] = []

    class Log:
        def info(self, message, *args):
            logged.append(("info", message % args))

        def warning(self, message, *args):
            logged.append(("warning", message % args))

    class Server:
        log = Log()

    runpy.run_path(str(GUNICORN_CONF))["_upgrade_schema"](Server(), reloading=False)

    assert ("info", "Database schema is up to date.") in logged
    warnings = [text for level, text in logged if level == "warning"]
    assert len(warnings) == 1 and "Staff account 2 keeps its email" in warnings[0]
    assert "Database upgraded" not in warnings[0]


def test_gunicorn_writes_no_line_when_a_submitter_page_fails(tmp_path, gunicorn):
    """The error waits in the worker's hourly report (tests/test_logs.py flushes one); nothing at the moment."""
    database = tmp_path / "broken.sqlite3"
    server = gunicorn(server_env(tmp_path, database), workers=1, cwd=tmp_path)
    engine = make_engine(f"sqlite:///{database}")
    with orm.Session(engine, expire_on_commit=False) as session:
        make_town_hall(session)
    with engine.begin() as connection:  # every receipt check now fails on the database
        connection.exec_driver_sql("ALTER TABLE submission RENAME TO submission_gone")
    engine.dispose()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))
    form = opener.open(f"{server.base_url}/receipt", timeout=10).read().decode()
    data = {"code": "ABCD-2345-EFGH-6789-JKMN", **hidden_fields(form)}
    try:
        opener.open(urllib.request.Request(f"{server.base_url}/receipt", data=urllib.parse.urlencode(data).encode()),
                    timeout=10)
        status = 200
    except urllib.error.HTTPError as error:
        status = error.code
    server.stop()
    text = server.log_text()
    assert status == 500, text
    for detail in ("Traceback", "ERROR", "OperationalError", "submitter page", "receipts", "/receipt"):
        assert detail not in text, (detail, text)
