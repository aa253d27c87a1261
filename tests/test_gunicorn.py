"""Issue 5, point 1: gunicorn with the repository's config migrates once, then serves, keeping no addresses."""

from __future__ import annotations

import os
import re
import secrets
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from http.cookiejar import CookieJar
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy import orm

from feedback.db import make_engine
from tests.browsing import RECEIPT_CODE, hidden_fields
from tests.conftest import write_keyring
from tests.factories import make_town_hall

ROOT = Path(__file__).resolve().parents[1]
CONFIG = ROOT / "gunicorn.conf.py"
QUERY_SECRET = "query-secret-7c1f"
PORTS = range(18500, 18999)  # this suite's share of the shared machine's ports


def free_port() -> int:
    for port in PORTS:
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    pytest.skip("no free port in 18500-18998")


def server_env(tmp_path: Path, database: Path, port: int, with_keys: bool = True) -> dict[str, str]:
    instance = tmp_path / "instance"
    instance.mkdir(exist_ok=True)
    if with_keys:
        write_keyring(instance / "keyring.json")
    (tmp_path / "home").mkdir(exist_ok=True)
    (tmp_path / "run").mkdir(exist_ok=True)
    env = {**os.environ, "FEEDBACK_INSTANCE_PATH": str(instance), "FEEDBACK_SECRET_KEY": secrets.token_urlsafe(40),
           "FEEDBACK_DATABASE_URL": f"sqlite:///{database}", "GUNICORN_BIND": f"127.0.0.1:{port}",
           "GUNICORN_WORKERS": "2", "HOME": str(tmp_path / "home"), "XDG_RUNTIME_DIR": str(tmp_path / "run")}
    for name in ("FEEDBACK_KEYRING_PATH", "FEEDBACK_RATELIMIT_STORAGE_URI", "GUNICORN_MIGRATE"):
        env.pop(name, None)
    return env


def wait_until_serving(base_url: str, server: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 30
    while True:
        assert server.poll() is None, log.read_text()
        try:
            urllib.request.urlopen(base_url + "/", timeout=2)
            return
        except OSError:
            assert time.monotonic() < deadline, log.read_text()
            time.sleep(0.1)


def post_concern(base_url: str, slug: str) -> str:
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))
    form = opener.open(f"{base_url}/t/{slug}?{QUERY_SECRET}=1", timeout=10).read().decode()
    data = {"comment": "Sent through gunicorn", "identity_choice": "named", "name": "Ngozi Abernathy-Cole",
            "email": "ngozi@example.org", **hidden_fields(form)}
    page = opener.open(f"{base_url}/t/{slug}", data=urllib.parse.urlencode(data).encode(), timeout=10)
    assert page.status == 200
    match = RECEIPT_CODE.search(page.read().decode())
    assert match, "no receipt on the page"
    return match.group(1)


def test_gunicorn_migrates_before_two_workers_start_and_serves_a_submission(tmp_path):
    database = tmp_path / "fresh.sqlite3"  # no schema yet: the arbiter must create it, once
    port = free_port()
    env = server_env(tmp_path, database, port)
    log = tmp_path / "gunicorn.log"
    with log.open("w") as out:
        server = subprocess.Popen([sys.executable, "-m", "gunicorn", "-c", str(CONFIG)],
                                  env=env, cwd=tmp_path, stdout=out, stderr=subprocess.STDOUT)
        try:
            base_url = f"http://127.0.0.1:{port}"
            wait_until_serving(base_url, server, log)
            engine = make_engine(f"sqlite:///{database}")
            with orm.Session(engine, expire_on_commit=False) as session:
                slug = make_town_hall(session).slug
            code = post_concern(base_url, slug)
            with engine.connect() as connection:
                tables = set(sa.inspect(connection).get_table_names())
                stored = connection.execute(sa.text("SELECT count(*) FROM submission")).scalar_one()
                version = connection.execute(sa.text("SELECT version_num FROM alembic_version")).scalar_one()
            engine.dispose()
        finally:
            server.terminate()
            server.wait(timeout=30)
    text = log.read_text()
    assert {"submission", "identity", "town_hall", "alembic_version"} <= tables
    assert version and stored == 1
    assert "Database schema is up to date." in text
    # The schema was made before the workers started: two booted and none failed on a half-made schema.
    assert text.index("Database schema is up to date.") < text.index("Booting worker")
    assert len(re.findall(r"Booting worker with pid", text)) >= 2
    assert "Traceback" not in text and "Worker failed" not in text
    access = [line for line in text.splitlines() if line.startswith('"')]
    assert any(line.startswith(f'"POST /t/{slug} HTTP/1.1" 200 ') for line in access), text
    assert any(line.startswith(f'"GET /t/{slug} HTTP/1.1" 200 ') for line in access), text
    for line in access:
        assert "127.0.0.1" not in line and "?" not in line, line
    # The only address in the whole log is the one gunicorn listens on; never a client's.
    assert text.count("127.0.0.1") == text.count(f"Listening at: http://127.0.0.1:{port}")
    for value in (QUERY_SECRET, code, "Ngozi", "ngozi@example.org"):
        assert value not in text, value
    # --no-control-socket: nothing in ~/.gunicorn or $XDG_RUNTIME_DIR.
    assert not (tmp_path / "home" / ".gunicorn").exists()
    assert list((tmp_path / "run").iterdir()) == []


def test_gunicorn_refuses_to_start_workers_when_the_schema_cannot_be_upgraded(tmp_path):
    port = free_port()
    env = server_env(tmp_path, tmp_path / "fresh.sqlite3", port, with_keys=False)  # no key ring: refuse
    done = subprocess.run([sys.executable, "-m", "gunicorn", "-c", str(CONFIG)], env=env, cwd=tmp_path,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode != 0
    output = done.stdout + done.stderr
    assert "Schema upgrade failed" in output and "flask --app feedback init" in output
    assert "Booting worker" not in output


def test_threaded_workers_store_concurrent_submissions_on_sqlite(tmp_path):
    """GUNICORN_THREADS: gthread workers, each thread with its own connection; SQLite writers wait their turn."""
    from concurrent.futures import ThreadPoolExecutor

    database = tmp_path / "threads.sqlite3"
    port = free_port()
    env = {**server_env(tmp_path, database, port), "GUNICORN_THREADS": "4"}
    log = tmp_path / "gunicorn.log"
    with log.open("w") as out:
        server = subprocess.Popen([sys.executable, "-m", "gunicorn", "-c", str(CONFIG)],
                                  env=env, cwd=tmp_path, stdout=out, stderr=subprocess.STDOUT)
        try:
            base_url = f"http://127.0.0.1:{port}"
            wait_until_serving(base_url, server, log)
            engine = make_engine(f"sqlite:///{database}")
            with orm.Session(engine, expire_on_commit=False) as session:
                slug = make_town_hall(session).slug
            with ThreadPoolExecutor(max_workers=12) as pool:
                codes = list(pool.map(lambda _: post_concern(base_url, slug), range(24)))
            with engine.connect() as connection:
                stored = connection.execute(sa.text("SELECT count(*) FROM submission")).scalar_one()
            engine.dispose()
        finally:
            server.terminate()
            server.wait(timeout=30)
    text = log.read_text()
    assert "Using worker: gthread" in text
    assert len(set(codes)) == 24 and stored == 24
    assert "Traceback" not in text


def test_each_worker_freezes_what_it_loaded_so_collections_skip_it():
    """After loading the app, a worker moves its long-lived objects out of the garbage collector's walk."""
    import gc
    import runpy

    settings = runpy.run_path(str(CONFIG))
    gc.unfreeze()
    try:
        settings["post_worker_init"](None)
        assert gc.get_freeze_count() > 1000
    finally:
        gc.unfreeze()
