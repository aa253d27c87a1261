"""Browser fixtures: Debian's Chromium, the app on a live 127.0.0.1 server, and a guard on every page.

Every test in this folder is marked ``browser``. The tests never skip: if Chromium is missing they fail
and say so.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask
from werkzeug.serving import make_server

from feedback import create_app
from feedback.models import Base, Submission, TownHall
from tests.browser.steps import LOCAL_HOST, assert_no_third_party_requests, guard_page
from tests.conftest import base_config
from tests.factories import make_town_hall

HERE = Path(__file__).resolve().parent
CHROMIUM_PATHS = (Path("/usr/lib/chromium/chromium"), Path("/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def pytest_collection_modifyitems(config, items):
    """Mark every test collected from this folder (and only those) as a browser test."""
    for item in items:
        if HERE in Path(str(item.path)).resolve().parents:
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser_type_launch_args() -> dict:
    """Launch Debian's Chromium headless; `playwright install` cannot download a browser here."""
    executable = next((path for path in CHROMIUM_PATHS if path.exists()), None)
    if executable is None:
        pytest.fail(
            "Debian's Chromium was not found at /usr/lib/chromium/chromium or /usr/bin/chromium. "
            "Install it with `apt-get update && apt-get install -y chromium`; browser tests never skip.",
            pytrace=False,
        )
    return {"executable_path": str(executable), "args": CHROMIUM_ARGS, "headless": True}


@pytest.fixture(scope="session")
def base_url() -> None:
    """No base URL for contexts: tests use live_server.url(). (This also replaces pytest-playwright's
    fallback base_url fixture, a method-style session fixture that pytest 9 warns about.)"""
    return None


@dataclass
class LiveServer:
    """The app served on 127.0.0.1, with one open, one upcoming and one closed town hall."""

    base_url: str
    database_path: Path
    open_slug: str
    open_title: str
    upcoming_slug: str
    closed_slug: str
    app: Flask | None = None
    # Set post_delay to hold each POST that long before the app sees it (a slow connection).
    post_delay: float = 0.0
    posts_received: int = 0
    posts_answered: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def wsgi(self, app):
        """Wrap the app to count the POSTs that reach it and are answered, and apply post_delay."""

        def serve(environ, start_response):
            is_post = environ["REQUEST_METHOD"] == "POST"
            if is_post:
                with self._lock:
                    self.posts_received += 1
                if self.post_delay:
                    time.sleep(self.post_delay)
            try:
                return app(environ, start_response)
            finally:
                if is_post:
                    with self._lock:
                        self.posts_answered += 1

        return serve

    def url(self, path: str = "/") -> str:
        return self.base_url + path

    def open_hall(self, session) -> TownHall:
        """The open town hall, read with this session (to arrange data in it through the services)."""
        return session.scalar(sa.select(TownHall).where(TownHall.slug == self.open_slug))

    def stored(self, query) -> list:
        """The rows a query finds in the SQLite file, read afresh from the file."""
        engine = sa.create_engine(f"sqlite:///{self.database_path}")
        try:
            with engine.connect() as connection:
                return list(connection.execute(query))
        finally:
            engine.dispose()

    def count_submissions(self) -> int:
        """How many submissions the SQLite file holds, read afresh from the file."""
        return self.stored(sa.select(sa.func.count()).select_from(Submission))[0][0]


@pytest.fixture
def live_server(tmp_path: Path):
    """A fresh app and database per test, served by werkzeug in a daemon thread."""
    database_path = tmp_path / "browser.sqlite3"
    app = create_app(base_config(tmp_path, f"sqlite:///{database_path}"))
    engine = app.extensions["feedback_engine"]
    Base.metadata.create_all(engine)
    with app.app_context():
        session = app.extensions["feedback_db"]()
        try:
            open_hall = make_town_hall(session, "Belonging on the wards", "open")
            upcoming_hall = make_town_hall(session, "Night shift safety", "upcoming")
            closed_hall = make_town_hall(session, "Parking and access", "closed")
            slugs = open_hall.slug, open_hall.title, upcoming_hall.slug, closed_hall.slug
        finally:
            session.close()

    live = LiveServer("", database_path, *slugs, app=app)
    server = make_server(LOCAL_HOST, 0, live.wsgi(app), threaded=True)
    live.base_url = f"http://{LOCAL_HOST}:{server.server_port}"
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield live
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
        engine.dispose()


@pytest.fixture
def arranged(live_server):
    """The live server's app, to arrange data through the services as the app itself would."""
    return live_server.app


@pytest.fixture
def page(context):
    """pytest-playwright's page, guarded against third-party requests; checked again at teardown."""
    guarded = guard_page(context.new_page())
    yield guarded
    assert_no_third_party_requests(guarded)
