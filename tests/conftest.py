"""Fixtures: an app per test on SQLite (and on PostgreSQL too when FEEDBACK_TEST_DATABASE_URL is set)."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import pytest
import sqlalchemy as sa

from feedback import create_app, crypto, keyfile, logs
from feedback.models import Base
from tests.factories import make_town_hall
from tests.servers import Gunicorn
from tests.staff import staff_client

POSTGRES_SERVER_URL = os.environ.get("FEEDBACK_TEST_DATABASE_URL", "")
BACKENDS = ["sqlite"] + (["postgresql"] if POSTGRES_SERVER_URL else [])
# Each test process works in a schema of its own, so parallel runs never block each other.
SCHEMA = f"feedback_test_{os.getpid()}_{secrets.token_hex(3)}"
POSTGRES_URL = (f"{POSTGRES_SERVER_URL}{'&' if '?' in POSTGRES_SERVER_URL else '?'}"
                f"options=-csearch_path%3D{SCHEMA}") if POSTGRES_SERVER_URL else ""


def write_keyring(path: Path) -> Path:
    keyfile.save(crypto.generate_keyring(), path)
    return path


def base_config(tmp_path: Path, database_url: str, **overrides) -> dict:
    """The config a test app starts from: its own database, key ring and secret."""
    keyring_path = tmp_path / "keyring.json"
    if not keyring_path.exists():
        write_keyring(keyring_path)
    return {
        "TESTING": True,
        "SECRET_KEY": secrets.token_urlsafe(40),
        "DATABASE_URL": database_url,
        "KEYRING_PATH": str(keyring_path),
        "SUBMISSION_RATE_LIMIT": "1000 per minute",
        "RECEIPT_RATE_LIMIT": "1000 per minute",
        "STAFF_LOGIN_RATE_LIMIT": "1000 per minute",
        "ACCOUNT_LOGIN_RATE_LIMIT": "1000 per minute",
        "ARGON2": {"time_cost": 1, "memory_cost": 8, "parallelism": 1},  # cheap, for tests only
        # Every change on the room's pages at once (tests/views/test_live_audience.py tests the reuse itself).
        "LIVE_FEED_REUSE_SECONDS": 0,
        **overrides,
    }


def reset_postgres(url: str) -> None:
    """Empty this process's schema: everything in it goes, whatever a test left behind."""
    engine = sa.create_engine(POSTGRES_SERVER_URL)
    with engine.begin() as connection:
        connection.exec_driver_sql(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE")
        connection.exec_driver_sql(f"CREATE SCHEMA {SCHEMA}")
    engine.dispose()


@pytest.fixture(scope="session", autouse=True)
def postgres_schema():
    """Create this process's schema on the PostgreSQL server (when one is configured), drop it at the end."""
    if not POSTGRES_SERVER_URL:
        yield
        return
    reset_postgres(POSTGRES_URL)
    yield
    engine = sa.create_engine(POSTGRES_SERVER_URL)
    with engine.begin() as connection:
        connection.exec_driver_sql(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE")
    engine.dispose()


class _TimerThatNeverFires:
    """Stands in for the hourly report's timer, so no report is flushed in the middle of another test."""

    daemon = True

    def __init__(self, _seconds, _function) -> None:
        pass

    def start(self) -> None:
        pass


@pytest.fixture(autouse=True)
def quiet_hourly_report(monkeypatch):
    """Each test starts with an empty hourly report whose timer never fires (tests/test_logs.py fires its own)."""
    monkeypatch.setattr(logs, "hourly", logs.HourlyReport(timer=_TimerThatNeverFires))


def pytest_collection_modifyitems(config, items):
    """Leave out, rather than skip, a backend(name) test's runs on the other database."""
    kept, left_out = [], []
    for item in items:
        marker = item.get_closest_marker("backend")
        backend = item.callspec.params.get("database_url") if hasattr(item, "callspec") else None
        (left_out if marker and backend and backend not in marker.args else kept).append(item)
    if left_out:
        config.hook.pytest_deselected(items=left_out)
        items[:] = kept


@pytest.fixture(params=BACKENDS)
def database_url(request, tmp_path: Path):
    """A fresh, empty database for one test."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'feedback.sqlite3'}"
        return
    reset_postgres(POSTGRES_URL)
    yield POSTGRES_URL
    reset_postgres(POSTGRES_URL)


@pytest.fixture
def make_app(tmp_path: Path, database_url: str):
    """Build an app with the schema in place; keyword arguments override the test config."""
    apps = []

    def make(**overrides):
        app = create_app(base_config(tmp_path, database_url, **overrides))
        Base.metadata.create_all(app.extensions["feedback_engine"])
        apps.append(app)
        return app

    yield make
    for app in apps:
        app.extensions["feedback_engine"].dispose()


@pytest.fixture
def app(make_app):
    return make_app()


@pytest.fixture
def sqlite_app(tmp_path: Path):
    """An app on SQLite whatever the backends, for tests that read the database file itself."""
    app = create_app(base_config(tmp_path, f"sqlite:///{tmp_path / 'file.sqlite3'}"))
    Base.metadata.create_all(app.extensions["feedback_engine"])
    yield app
    app.extensions["feedback_engine"].dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def db_session(app):
    """A session on the test app's database, for arranging data and inspecting what was stored.

    It pushes no app context, so each test request gets its own context and session, as in production.
    """
    session = app.extensions["feedback_db"]()
    yield session
    session.close()


@pytest.fixture
def ring(app) -> crypto.KeyRing:
    return app.extensions["feedback_keyring"]


@pytest.fixture
def facilitator(app):
    """A test client logged in as a facilitator (facilitator@example.org)."""
    return staff_client(app, "facilitator")


@pytest.fixture
def leader(app):
    """A test client logged in as a leader (leader@example.org)."""
    return staff_client(app, "leader")


@pytest.fixture
def hall(db_session):
    return make_town_hall(db_session, "Belonging on the wards")


@pytest.fixture
def gunicorn(tmp_path: Path):
    """gunicorn(env, **options): the repository's config on a free loopback port, serving; stopped after the test."""
    servers: list[Gunicorn] = []

    def start(env: dict[str, str], log_path: Path | None = None, **options) -> Gunicorn:
        server = Gunicorn(env, log_path or tmp_path / f"gunicorn-{len(servers)}.log", **options)
        servers.append(server)
        return server.start()

    yield start
    for server in servers:
        server.stop()
