"""The drain's own messages: answers waiting, at most once per whole hour; the digest, once a day for the day before."""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa

from feedback import clock
from feedback.models import OutgoingMail
from feedback.services.moderation import replies
from feedback.services.notify import due
from tests.factories import make_submission, make_town_hall
from tests.services.notify.conftest import send_queued, staff_who_chose

SECRET_ANSWER = "It was the night shift on ward 7, the week of the audit."


def _answer(session, submission_id, staff, text=SECRET_ANSWER):
    replies.add_staff_reply(session, submission_id, "Can you tell us more?", by=staff.actor, now=clock.now())
    replies.add_submitter_reply(session, submission_id, text, clock.today())


def _hour(session, at: datetime):
    """One hourly pass: make what is due, then send it."""
    return due.make_answer_notices(session, at)


def test_answers_waiting_are_told_once_per_hour_with_counts_and_the_desk_link(mail_app, session, mail_server):
    ring = mail_app.extensions["feedback_keyring"]
    hall = make_town_hall(session, "Belonging on the wards")
    staff = staff_who_chose(mail_app, "facilitator", "f@example.org", answers=True)
    staff_who_chose(mail_app, "admin", "no-answers@example.org", escalations=True)
    ids = [make_submission(session, ring, hall).submission_id for _ in range(3)]
    _answer(session, ids[0], staff)
    _answer(session, ids[1], staff)
    send_queued(mail_app)  # the reply notices: none (anonymous), nothing else is due yet
    ten = datetime.combine(clock.today(), datetime.min.time()) + timedelta(hours=10)

    assert _hour(session, ten + timedelta(minutes=5)) == 1
    assert _hour(session, ten + timedelta(minutes=40)) == 0  # the same hour: told already
    send_queued(mail_app, ten + timedelta(minutes=41))

    [mail] = mail_server.received
    assert mail.to == "f@example.org"
    assert mail.subject == "2 answers are waiting for a reply"
    assert "2 new answers since the last message" in mail.body
    assert "Belonging on the wards: 2" in mail.body
    assert f"https://feedback.example.org/facilitate/{hall.slug}?unanswered=y" in mail.body
    assert "night shift" not in mail.raw and not any(str(i)[:8] in mail.raw for i in ids)
    assert "10:" not in mail.body  # no time of day in what it says

    assert _hour(session, ten + timedelta(hours=1, minutes=5)) == 0  # nothing new since: no message
    _answer(session, ids[2], staff)
    assert _hour(session, ten + timedelta(hours=2, minutes=1)) == 1
    send_queued(mail_app, ten + timedelta(hours=2, minutes=2))
    assert [m.subject for m in mail_server.received][1:] == ["3 answers are waiting for a reply"]
    assert "1 new answer since the last message" in mail_server.received[1].body


def test_no_answers_message_without_a_thread_waiting(mail_app, session, mail_server):
    ring = mail_app.extensions["feedback_keyring"]
    hall = make_town_hall(session)
    staff = staff_who_chose(mail_app, "facilitator", "f@example.org", answers=True)
    submission_id = make_submission(session, ring, hall).submission_id
    _answer(session, submission_id, staff)
    replies.add_staff_reply(session, submission_id, "Thank you.", by=staff.actor, now=clock.now())

    assert _hour(session, clock.now()) == 0
    session.rollback()
    assert session.scalar(sa.select(sa.func.count()).select_from(OutgoingMail)) == 0


def test_the_daily_digest_counts_yesterdays_submissions_per_town_hall_once(mail_app, session, mail_server):
    ring = mail_app.extensions["feedback_keyring"]
    wards = make_town_hall(session, "Belonging on the wards")
    clinic = make_town_hall(session, "The clinic's rota")
    make_town_hall(session, "A quiet hall")
    for hall, n in ((wards, 3), (clinic, 1)):
        for _ in range(n):
            make_submission(session, ring, hall, "My supervisor shouts at the nurses.")
    staff_who_chose(mail_app, "facilitator", "digest@example.org", daily_digest=True)
    staff_who_chose(mail_app, "leader", "leader@example.org")
    tomorrow = datetime.combine(clock.today() + timedelta(days=1), datetime.min.time()) + timedelta(hours=7)

    assert due.make_digests(session, tomorrow) == 1
    assert due.make_digests(session, tomorrow + timedelta(hours=5)) == 0  # the same day: told already
    send_queued(mail_app, tomorrow + timedelta(hours=6))

    [mail] = mail_server.received
    assert mail.to == "digest@example.org"
    assert mail.subject == f"4 new submissions on {clock.today().isoformat()}"
    assert "Belonging on the wards: 3" in mail.body and "The clinic's rota: 1" in mail.body
    assert "A quiet hall" not in mail.body
    assert f"https://feedback.example.org/facilitate/{wards.slug}" in mail.body
    assert "supervisor" not in mail.raw

    assert due.make_digests(session, tomorrow + timedelta(days=1)) == 0  # nothing received the day after


def test_someone_who_chooses_answers_within_an_hour_already_counted_starts_at_the_next_hour(mail_app, session,
                                                                                              mail_server):
    ring = mail_app.extensions["feedback_keyring"]
    hall = make_town_hall(session)
    staff = staff_who_chose(mail_app, "facilitator", "early@example.org", answers=True)
    ids = [make_submission(session, ring, hall).submission_id for _ in range(3)]
    _answer(session, ids[0], staff)
    ten = datetime.combine(clock.today(), datetime.min.time()) + timedelta(hours=10)
    assert _hour(session, ten + timedelta(minutes=5)) == 1
    _answer(session, ids[1], staff)
    staff_who_chose(mail_app, "admin", "late@example.org", answers=True)

    assert _hour(session, ten + timedelta(minutes=30)) == 0  # this hour was counted: the newcomer waits for 11:00
    _answer(session, ids[2], staff)
    assert _hour(session, ten + timedelta(hours=1, minutes=5)) == 2
    send_queued(mail_app, ten + timedelta(hours=1, minutes=6))

    later = [m for m in mail_server.received if "2 new answers since the last message" in m.body]
    assert sorted(m.to for m in later) == ["early@example.org", "late@example.org"]


def test_answers_are_never_counted_over_a_window_shorter_than_an_hour(mail_app, session, mail_server):
    """Counts at 10:59:40 and 11:00:10 would place an answer within 30 seconds: the second waits."""
    ring = mail_app.extensions["feedback_keyring"]
    hall = make_town_hall(session)
    staff = staff_who_chose(mail_app, "facilitator", "f@example.org", answers=True)
    ids = [make_submission(session, ring, hall).submission_id for _ in range(2)]
    _answer(session, ids[0], staff)
    ten = datetime.combine(clock.today(), datetime.min.time()) + timedelta(hours=10)
    assert _hour(session, ten + timedelta(minutes=59, seconds=40)) == 1
    _answer(session, ids[1], staff, "Sent at 11:00:00.")

    assert _hour(session, ten + timedelta(hours=1, seconds=10)) == 0  # a new hour, but not an hour since
    assert _hour(session, ten + timedelta(hours=1, minutes=59, seconds=39)) == 0
    assert _hour(session, ten + timedelta(hours=1, minutes=59, seconds=40)) == 1  # an hour on: counted
    send_queued(mail_app, ten + timedelta(hours=2))

    bodies = [m.body for m in mail_server.received]
    assert len(bodies) == 2 and "1 new answer since the last message" in bodies[1]
