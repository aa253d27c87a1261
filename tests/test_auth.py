"""Staff login: same answer for unknown and wrong, new session at login, timeouts, logout, throttling."""

from __future__ import annotations

import json
import uuid
from datetime import timedelta

import pytest
import sqlalchemy as sa

from feedback.models import AuditEvent, StaffSession
from tests.browsing import csrf_for
from tests.staff import PASSWORD, log_in, log_out, make_staff, staff_client

WRONG = "That email and password do not match an active account."


def test_a_facilitator_logs_in_and_lands_on_the_staff_home(app, client):
    make_staff(app, "facilitator", "fola@example.org", "Fola")
    response = log_in(client, "FOLA@example.org ")
    assert response.status_code == 302 and response.headers["Location"].endswith("/staff")
    assert "Welcome, Fola" in client.get("/staff").get_data(as_text=True)


def test_a_wrong_password_and_an_unknown_account_get_the_same_answer(app, client):
    make_staff(app, "admin", "ada@example.org")
    wrong = log_in(client, "ada@example.org", "not the password at all")
    unknown = log_in(client, "nobody@example.org", "not the password at all")
    assert wrong.status_code == unknown.status_code == 401
    for response in (wrong, unknown):
        page = response.get_data(as_text=True)
        assert WRONG in page
        assert 'value="not the password at all"' not in page  # the password is never sent back


def test_unknown_accounts_still_cost_a_password_hash(app, client):
    calls = []

    class CountingHasher:
        def __init__(self, real):
            self.real = real

        def verify(self, digest, password):
            calls.append(digest)
            return self.real.verify(digest, password)

    app.extensions["feedback_password_hasher"] = CountingHasher(app.extensions["feedback_password_hasher"])
    log_in(client, "nobody@example.org", "whatever password")
    assert calls == [app.extensions["feedback_dummy_hash"]]


def test_a_deactivated_account_cannot_log_in(app, client, db_session):
    make_staff(app, "leader", "lee@example.org")
    db_session.execute(sa.text("UPDATE staff_user SET is_active = false"))
    db_session.commit()
    assert log_in(client, "lee@example.org").status_code == 401


def test_login_renews_the_session_and_carries_nothing_over(app, client):
    make_staff(app, "admin", "ada@example.org")
    with client.session_transaction() as session:
        session["planted"] = "by an attacker"
    log_in(client, "ada@example.org")
    with client.session_transaction() as session:
        assert "planted" not in session
        first_token = session["_user_id"]
    log_out(client)
    log_in(client, "ada@example.org")
    with client.session_transaction() as session:
        assert session["_user_id"] != first_token


def test_logout_ends_the_session_even_for_a_copied_cookie(app):
    client = staff_client(app, "admin")
    stolen = client.get_cookie("session").value
    log_out(client)
    thief = app.test_client()
    thief.set_cookie("session", stolen)
    response = thief.get("/admin/users")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def age_sessions(db_session, idle: bool = True, **delta) -> None:
    """Move every session's start (and, when idle, its last activity) back in time."""
    for row in db_session.scalars(sa.select(StaffSession)):
        row.created_at -= timedelta(**delta)
        if idle:
            row.last_seen_at -= timedelta(**delta)
    db_session.commit()


def test_an_idle_session_times_out(app, db_session):
    client = staff_client(app, "admin")
    age_sessions(db_session, minutes=31)
    assert client.get("/admin/users").status_code == 302
    assert db_session.scalar(sa.select(sa.func.count()).select_from(StaffSession)) == 0


def test_an_active_session_still_ends_at_the_absolute_timeout(app, db_session):
    client = staff_client(app, "admin")
    age_sessions(db_session, idle=False, hours=13)
    assert client.get("/admin/users").status_code == 302


def test_the_idle_timeout_is_configurable(make_app, db_session):
    app = make_app(STAFF_IDLE_MINUTES=5)
    client = staff_client(app, "admin")
    session = app.extensions["feedback_db"]()
    age_sessions(session, minutes=6)
    session.close()
    assert client.get("/admin/users").status_code == 302


def test_logins_and_logouts_are_audited(app, db_session):
    client = staff_client(app, "facilitator", "fola@example.org")
    log_out(client)
    rows = db_session.execute(sa.select(AuditEvent.actor, AuditEvent.action).order_by(AuditEvent.id)).all()
    assert ("fola@example.org", "login") in rows and ("fola@example.org", "logout") in rows


def test_refused_logins_are_audited_without_what_was_typed(app, client, db_session):
    staff_id = make_staff(app, "admin", "ada@example.org").id
    log_in(client, "ada@example.org", "not the password at all")
    log_in(client, "secret-typed-in-the-email-field", "another guess")
    events = db_session.execute(sa.select(AuditEvent).where(AuditEvent.action == "login_refused")
                                .order_by(AuditEvent.id)).scalars().all()
    assert [(e.actor, e.actor_id, json.loads(e.details)) for e in events] == [
        ("system", None, {"account": staff_id}), ("system", None, {"account": None})]
    everything = " ".join(f"{e.actor} {e.reason} {e.details}" for e in db_session.scalars(sa.select(AuditEvent)))
    assert "secret-typed" not in everything and "guess" not in everything and "not the password" not in everything
    assert client.application.test_cli_runner().invoke(args=["audit-verify"]).exit_code == 0


def test_repeated_wrong_passwords_for_one_account_are_throttled(make_app):
    app = make_app(ACCOUNT_LOGIN_RATE_LIMIT="3 per day")
    make_staff(app, "admin", "ada@example.org")
    statuses = []
    for n in range(4):
        client = app.test_client()
        client.environ_base["REMOTE_ADDR"] = f"198.51.100.{n}"  # a different address each time
        statuses.append(log_in(client, "ada@example.org", "wrong guess number " + str(n)).status_code)
    assert statuses == [401, 401, 401, 429]
    client = app.test_client()
    response = log_in(client, "ada@example.org", PASSWORD)
    assert response.status_code == 429
    assert "Too many attempts" in response.get_data(as_text=True)
    assert log_in(app.test_client(), "other@example.org", "x" * 12).status_code == 401  # other accounts are fine


def test_one_client_trying_many_accounts_is_throttled(make_app):
    app = make_app(STAFF_LOGIN_RATE_LIMIT="3 per day")
    client = app.test_client()
    statuses = [log_in(client, f"guess{n}@example.org", "x" * 12).status_code for n in range(4)]
    assert statuses == [401, 401, 401, 429]


def test_next_never_leads_off_site(app, client):
    make_staff(app, "admin", "ada@example.org")
    token = csrf_for(client, "/login")
    data = {"email": "ada@example.org", "password": PASSWORD, "csrf_token": token}
    response = client.post("/login?next=//evil.example/x", data=data)
    assert response.headers["Location"].endswith("/staff")


def test_control_characters_do_not_make_a_new_account_for_the_throttle(make_app):
    app = make_app(ACCOUNT_LOGIN_RATE_LIMIT="3 per day")
    make_staff(app, "admin", "ada@example.org")
    statuses = []
    for n in range(5):
        client = app.test_client()
        client.environ_base["REMOTE_ADDR"] = f"198.51.100.{n}"
        statuses.append(log_in(client, "ada@example.org" + "\x01" * n + " " * n, "wrong guess " + str(n)).status_code)
    assert statuses == [401, 401, 401, 429, 429]


def test_the_session_cookie_holds_no_trace_of_the_client_address(app):
    client = staff_client(app, "admin")
    session = app.session_interface.get_signing_serializer(app).loads(client.get_cookie("session").value)
    assert not session.get("_id")
    assert set(session) <= {"_user_id", "_fresh", "_id", "csrf_token"}


def test_a_staff_post_after_the_session_ended_shows_the_typed_text_back(app, db_session):
    client = staff_client(app, "facilitator")
    token = csrf_for(client, "/staff")
    age_sessions(db_session, minutes=31)
    response = client.post(f"/facilitate/s/{uuid.uuid4()}/reply",
                           data={"csrf_token": token, "body": "A long careful reply <kept>", "password": "x"})
    page = response.get_data(as_text=True)
    assert response.status_code == 401
    assert "Your session ended before this was saved" in page
    assert "A long careful reply &lt;kept&gt;</textarea>" in page
    assert token not in page


def test_logging_in_again_ends_the_previous_session(app):
    client = staff_client(app, "admin", "ada@example.org")
    old_cookie = client.get_cookie("session").value
    log_in(client, "ada@example.org")
    thief = app.test_client()
    thief.set_cookie("session", old_cookie)
    assert thief.get("/admin/users").status_code == 302


def _log_in_with_next(app, client, role: str, target: str):
    make_staff(app, role, f"{role}@example.org")
    token = csrf_for(client, "/login")
    data = {"email": f"{role}@example.org", "password": PASSWORD, "csrf_token": token}
    return client.post("/login", query_string={"next": target}, data=data)


@pytest.mark.parametrize("target", ["/\nX", "/staff\r\nSet-Cookie: x=1", "/facilitate\x00", "/\\evil.example",
                                    "/staff\x7f", "https://evil.example/staff", "staff", "/ staff"])
def test_a_next_with_control_characters_or_another_host_lands_on_the_staff_home(app, client, target):
    response = _log_in_with_next(app, client, "admin", target)
    assert response.status_code == 302
    assert response.headers["Location"] == "/staff"


@pytest.mark.parametrize(("role", "target", "lands_on"), [
    ("leader", "/facilitate", "/staff"),
    ("leader", "/facilitate/themes", "/staff"),
    ("leader", "/admin/users", "/staff"),
    ("leader", "/leadership", "/leadership"),
    ("facilitator", "/admin/audit", "/staff"),
    ("facilitator", "/facilitate/themes", "/facilitate/themes"),
    ("facilitator", "/leadership", "/leadership"),
    ("admin", "/admin/audit", "/admin/audit"),
    ("admin", "/facilitate", "/facilitate"),
    ("admin", "/no/such/page", "/staff"),
])
def test_after_login_each_role_lands_on_a_page_it_may_see(app, client, role, target, lands_on):
    response = _log_in_with_next(app, client, role, target)
    assert response.status_code == 302 and response.headers["Location"] == lands_on
    assert client.get(lands_on).status_code == 200
