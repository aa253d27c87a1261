"""The mail choices page (each role) and the admin's mail queue page with its Retry button."""

from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from feedback import audit, clock
from feedback.models import AuditEvent, NotificationPreference, OutgoingMail, StaffUser
from tests.browsing import post_form, text
from tests.factories import make_submission, make_town_hall
from tests.staff import make_staff, staff_client

PAGE = "/account/notifications"


def ticked(response) -> list[str]:
    """The boxes ticked on the page."""
    return re.findall(r'<input checked id="(\w+)"', response.get_data(as_text=True))


def words(response) -> str:
    """The page's text with its white space as one space."""
    return " ".join(re.sub(r"<[^>]+>", " ", text(response)).split())


def _chosen(session, email: str) -> tuple[bool, ...] | None:
    session.rollback()  # read what the request committed
    query = (sa.select(NotificationPreference).join(StaffUser, StaffUser.id == NotificationPreference.user_id)
             .where(StaffUser.email == email))
    row = session.scalar(query)
    return (row.escalations, row.answers, row.reveal_requests, row.daily_digest) if row else None


@pytest.mark.parametrize("role", ["facilitator", "admin"])
def test_a_moderator_chooses_messages_and_sees_them_ticked_next_time(app, db_session, role):
    client = staff_client(app, role)
    email = f"{role}@example.org"

    response = post_form(client, PAGE, PAGE, escalations="y", daily_digest="y")

    assert response.status_code == 302
    assert _chosen(db_session, email) == (True, False, False, True)
    assert ticked(client.get(PAGE)) == ["escalations", "daily_digest"]
    [event] = db_session.scalars(sa.select(AuditEvent).where(AuditEvent.action == audit.Action.NOTIFICATIONS_CHOSEN))
    assert event.actor == email
    assert json.loads(event.details) == {"escalations": True, "answers": False, "reveal_requests": False,
                                         "daily_digest": True}

    post_form(client, PAGE, PAGE, answers="y")
    assert _chosen(db_session, email) == (False, True, False, False)


def test_an_admin_finds_the_mail_queue_from_the_choices_page_and_a_facilitator_does_not(app):
    assert 'href="/admin/mail"' in staff_client(app, "admin").get(PAGE).get_data(as_text=True)
    assert 'href="/admin/mail"' not in staff_client(app, "facilitator").get(PAGE).get_data(as_text=True)


def test_the_page_says_what_a_message_never_holds(app):
    page = words(staff_client(app, "facilitator").get(PAGE))
    assert "counts and links only" in page and "never what anyone wrote" in page
    for label in ("escalated", "answers are waiting", "reveal request", "daily digest"):
        assert label in page.lower()


def test_a_leader_is_told_no_mail_is_offered_and_cannot_choose_any(app, db_session):
    client = staff_client(app, "leader")

    page = client.get(PAGE)
    assert page.status_code == 200
    assert "No mail is offered to leaders" in words(page)
    assert 'type="checkbox"' not in page.get_data(as_text=True)

    sent = post_form(client, PAGE, "/staff", escalations="y", daily_digest="y")  # a form made up by hand
    assert sent.status_code == 409 and "Nothing was changed" in words(sent)
    assert _chosen(db_session, "leader@example.org") is None
    assert db_session.scalar(sa.select(sa.func.count()).select_from(AuditEvent).where(
        AuditEvent.action == audit.Action.NOTIFICATIONS_CHOSEN)) == 0


def _failed_submitter_notice(session) -> OutgoingMail:
    row = OutgoingMail(kind="reply_to_submitter", subject="There is a reply for you", body="{base}/receipt",
                       status="failed", attempts=5, send_after=clock.now() - timedelta(hours=1),
                       last_error="SMTPRecipientsRefused 550")
    session.add_all([row, OutgoingMail(kind="escalations", subject="s", body="b", status="queued",
                                       send_after=clock.now()),
                     OutgoingMail(kind="answers", subject="s", body="b", status="sent", send_after=clock.now(),
                                  sent_at=clock.now())])
    session.commit()
    return row


def test_the_admin_mail_page_lists_failures_and_counts_without_an_address(app, db_session):
    _failed_submitter_notice(db_session)
    ring = app.extensions["feedback_keyring"]
    colleague = make_staff(app, "facilitator", "dana.colleague@staff.example", "Dana Colleague")
    named = make_submission(db_session, ring, make_town_hall(db_session), name="Ada Okafor",
                            email="ada.okafor@patients.example")
    db_session.add_all([
        OutgoingMail(kind="escalations", user_id=colleague.id, subject="s", body="b", status="failed", attempts=5,
                     send_after=clock.now(), last_error="SMTPRecipientsRefused 550"),
        OutgoingMail(kind="reply_to_submitter", submission_id=named.submission_id, subject="There is a reply for you",
                     body="{base}/receipt", status="failed", attempts=5, send_after=clock.now(),
                     last_error="SMTPRecipientsRefused 550")])
    db_session.commit()
    admin = staff_client(app, "admin")

    response = admin.get("/admin/mail")

    page = words(response)
    assert "A reply is waiting (to a named submitter) 5 SMTPRecipientsRefused 550" in page
    assert "Waiting to be sent 1 Sent 1 Failed 3" in page
    html = response.get_data(as_text=True)
    for secret in ("dana.colleague", "Dana Colleague", "ada.okafor", "Ada Okafor", str(named.submission_id),
                   str(named.submission_id)[:8], named.code):
        assert secret not in html
    main = html.split("<main", 1)[1].split("</main>", 1)[0]
    assert "@" not in main


def test_an_expired_form_comes_back_with_the_ticks_as_sent_and_saves_nothing(app, db_session):
    client = staff_client(app, "facilitator")
    client.get(PAGE)

    response = client.post(PAGE, data={"csrf_token": "expired", "escalations": "y", "answers": "y"})

    assert response.status_code == 400
    assert ticked(response) == ["escalations", "answers"]
    assert "the form expired and nothing was saved" in words(response)
    assert _chosen(db_session, "facilitator@example.org") is None
    assert post_form(client, PAGE, PAGE, escalations="y").status_code == 302  # the page's new token works


def test_an_expired_retry_comes_back_to_the_mail_queue_and_changes_nothing(app, db_session):
    row = _failed_submitter_notice(db_session)
    admin = staff_client(app, "admin")

    response = admin.post(f"/admin/mail/{row.id}/retry", data={"csrf_token": "expired"})

    assert response.status_code == 400 and "press Retry again" in words(response)
    assert f'action="/admin/mail/{row.id}/retry"' in response.get_data(as_text=True)
    db_session.rollback()
    assert db_session.scalar(sa.select(OutgoingMail.status).where(OutgoingMail.id == row.id)) == "failed"


def test_retry_queues_a_failed_message_again_and_is_audited(app, db_session):
    row = _failed_submitter_notice(db_session)
    admin = staff_client(app, "admin")

    response = post_form(admin, f"/admin/mail/{row.id}/retry", "/admin/mail")

    assert response.status_code == 302
    db_session.rollback()
    again = db_session.execute(sa.select(OutgoingMail.status, OutgoingMail.attempts)
                               .where(OutgoingMail.id == row.id)).one()
    assert tuple(again) == ("queued", 0)
    [event] = db_session.scalars(sa.select(AuditEvent).where(AuditEvent.action == audit.Action.MAIL_RETRIED))
    assert json.loads(event.details) == {"mail": row.id, "kind": "reply_to_submitter"}
    assert "No message has failed" in words(admin.get("/admin/mail"))

    twice = post_form(admin, f"/admin/mail/{row.id}/retry", "/admin/mail")
    assert twice.status_code == 409 and "no longer failed" in words(twice)
