"""Promises 1, 2 and 5: no metadata, identities sealed, receipts secret, in the files and in the logs."""

from __future__ import annotations

import logging
import os
import secrets
import socket
import subprocess
import sys
import threading
import urllib.request

import sqlalchemy as sa
from werkzeug.serving import make_server

from feedback.models import Base
from tests.browsing import receipt_code, send_concern, send_concern_over_http
from tests.conftest import write_keyring
from tests.factories import make_town_hall
from tests.stored import database_bytes

PEOPLE = [("Zanele Mokoena-Fairweather", "zanele.fairweather@example.org"),
          ("Bartholomew Quispe", "b.quispe@example.org")]
CLIENT_ADDRESS = "203.0.113.77"
USER_AGENT = "PrivacyProbe/9.9 (unique-agent-string)"
REFERRER = "https://referrer.example/secret-page"


def forbidden_strings(*codes: str) -> list[str]:
    found = [value for person in PEOPLE for value in person]
    return found + [CLIENT_ADDRESS, USER_AGENT, REFERRER, "unique-agent-string", *codes]


def test_names_emails_addresses_and_receipts_appear_nowhere_in_the_database_files(sqlite_app, caplog):
    caplog.set_level(logging.DEBUG)
    client = sqlite_app.test_client()
    client.environ_base.update(REMOTE_ADDR=CLIENT_ADDRESS, HTTP_USER_AGENT=USER_AGENT, HTTP_REFERER=REFERRER)
    session = sqlite_app.extensions["feedback_db"]()
    hall = make_town_hall(session)
    codes = []
    for name, email in PEOPLE:
        response = send_concern(client, hall.slug, f"Concern from a named person, {secrets.token_hex(4)}",
                                identity_choice="named", name=name, email=email, contact_ok="y")
        assert response.status_code == 200
        codes.append(receipt_code(response))
    session.close()
    stored = database_bytes(sqlite_app)
    assert b"Concern from a named person" in stored  # the files do hold what we expect ...
    for value in forbidden_strings(*codes, *(c.replace("-", "") for c in codes)):
        assert value.encode() not in stored, value  # ... and none of this
        assert value.lower().encode() not in stored.lower(), value
        assert value not in caplog.text, value


# Staff sessions and the audit log record staff actions with their time; nothing about a submitter. So do the
# mail queue (a staff action or the sender's run made each row; a submitter's request never writes one), the
# mail choices (the hour answers were last counted, on the hour: issue 12's one-hour bar) and bulk changes
# (a facilitator's bulk action, kept for undo; the audit log holds the same moment).
STAFF_TIME_TABLES = {"staff_session", "audit_event", "notification_preference", "outgoing_mail", "bulk_change"}


def test_no_column_about_submitters_can_hold_a_time_of_day():
    for table in Base.metadata.tables.values():
        if table.name in STAFF_TIME_TABLES:
            continue
        for column in table.columns:
            assert not isinstance(column.type, (sa.DateTime, sa.Time)), f"{table.name}.{column.name}"


def test_a_me_too_vote_stores_its_question_and_a_per_question_key_only():
    """No address, identity, time or order column: the vote table is keyed by the question and the browser's key."""
    table = Base.metadata.tables["live_vote"]
    assert [column.name for column in table.columns] == ["submission_id", "voter_key", "held"]  # held: a flag
    assert [column.name for column in table.primary_key] == ["submission_id", "voter_key"]
    assert table.dialect_options["sqlite"]["with_rowid"] is False


def post_concern_over_http(base_url: str, slug: str, name: str, email: str) -> str:
    return send_concern_over_http(base_url, slug, "Words sent over real HTTP", name, email,
                                  headers={"User-Agent": USER_AGENT, "Referer": REFERRER})


def test_the_development_server_logs_no_client_address_or_identity(sqlite_app, caplog):
    caplog.set_level(logging.DEBUG)
    session = sqlite_app.extensions["feedback_db"]()
    slug = make_town_hall(session).slug
    session.close()
    server = make_server("127.0.0.1", 0, sqlite_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        code = post_concern_over_http(f"http://127.0.0.1:{server.server_port}", slug, *PEOPLE[0])
        urllib.request.urlopen(f"http://127.0.0.1:{server.server_port}/login?next=/staff", timeout=10).read()
    finally:
        server.shutdown()
    assert '"GET /login HTTP/1.1" 200' in caplog.text  # a staff page's access line is there ...
    assert "/t/" not in caplog.text  # ... a submitter's is not (issue 12) ...
    for value in ["127.0.0.1", "?next", *forbidden_strings(code)]:
        assert value not in caplog.text, value  # ... and nothing says who sent what


def test_gunicorn_with_the_shipped_config_logs_no_client_address(tmp_path, gunicorn):
    instance = tmp_path / "instance"
    instance.mkdir()
    write_keyring(instance / "keyring.json")
    database = tmp_path / "gunicorn.sqlite3"
    env = {**os.environ, "FEEDBACK_INSTANCE_PATH": str(instance), "FEEDBACK_SECRET_KEY": secrets.token_urlsafe(40),
           "FEEDBACK_DATABASE_URL": f"sqlite:///{database}"}
    env.pop("FEEDBACK_KEYRING_PATH", None)
    flask = [sys.executable, "-m", "flask", "--app", "feedback"]
    subprocess.run([*flask, "db", "upgrade"], env=env, check=True, capture_output=True, timeout=60)
    created = subprocess.run([*flask, "create-town-hall", "--title", "Gunicorn hall", "--date", "2026-01-01",
                              "--opens", "2000-01-01", "--closes", "2999-12-31"],
                             env=env, check=True, capture_output=True, text=True, timeout=60)
    assert "/t/gunicorn-hall" in created.stdout
    server = gunicorn(env, workers=1)
    code = post_concern_over_http(server.base_url, "gunicorn-hall", *PEOPLE[1])
    urllib.request.urlopen(f"{server.base_url}/login", timeout=10).read()
    with socket.create_connection(("127.0.0.1", server.port), timeout=5) as raw:  # a malformed request
        raw.sendall(b"NONSENSE\x01 / HTTP/9\r\n\r\n")
        raw.recv(1024)
    server.stop()
    text = server.log_text()
    assert '"GET /login HTTP/1.1" 200' in text and "/t/gunicorn-hall" not in text  # staff lines only
    assert "Invalid request from ip=[address]" in text
    for value in ["127.0.0.1 ", *forbidden_strings(code)]:
        assert value not in text, value
