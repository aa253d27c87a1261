"""The bare baseline for bench/intake_wrk.py: a minimal Flask app that stores one row per POST.

    BASELINE_DATABASE_URL=sqlite:////tmp/x.sqlite3 gunicorn -c gunicorn.conf.py bench.baseline_app:app

It reads the same form the real submission POST sends and inserts its text into a table shaped like
`submission`, on the same database with the same durability (on SQLite: WAL, synchronous=FULL, the
write lock taken up front), and answers with a small page. No templates, no CSRF, no form token, no
receipt, no sealing, no rate limit: what is left is Flask, gunicorn and the durable commit.
"""

from __future__ import annotations

import os
import uuid
from datetime import date

import sqlalchemy as sa
from flask import Flask, request

metadata = sa.MetaData()
rows = sa.Table(
    "baseline_submission",
    metadata,
    sa.Column("id", sa.Uuid, primary_key=True),
    sa.Column("body", sa.Text, nullable=False),
    sa.Column("received_on", sa.Date, nullable=False),
    sa.Column("affiliation", sa.String(64)),
    sa.Column("is_named", sa.Boolean, nullable=False),
)


def make_engine(url: str) -> sa.Engine:
    if not url.startswith("sqlite"):
        return sa.create_engine(url, pool_pre_ping=True)
    engine = sa.create_engine(url, connect_args={"timeout": 10})

    @sa.event.listens_for(engine, "connect")
    def _pragmas(dbapi_connection, _record) -> None:
        dbapi_connection.isolation_level = None
        for pragma in ("journal_mode=WAL", "synchronous=FULL", "busy_timeout=10000"):
            dbapi_connection.execute(f"PRAGMA {pragma}")

    @sa.event.listens_for(engine, "begin")
    def _begin(connection) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


def create_table(url: str) -> None:
    """Create the table (once, before the workers start) and empty it."""
    engine = make_engine(url)
    with engine.begin() as connection:
        metadata.create_all(connection)
        connection.execute(rows.delete())
    engine.dispose()


def create_app(url: str | None = None) -> Flask:
    app = Flask(__name__)
    engine = make_engine(url or os.environ["BASELINE_DATABASE_URL"])

    @app.post("/t/<slug>")
    def submit(slug: str):
        with engine.begin() as connection:
            connection.execute(sa.insert(rows).values(
                id=uuid.uuid4(), body=request.form.get("comment", ""), received_on=date.today(),
                affiliation=request.form.get("affiliation") or None,
                is_named=request.form.get("identity_choice") == "named"))
        return "<!doctype html><title>Received</title><p>Thank you, it was received.</p>"

    return app


if "BASELINE_DATABASE_URL" in os.environ:
    app = create_app()
