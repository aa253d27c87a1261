"""With a receipt, a submitter reads replies and answers back, or withdraws; an admin erases an email."""

from __future__ import annotations

import re

import sqlalchemy as sa
from markupsafe import escape

from feedback import audit, clock
from feedback.models import AuditEvent, Identity, Reply, RevealRequest, StaffUser, Submission
from feedback.services.moderation import replies
from tests.browsing import check_receipt, normalised, post_form
from tests.factories import make_submission, make_town_hall
from tests.staff import make_staff
from tests.stored import database_bytes

STAFF_REPLY = "Thank you. We will raise the rota at the next staff meeting; can you tell us which ward?"
ANSWER = "Ward 7B, mostly on weekend nights."


def arrange(app, body: str = "The rota punishes carers.", **identity):
    """A town hall and one submission in it; returns its receipt."""
    session = app.extensions["feedback_db"]()
    try:
        hall = make_town_hall(session)
        return make_submission(session, app.extensions["feedback_keyring"], hall, body, **identity)
    finally:
        session.close()


def staff_reply(app, submission_id, body: str = STAFF_REPLY) -> None:
    session = app.extensions["feedback_db"]()
    try:
        replies.add_staff_reply(session, submission_id, body, by=audit.Actor("fola@example.org"), now=clock.now())
    finally:
        session.close()


def rows(app, model, *conditions) -> list:
    session = app.extensions["feedback_db"]()
    try:
        return list(session.scalars(sa.select(model).where(*conditions)))
    finally:
        session.close()


def answer(client, code: str, text: str):
    return post_form(client, "/receipt/reply", "/receipt", code=code, answer=text)


def withdraw(client, code: str, confirm: bool = True):
    return post_form(client, "/receipt/withdraw", "/receipt", code=code, **({"confirm": "y"} if confirm else {}))


# --- replies, the submitter's side ---

def test_the_submitter_reads_a_facilitator_reply_and_answers_back(client, app):
    receipt = arrange(app)
    staff_reply(app, receipt.submission_id)
    page = check_receipt(client, receipt.code).get_data(as_text=True)
    assert str(escape(STAFF_REPLY)) in page and "A facilitator" in page
    assert clock.today().strftime("%-d %B %Y") in page
    assert not re.search(r"\d{1,2}:\d{2}", page)  # dates only, never a time

    response = answer(client, receipt.code, ANSWER)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Your answer was sent." in page
    assert page.index(str(escape(STAFF_REPLY))) < page.index(ANSWER)  # oldest first

    [theirs] = rows(app, Reply, Reply.author == replies.SUBMITTER)
    assert (theirs.submission_id, theirs.body, theirs.written_on) == (receipt.submission_id, ANSWER, clock.today())
    # The desk sees the thread waiting for an answer.
    unanswered = rows(app, Submission, replies.unanswered_condition())
    assert [s.id for s in unanswered] == [receipt.submission_id]
    # No audit event ties a time of day to the submitter's answer.
    assert [e.action for e in rows(app, AuditEvent, AuditEvent.actor == "submitter")] == []


def test_the_receipt_code_travels_only_in_hidden_fields_of_posted_forms(client, app):
    receipt = arrange(app)
    response = check_receipt(client, receipt.code)
    page = response.get_data(as_text=True)
    assert response.headers["Cache-Control"] == "no-store"
    actions = re.findall(r'<form[^>]*action="([^"]*)"', page)
    assert {"/receipt/reply", "/receipt/withdraw"} <= set(actions)
    assert all(receipt.code not in action for action in actions)
    assert re.findall(r'<form method="post"', page)
    assert len(re.findall(rf'name="code" type="hidden" value="{receipt.code}"', page)) == 2
    assert receipt.code not in response.headers.get("Set-Cookie", "")
    assert receipt.code not in answer(client, receipt.code, ANSWER).headers.get("Set-Cookie", "")


def test_an_empty_answer_is_asked_for_and_a_long_one_is_kept(client, app):
    receipt = arrange(app)
    empty = answer(client, receipt.code, "  \n ")
    assert empty.status_code == 422
    assert "Write your answer before sending it." in empty.get_data(as_text=True)
    long_text = "Too long, kept in full. " * 300
    response = answer(client, receipt.code, long_text)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Shorten your answer to 5,000 characters or fewer." in page
    assert long_text.strip() + "</textarea>" in page
    assert rows(app, Reply) == []


def test_a_wrong_code_gets_the_same_answer_from_every_form(client, app):
    real = arrange(app).code
    wrong = ("0" if real[0] != "0" else "1") + real[1:]
    pages = set()
    for response in (check_receipt(client, wrong), answer(client, wrong, ANSWER), withdraw(client, wrong)):
        assert response.status_code == 404
        pages.add(normalised(response.get_data(as_text=True), wrong))
    assert len(pages) == 1
    assert "We could not find a submission with that code." in pages.pop()
    assert rows(app, Reply) == [] and len(rows(app, Submission)) == 1


def test_an_answer_refused_by_the_rate_limit_is_shown_back(make_app):
    app = make_app(RECEIPT_RATE_LIMIT="1 per day")
    receipt = arrange(app)
    client = app.test_client()
    answer(client, receipt.code, "First answer")
    response = answer(client, receipt.code, "Second answer, <kept>")
    assert response.status_code == 429
    assert "Second answer, &lt;kept&gt;" in response.get_data(as_text=True)
    assert [r.body for r in rows(app, Reply)] == ["First answer"]


# --- withdrawal ---

def test_withdrawal_needs_the_box_ticked(client, app):
    receipt = arrange(app)
    response = withdraw(client, receipt.code, confirm=False)
    assert response.status_code == 422
    assert "Tick the box to confirm" in response.get_data(as_text=True)
    assert len(rows(app, Submission)) == 1


def test_withdrawal_deletes_everything_and_the_text_leaves_the_database_file_and_wal(sqlite_app):
    app = sqlite_app
    body = "Quillfeather-Zanzibar-8841: the registrar mocks my accent."
    receipt = arrange(app, body, name="Odalys Brightwater", email="odalys@example.org")
    staff_reply(app, receipt.submission_id, "Staffreply-Marmalade-5512")
    client = app.test_client()
    answer(client, receipt.code, "Answer-Tangerine-3377")
    session = app.extensions["feedback_db"]()
    facilitator = make_staff(app, "facilitator")
    session.add(RevealRequest(submission_id=receipt.submission_id, requested_by=facilitator.id,
                              reason="Reason-Pomegranate-9913", status="pending"))
    session.commit()
    session.close()
    distinctive = [b"Quillfeather-Zanzibar-8841", b"Staffreply-Marmalade-5512", b"Answer-Tangerine-3377",
                   b"Reason-Pomegranate-9913"]
    stored = database_bytes(app)
    assert all(text in stored for text in distinctive)  # the check can see them before ...

    response = withdraw(client, receipt.code)
    assert response.status_code == 200
    assert "Your submission was withdrawn" in response.get_data(as_text=True)

    stored = database_bytes(app)
    for text in distinctive:
        assert text not in stored, text  # ... and they are gone after
    for model, column in ((Submission, Submission.id), (Identity, Identity.submission_id),
                          (Reply, Reply.submission_id), (RevealRequest, RevealRequest.submission_id)):
        assert rows(app, model, column == receipt.submission_id) == [], model.__name__
    assert check_receipt(client, receipt.code).status_code == 404
    assert rows(app, StaffUser)  # staff are untouched

    # No audit event: its place between timed staff events would tell roughly when the person acted.
    assert rows(app, AuditEvent, AuditEvent.actor == "submitter") == []
    assert rows(app, AuditEvent, AuditEvent.action.like("%withdraw%")) == []


def test_a_withdrawn_code_cannot_withdraw_or_answer_again(client, app):
    receipt = arrange(app)
    assert withdraw(client, receipt.code).status_code == 200
    assert withdraw(client, receipt.code).status_code == 404
    assert answer(client, receipt.code, ANSWER).status_code == 404


# --- erasure by email ---

def test_erase_email_removes_every_identity_of_that_email_and_keeps_the_submissions(app, runner):
    mine = [arrange(app, "First", name="Ines", email="ines.duarte@example.org"),
            arrange(app, "Second", name="I. Duarte", email="  Ines.Duarte@Example.ORG ")]
    other = arrange(app, "Third", name="Someone", email="someone@example.org")
    result = runner.invoke(args=["erase-email", "--email", "INES.duarte@example.org"])
    assert result.exit_code == 0, result.output
    assert "Erased 2 identities." in result.output
    ids = [r.submission_id for r in mine]
    assert rows(app, Identity, Identity.submission_id.in_(ids)) == []
    assert [s.is_named for s in rows(app, Submission, Submission.id.in_(ids))] == [False, False]
    assert len(rows(app, Identity, Identity.submission_id == other.submission_id)) == 1
    [event] = rows(app, AuditEvent, AuditEvent.action == "identities_erased")
    assert event.details == '{"count": 2}'
    for row in rows(app, AuditEvent):
        for column in AuditEvent.__table__.columns:
            assert "ines" not in str(getattr(row, column.key)).lower()

    again = runner.invoke(args=["erase-email"], input="ines.duarte@example.org\n")
    assert again.exit_code == 0 and "Erased 0 identities." in again.output


def test_an_erased_identity_leaves_the_database_file(sqlite_app):
    app = sqlite_app
    receipt = arrange(app, name="Odalys Brightwater", email="odalys@example.org")
    [identity] = rows(app, Identity)
    assert identity.ciphertext in database_bytes(app)
    result = app.test_cli_runner().invoke(args=["erase-email", "--email", "odalys@example.org"])
    assert "Erased 1 identity." in result.output
    stored = database_bytes(app)
    assert identity.ciphertext not in stored and identity.wrapped_key not in stored
    assert rows(app, Submission, Submission.id == receipt.submission_id)[0].is_named is False


def test_after_erasure_the_receipt_says_the_name_was_deleted_not_that_it_came_anonymously(app, client, runner):
    named = arrange(app, "Named", name="Ines", email="ines.duarte@example.org")
    anonymous = arrange(app, "Anonymous")
    page = check_receipt(client, named.code).get_data(as_text=True)
    assert "With your name (encrypted)" in page
    assert runner.invoke(args=["erase-email", "--email", "ines.duarte@example.org"]).exit_code == 0
    page = check_receipt(client, named.code).get_data(as_text=True)
    assert "your name and email have since been deleted" in page
    assert "Anonymously" not in page and "Ines" not in page
    assert "<dd>Anonymously</dd>" in check_receipt(client, anonymous.code).get_data(as_text=True)
