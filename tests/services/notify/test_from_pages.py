"""From the pages: staff actions queue mail without waiting on the server; a submitter's answer queues none."""

from __future__ import annotations

import sqlalchemy as sa

from feedback.models import OutgoingMail, Reply
from tests.browsing import post_form
from tests.factories import make_submission, make_town_hall
from tests.services.moderation.desk_pages import bulk, post_on
from tests.services.notify.conftest import send_queued, staff_who_chose
from tests.staff import log_in


def _queued(session) -> list[tuple[str, int | None, bool]]:
    session.rollback()
    rows = session.scalars(sa.select(OutgoingMail).order_by(OutgoingMail.kind, OutgoingMail.user_id))
    return [(row.kind, row.user_id, row.submission_id is not None) for row in rows]


def test_escalating_and_replying_succeed_with_the_mail_server_down_and_queue_the_mail(mail_app, session,
                                                                                       mail_server):
    ring = mail_app.extensions["feedback_keyring"]
    hall = make_town_hall(session)
    named = make_submission(session, ring, hall, name="Ada Okafor", email="ada@patients.example")
    other = make_submission(session, ring, hall)
    staff_who_chose(mail_app, "facilitator", "me@example.org", escalations=True)
    colleague = staff_who_chose(mail_app, "admin", "colleague@example.org", escalations=True)
    me = mail_app.test_client()
    log_in(me, "me@example.org")
    mail_server.stop()

    both = [named.submission_id, other.submission_id]
    assert bulk(me, hall.slug, "escalate", both, note="Threats: needs the lead.").status_code == 302
    assert post_on(me, named.submission_id, "reply", reply="Which ward was it?").status_code == 302

    assert _queued(session) == [("escalations", colleague.id, False), ("reply_to_submitter", None, True)]


def test_nothing_is_sent_while_a_page_answers_only_by_the_drain(mail_app, session, mail_server):
    ring = mail_app.extensions["feedback_keyring"]
    hall = make_town_hall(session)
    submission_id = make_submission(session, ring, hall).submission_id
    staff_who_chose(mail_app, "facilitator", "me@example.org")
    staff_who_chose(mail_app, "admin", "colleague@example.org", escalations=True)
    me = mail_app.test_client()
    log_in(me, "me@example.org")

    assert bulk(me, hall.slug, "escalate", [submission_id], note="Threats: needs the lead.").status_code == 302
    assert mail_server.received == []

    send_queued(mail_app)
    assert [m.to for m in mail_server.received] == ["colleague@example.org"]


def test_a_submitters_answer_from_the_receipt_page_queues_no_mail(mail_app, session):
    ring = mail_app.extensions["feedback_keyring"]
    hall = make_town_hall(session)
    receipt = make_submission(session, ring, hall, name="Ada Okafor", email="ada@patients.example")
    staff_who_chose(mail_app, "facilitator", "me@example.org", answers=True, escalations=True)
    me = mail_app.test_client()
    log_in(me, "me@example.org")
    post_on(me, receipt.submission_id, "reply", reply="Which ward was it?")
    session.rollback()
    session.execute(sa.delete(OutgoingMail))
    session.commit()

    submitter = mail_app.test_client()
    answered = post_form(submitter, "/receipt/reply", "/receipt", code=receipt.code, answer="Ward 7, at night.")

    assert answered.status_code in (200, 302)
    assert _queued(session) == []
    assert session.scalar(sa.select(sa.func.count()).select_from(Reply).where(Reply.author == "submitter")) == 1
