"""Staff actions queue mail for those who chose it; the sent messages carry counts and links, never text or ids."""

from __future__ import annotations

import logging
from datetime import timedelta

import sqlalchemy as sa

from feedback import audit, clock, crypto
from feedback.db import writing
from feedback.models import AuditEvent, OutgoingMail, TownHall
from feedback.services.intake import submitting
from feedback.services.moderation import escrow, replies
from feedback.services.notify import choices, events
from feedback.services.notify.sending import drain
from feedback.services.privacy import erasure, retention
from tests.factories import make_submission, make_town_hall
from tests.services.notify.conftest import send_queued, staff_who_chose

SECRET_TEXT = "The registrar on ward 7 mocks my accent every single morning."


def _escalate(session, ids, by):
    with writing(session):
        events.escalated(session, ids, by=by.actor, now=clock.now())


def test_an_escalation_tells_each_moderator_who_chose_it_except_the_one_who_escalated(mail_app, session,
                                                                                        mail_server):
    ring = mail_app.extensions["feedback_keyring"]
    hall = make_town_hall(session, "Belonging on the wards")
    ids = [make_submission(session, ring, hall, SECRET_TEXT).submission_id for _ in range(2)]
    actor = staff_who_chose(mail_app, "facilitator", "actor@example.org", escalations=True)
    staff_who_chose(mail_app, "admin", "admin@example.org", escalations=True)
    staff_who_chose(mail_app, "facilitator", "other@example.org", escalations=True)
    staff_who_chose(mail_app, "facilitator", "quiet@example.org", answers=True)
    _escalate(session, ids, actor)

    result = send_queued(mail_app)

    assert result.sent == 2
    assert sorted(m.to for m in mail_server.received) == ["admin@example.org", "other@example.org"]
    mail = mail_server.received[0]
    assert mail.subject == "2 submissions were escalated"
    assert "Belonging on the wards: 2" in mail.body
    assert f"https://feedback.example.org/facilitate/{hall.slug}?status=escalated" in mail.body
    for sid in ids:
        assert str(sid) not in mail.raw and str(sid)[:8] not in mail.raw
    assert "registrar" not in mail.raw


def test_a_leader_is_never_mailed_even_with_choices_left_from_another_role(mail_app, session, mail_server):
    ring = mail_app.extensions["feedback_keyring"]
    hall = make_town_hall(session)
    staff = staff_who_chose(mail_app, "facilitator", "was-facilitator@example.org", escalations=True)
    session.execute(sa.text("UPDATE staff_user SET role = 'leader' WHERE id = :id"), {"id": staff.id})
    session.commit()
    actor = staff_who_chose(mail_app, "admin", "actor@example.org")
    _escalate(session, [make_submission(session, ring, hall).submission_id], actor)

    send_queued(mail_app)

    assert mail_server.received == []


def test_a_reveal_request_tells_the_approvers_who_chose_it_not_the_requester(mail_app, session, mail_server):
    ring = mail_app.extensions["feedback_keyring"]
    hall = make_town_hall(session)
    named = make_submission(session, ring, hall, SECRET_TEXT, name="Ada Okafor", email="ada@patients.example")
    requester = staff_who_chose(mail_app, "facilitator", "asker@example.org", reveal_requests=True)
    staff_who_chose(mail_app, "admin", "approver@example.org", reveal_requests=True)
    staff_who_chose(mail_app, "facilitator", "busy@example.org", escalations=True)
    escrow.request_reveal(session, named.submission_id, "A threat of harm to others on the ward.",
                          by=requester.actor, now=clock.now())

    send_queued(mail_app)

    assert [m.to for m in mail_server.received] == ["approver@example.org"]
    mail = mail_server.received[0]
    assert mail.subject == "A reveal request is waiting for your decision"
    assert "https://feedback.example.org/facilitate/reveals" in mail.body
    for secret in ("Ada", "ada@patients.example", "threat", str(named.submission_id)[:8], "registrar"):
        assert secret not in mail.raw


def test_a_staff_reply_tells_a_named_submitter_who_allowed_contact_and_audits_it_without_the_address(
        mail_app, session, mail_server, caplog):
    ring = mail_app.extensions["feedback_keyring"]
    hall = make_town_hall(session)
    named = make_submission(session, ring, hall, SECRET_TEXT, name="Ada Okafor", email="ada@patients.example")
    staff = staff_who_chose(mail_app, "facilitator", "f@example.org")
    replies.add_staff_reply(session, named.submission_id, "Thank you; which ward was it?", by=staff.actor,
                            now=clock.now())
    stored = session.scalars(sa.select(OutgoingMail)).one()
    assert (stored.submission_id, stored.user_id) == (named.submission_id, None)
    assert "ada@" not in stored.subject + stored.body + (stored.last_error or "")

    with caplog.at_level(logging.DEBUG):
        send_queued(mail_app)
    ours = " ".join(r.getMessage() for r in caplog.records if not r.name.startswith("mail.log"))  # not the server's

    [mail] = mail_server.received
    assert mail.envelope_to == ["ada@patients.example"] and mail.to == "ada@patients.example"
    assert mail.subject == "There is a reply for you"
    assert "check it with your receipt" in mail.body and "https://feedback.example.org/receipt" in mail.body
    for secret in ("Ada", "Okafor", "registrar", "which ward", str(named.submission_id)[:8]):
        assert secret not in mail.raw
    assert "ada@" not in ours and "Okafor" not in ours
    session.rollback()  # a fresh read: the drain wrote in its own session
    [event] = session.scalars(sa.select(AuditEvent).where(
        AuditEvent.action == audit.Action.MAIL_TO_SUBMITTER_HANDLED))
    assert event.submission_id == named.submission_id
    assert "ada" not in (event.details + event.reason).lower()


def test_a_message_is_not_sent_to_someone_who_turned_it_off_meanwhile(mail_app, session, mail_server):
    ring = mail_app.extensions["feedback_keyring"]
    hall = make_town_hall(session)
    actor = staff_who_chose(mail_app, "facilitator", "actor@example.org")
    changed_mind = staff_who_chose(mail_app, "admin", "changed@example.org", escalations=True)
    _escalate(session, [make_submission(session, ring, hall).submission_id], actor)
    choices.choose(session, choices.Choices(daily_digest=True), role="admin", by=changed_mind.actor, now=clock.now())

    assert send_queued(mail_app).dropped == 1
    assert mail_server.received == []


def test_replies_while_a_notice_waits_make_one_message(mail_app, session, mail_server):
    ring = mail_app.extensions["feedback_keyring"]
    hall = make_town_hall(session)
    named = make_submission(session, ring, hall, name="Ada Okafor", email="ada@patients.example")
    staff = staff_who_chose(mail_app, "facilitator", "f@example.org")
    for text in ("First question.", "Second question."):
        replies.add_staff_reply(session, named.submission_id, text, by=staff.actor, now=clock.now())

    send_queued(mail_app)

    assert len(mail_server.received) == 1


def test_no_notice_reaches_a_submitter_who_did_not_allow_contact_or_sent_anonymously(mail_app, session,
                                                                                     mail_server):
    ring = mail_app.extensions["feedback_keyring"]
    hall = make_town_hall(session)
    no_email = make_submission(session, ring, hall, name="Ben Ode")
    no_contact = submitting.submit(session, ring, hall.slug, crypto.new_form_token(), submitting.NewSubmission(
        body="A concern.", affiliation=None,
        identity=crypto.Identity(name="Cy Dee", email="cy@patients.example", contact_ok=False)), clock.today())
    anonymous = make_submission(session, ring, hall)
    staff = staff_who_chose(mail_app, "facilitator", "f@example.org")
    for receipt in (no_email, no_contact, anonymous):
        replies.add_staff_reply(session, receipt.submission_id, "A question.", by=staff.actor, now=clock.now())

    result = send_queued(mail_app)

    assert mail_server.received == []
    assert result.dropped == 2
    session.rollback()
    assert session.scalar(sa.select(sa.func.count()).select_from(OutgoingMail)) == 0
    handled = session.scalars(sa.select(AuditEvent.submission_id).where(
        AuditEvent.action == audit.Action.MAIL_TO_SUBMITTER_HANDLED)).all()
    assert sorted(map(str, handled)) == sorted(str(r.submission_id) for r in (no_email, no_contact))


def _trace(session, submission_id) -> tuple:
    """What the database keeps about one submission's notice: its outgoing_mail rows and audit events."""
    rows = session.execute(sa.select(OutgoingMail.kind, OutgoingMail.status, OutgoingMail.last_error)
                           .where(OutgoingMail.submission_id == submission_id)).all()
    events_ = session.execute(sa.select(AuditEvent.action, AuditEvent.actor, AuditEvent.reason,
                                        AuditEvent.details)
                              .where(AuditEvent.submission_id == submission_id,
                                     AuditEvent.action.like("mail.%"))).all()
    return rows, events_


def test_the_database_does_not_tell_which_named_submitter_allowed_contact(mail_app, session, mail_server):
    ring = mail_app.extensions["feedback_keyring"]
    hall = make_town_hall(session)
    allowed = make_submission(session, ring, hall, name="Ada Okafor", email="ada@patients.example")
    refused = submitting.submit(session, ring, hall.slug, crypto.new_form_token(), submitting.NewSubmission(
        body="A concern.", affiliation=None,
        identity=crypto.Identity(name="Cy Dee", email="cy@patients.example", contact_ok=False)), clock.today())
    staff = staff_who_chose(mail_app, "facilitator", "f@example.org")
    for receipt in (allowed, refused):
        replies.add_staff_reply(session, receipt.submission_id, "A question.", by=staff.actor, now=clock.now())

    send_queued(mail_app)

    assert [m.to for m in mail_server.received] == ["ada@patients.example"]
    session.rollback()
    assert _trace(session, allowed.submission_id) == _trace(session, refused.submission_id)
    assert _trace(session, allowed.submission_id)[1]  # both audited, alike


def test_a_notice_whose_identity_was_erased_is_dropped(mail_app, session, mail_server):
    ring = mail_app.extensions["feedback_keyring"]
    hall = make_town_hall(session)
    named = make_submission(session, ring, hall, name="Ada Okafor", email="ada@patients.example")
    staff = staff_who_chose(mail_app, "facilitator", "f@example.org")
    replies.add_staff_reply(session, named.submission_id, "A question.", by=staff.actor, now=clock.now())
    session.execute(sa.text("DELETE FROM identity"))
    session.commit()

    assert send_queued(mail_app).dropped == 1
    assert mail_server.received == []


def _notices_waiting(session) -> list:
    session.rollback()
    return list(session.scalars(sa.select(OutgoingMail.submission_id).where(OutgoingMail.submission_id.is_not(None))))


def test_erasing_an_email_deletes_the_notices_waiting_for_it(mail_app, session, mail_server):
    ring = mail_app.extensions["feedback_keyring"]
    hall = make_town_hall(session)
    erased = make_submission(session, ring, hall, name="Ada Okafor", email="ada@patients.example")
    kept = make_submission(session, ring, hall, name="Ben Ode", email="ben@patients.example")
    staff = staff_who_chose(mail_app, "facilitator", "f@example.org")
    for receipt in (erased, kept):
        replies.add_staff_reply(session, receipt.submission_id, "A question.", by=staff.actor, now=clock.now())

    assert erasure.erase_email(session, ring, "ada@patients.example", by=staff.actor, now=clock.now()) == 1

    assert _notices_waiting(session) == [kept.submission_id]


def test_the_retention_purge_deletes_the_notices_waiting_for_the_identities_it_deletes(mail_app, session,
                                                                                     mail_server):
    ring = mail_app.extensions["feedback_keyring"]
    old, current = make_town_hall(session, "Old"), make_town_hall(session, "Current")
    expired = make_submission(session, ring, old, name="Ada Okafor", email="ada@patients.example")
    kept = make_submission(session, ring, current, name="Ben Ode", email="ben@patients.example")
    staff = staff_who_chose(mail_app, "facilitator", "f@example.org")
    for receipt in (expired, kept):
        replies.add_staff_reply(session, receipt.submission_id, "A question.", by=staff.actor, now=clock.now())
    closed = clock.today() - timedelta(days=mail_app.config["RETENTION_DAYS"] + 1)
    session.execute(sa.update(TownHall).where(TownHall.id == old.id)
                    .values(intake_opens_on=closed - timedelta(days=14), intake_closes_on=closed))
    session.commit()

    assert retention.purge(session, clock.today(), mail_app.config["RETENTION_DAYS"], by=staff.actor,
                           now=clock.now()) == 1

    assert _notices_waiting(session) == [kept.submission_id]


def test_a_submitters_answer_queues_nothing(mail_app, session):
    ring = mail_app.extensions["feedback_keyring"]
    hall = make_town_hall(session)
    named = make_submission(session, ring, hall, name="Ada Okafor", email="ada@patients.example")
    staff_who_chose(mail_app, "facilitator", "f@example.org", answers=True)
    replies.add_submitter_reply(session, named.submission_id, "It was ward 7.", clock.today())

    assert session.scalar(sa.select(sa.func.count()).select_from(OutgoingMail)) == 0


__all__ = ["drain"]
