"""The drain: retries with backoff, then failed; errors kept as a class and a code; one send with two drains."""

from __future__ import annotations

import asyncio
import threading
from datetime import timedelta

import sqlalchemy as sa

from feedback import clock
from feedback.db import writing
from feedback.models import OutgoingMail
from feedback.services.moderation import replies
from feedback.services.notify import events, smtp
from feedback.services.notify.sending import LEASE, backoff, claim, drain
from tests.factories import make_submission, make_town_hall
from tests.services.notify.conftest import send_queued, staff_who_chose
from tests.smtp import MailServer, mail_server_not_on_loopback, mail_server_with_login  # noqa: F401 - fixtures
from tests.staff import make_staff


def _one_escalation_queued(app, session):
    ring = app.extensions["feedback_keyring"]
    hall = make_town_hall(session)
    actor = staff_who_chose(app, "facilitator", "actor@example.org")
    staff_who_chose(app, "admin", "told@example.org", escalations=True)
    with writing(session):
        events.escalated(session, [make_submission(session, ring, hall).submission_id], by=actor.actor,
                         now=clock.now())


def _row(session) -> OutgoingMail:
    session.rollback()  # read what the drain committed
    return session.scalars(sa.select(OutgoingMail)).one()


def test_a_server_that_is_down_is_retried_later_then_the_message_fails(mail_app, session, mail_server):
    _one_escalation_queued(mail_app, session)
    mail_server.stop()
    start = clock.now()

    first = send_queued(mail_app, start)
    row = _row(session)
    assert (first.retrying, row.status, row.attempts) == (1, "queued", 1)
    assert row.last_error == "ConnectionRefusedError"
    assert row.send_after == start + backoff(1)

    assert send_queued(mail_app, start + backoff(1) - timedelta(seconds=1)).retrying == 0  # not due yet
    send_queued(mail_app, start + backoff(1))
    last = send_queued(mail_app, start + backoff(1) + backoff(2))

    row = _row(session)
    assert (last.failed, row.status, row.attempts) == (1, "failed", 3)  # MAIL_MAX_ATTEMPTS is 3 here
    assert send_queued(mail_app, start + timedelta(days=2)).failed == 0  # a failed message is left alone


def test_a_refusal_that_echoes_the_address_is_stored_as_a_class_and_a_code(mail_app, session, mail_server):
    _one_escalation_queued(mail_app, session)
    mail_server.refuse("550 5.1.1 <{address}>: no such mailbox here")

    assert send_queued(mail_app).retrying == 1

    row = _row(session)
    assert row.last_error == "SMTPRecipientsRefused 550"
    assert "told" not in row.last_error and "@" not in row.last_error
    assert mail_server.received == []


def test_a_message_sent_after_a_failure_is_marked_sent_once(mail_app, session, mail_server):
    _one_escalation_queued(mail_app, session)
    mail_server.refuse("451 4.3.0 try again later")
    start = clock.now()
    send_queued(mail_app, start)
    mail_server.refuse(None)

    assert send_queued(mail_app, start + backoff(1)).sent == 1
    assert send_queued(mail_app, start + timedelta(days=1)).sent == 0

    row = _row(session)
    assert (row.status, row.last_error, len(mail_server.received)) == ("sent", None, 1)


def test_a_row_claimed_by_one_drain_is_not_sent_by_another(mail_app, session, mail_server):
    _one_escalation_queued(mail_app, session)
    other = mail_app.extensions["feedback_db"]()
    try:
        assert len(claim(other, clock.now())) == 1  # a first drain took it and is still sending
    finally:
        other.close()

    assert send_queued(mail_app).sent == 0
    assert mail_server.received == []
    assert send_queued(mail_app, clock.now() + LEASE).sent == 1  # that drain died: sent once its lease ends


def test_two_drains_at_once_send_each_message_once(mail_app, session, mail_server):
    ring = mail_app.extensions["feedback_keyring"]
    hall = make_town_hall(session)
    actor = staff_who_chose(mail_app, "facilitator", "actor@example.org")
    for n in range(6):
        staff_who_chose(mail_app, "facilitator", f"told{n}@example.org", escalations=True)
    for _ in range(4):
        with writing(session):
            events.escalated(session, [make_submission(session, ring, hall).submission_id], by=actor.actor,
                             now=clock.now())
    server = smtp.Server.from_config(mail_app.config)
    start = threading.Barrier(2)

    def run():
        own = mail_app.extensions["feedback_db"]()
        try:
            start.wait()
            drain(own, ring, server, now=clock.now, max_attempts=3)
        finally:
            own.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    told = sorted(f"told{n}@example.org" for n in range(6) for _ in range(4))
    assert sorted(m.to for m in mail_server.received) == told


def test_a_pass_that_outlives_a_lease_still_sends_each_message_once(mail_app, session, mail_server):
    """A slow server: each message takes six minutes (of the drain's clock), so three outlast a lease;
    while the first drain sends the second message, cron starts another drain eleven minutes on."""
    ring = mail_app.extensions["feedback_keyring"]
    hall = make_town_hall(session)
    actor = staff_who_chose(mail_app, "facilitator", "actor@example.org")
    for n in range(3):
        staff_who_chose(mail_app, "facilitator", f"told{n}@example.org", escalations=True)
    with writing(session):
        events.escalated(session, [make_submission(session, ring, hall).submission_id], by=actor.actor,
                         now=clock.now())
    server, start = smtp.Server.from_config(mail_app.config), clock.now()
    moment = [start]

    def later_drain():
        own = mail_app.extensions["feedback_db"]()
        try:
            drain(own, ring, server, now=lambda: start + timedelta(minutes=11), max_attempts=3)
        finally:
            own.close()

    accept, seen = mail_server.handler.handle_DATA, []

    async def slow(smtp_server, smtp_session, envelope):
        seen.append(envelope)
        if len(seen) == 2:  # the first drain is on its second message: the second drain runs meanwhile
            await asyncio.get_running_loop().run_in_executor(None, later_drain)
        moment[0] += timedelta(minutes=6)
        return await accept(smtp_server, smtp_session, envelope)

    mail_server.handler.handle_DATA = slow
    drain(session, ring, server, now=lambda: moment[0], max_attempts=3)

    assert sorted(m.to for m in mail_server.received) == [f"told{n}@example.org" for n in range(3)]


def test_a_quit_refused_after_the_message_was_accepted_counts_as_sent(mail_app, session, mail_server):
    _one_escalation_queued(mail_app, session)

    async def refuse_quit(smtp_server, smtp_session, envelope):
        return "421 4.4.2 closing"

    mail_server.handler.handle_QUIT = refuse_quit  # type: ignore[attr-defined]
    start = clock.now()
    assert send_queued(mail_app, start).sent == 1
    send_queued(mail_app, start + timedelta(days=1))

    assert _row(session).status == "sent"
    assert len(mail_server.received) == 1


def test_the_backoff_grows_to_a_day_and_stays_there_for_any_number_of_attempts():
    assert [backoff(n) for n in (1, 2, 3)] == [timedelta(minutes=1), timedelta(minutes=2), timedelta(minutes=4)]
    assert backoff(12) == backoff(10_000) == timedelta(days=1)


def test_the_server_settings_never_show_the_password():
    server = smtp.Server(host="mail.example.org", port=587, use_tls=True, use_ssl=False, username="mailer",
                         password="a mail password", sender="s@example.org", timeout=5.0,
                         base_url="https://feedback.example.org")
    assert "a mail password" not in repr(server) and "a mail password" not in str(server)
    assert "mailer" in repr(server)


def _one_notice_for_a_named_submitter(app, session):
    ring = app.extensions["feedback_keyring"]
    named = make_submission(session, ring, make_town_hall(session, "Named"), name="Ada Okafor",
                            email="ada@patients.example")
    replies.add_staff_reply(session, named.submission_id, "A question.", by=make_staff(app, "facilitator",
                            "asker@example.org").actor, now=clock.now())


def test_over_plaintext_to_another_host_no_submitters_notice_is_sent(make_app, mail_server_not_on_loopback):  # noqa: F811
    server = mail_server_not_on_loopback
    app = make_app(**server.config(), MAIL_MAX_ATTEMPTS=1)
    session = app.extensions["feedback_db"]()
    try:
        _one_escalation_queued(app, session)
        _one_notice_for_a_named_submitter(app, session)
        result = send_queued(app)
        held = _rows_by_kind(session)
    finally:
        session.close()

    assert [m.to for m in server.received] == ["told@example.org"]  # a staff notice may go; it names no one
    assert (result.sent, result.retrying, result.failed) == (1, 1, 0)
    assert held["reply_to_submitter"] == ("queued", "NeedsTLS", 0)  # waits, its attempt not counted


def test_over_plaintext_to_another_host_the_sender_does_not_log_in(make_app):
    server = MailServer(login=("mailer", "a mail password"), host="127.0.0.2")
    try:
        app = make_app(**server.config(), MAIL_USERNAME="mailer", MAIL_PASSWORD="a mail password",
                       MAIL_MAX_ATTEMPTS=1)
        session = app.extensions["feedback_db"]()
        try:
            _one_escalation_queued(app, session)
            send_queued(app)
            send_queued(app, clock.now() + timedelta(days=1))
            held = _rows_by_kind(session)
        finally:
            session.close()
    finally:
        server.stop()

    assert server.logins == [] and server.received == []
    assert held["escalations"] == ("queued", "NeedsTLS", 0)


def test_with_tls_asked_for_the_plaintext_rule_lets_the_mail_go(make_app, mail_server_not_on_loopback):  # noqa: F811
    """MAIL_USE_TLS: STARTTLS is tried (this test server offers none, so smtplib refuses: a retry)."""
    app = make_app(**mail_server_not_on_loopback.config(), MAIL_USE_TLS=True, MAIL_MAX_ATTEMPTS=3)
    session = app.extensions["feedback_db"]()
    try:
        _one_notice_for_a_named_submitter(app, session)
        send_queued(app)
        held = _rows_by_kind(session)
    finally:
        session.close()

    assert held["reply_to_submitter"] == ("queued", "SMTPNotSupportedError", 1)


def _rows_by_kind(session) -> dict:
    session.rollback()
    rows = session.execute(sa.select(OutgoingMail.kind, OutgoingMail.status, OutgoingMail.last_error,
                                     OutgoingMail.attempts))
    return {kind: (status, error, attempts) for kind, status, error, attempts in rows}


def test_the_sender_logs_in_with_the_configured_credentials(make_app, mail_server_with_login):  # noqa: F811
    server = mail_server_with_login
    wrong = make_app(**server.config(), MAIL_USERNAME="mailer", MAIL_PASSWORD="not it", MAIL_MAX_ATTEMPTS=3)
    session = wrong.extensions["feedback_db"]()
    try:
        _one_escalation_queued(wrong, session)
        assert send_queued(wrong).retrying == 1
        assert _row(session).last_error == "SMTPAuthenticationError 535"
        right = make_app(**server.config(), MAIL_USERNAME="mailer", MAIL_PASSWORD="a mail password")
        assert send_queued(right, clock.now() + timedelta(hours=1)).sent == 1
    finally:
        session.close()
    assert server.logins == ["mailer"] and len(server.received) == 1


def test_a_row_of_a_kind_no_one_can_choose_is_dropped_without_stopping_the_drain(mail_app, session, mail_server):
    _one_escalation_queued(mail_app, session)
    told = session.scalar(sa.select(OutgoingMail.user_id))
    session.add(OutgoingMail(kind="weekly_poem", user_id=told, subject="s", body="b", send_after=clock.now()))
    session.commit()

    result = send_queued(mail_app)

    assert (result.sent, result.dropped) == (1, 1)
