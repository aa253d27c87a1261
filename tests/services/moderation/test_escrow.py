"""Identity escrow: a reveal needs a typed reason, shows the identity once, and is audited without it."""

from __future__ import annotations

import uuid

import sqlalchemy as sa

from feedback import audit, clock
from feedback.models import AuditEvent, RevealRequest, StaffUser
from feedback.services.admin import settings
from tests.browsing import csrf_for, hidden_fields, post_form
from tests.factories import make_submission, make_town_hall
from tests.staff import staff_client

NAME, EMAIL = "Marisol Okonkwo-Lindqvist", "marisol.lindqvist@example.org"
IDENTITY_PARTS = [NAME, EMAIL, "Marisol", "Okonkwo", "Lindqvist", "marisol.lindqvist"]
REASON = "Safety report: the writer describes an ongoing threat and asks to be contacted."


def named_submission(app, *, name: str | None = NAME, email: str = EMAIL) -> uuid.UUID:
    session = app.extensions["feedback_db"]()
    try:
        hall = make_town_hall(session)
        receipt = make_submission(session, app.extensions["feedback_keyring"], hall, "The rota punishes carers.",
                                  name=name, email=email)
        return receipt.submission_id
    finally:
        session.close()


def reveal_url(submission_id: uuid.UUID) -> str:
    return f"/facilitate/s/{submission_id}/reveal"


def post_reason(client, submission_id: uuid.UUID, reason: str = REASON):
    """Open the reveal page, type a reason, send the form."""
    url = reveal_url(submission_id)
    return client.post(url, data={**hidden_fields(client.get(url).get_data(as_text=True)), "reason": reason})


def post_button(client, url: str, page: str = "/facilitate/reveals"):
    return post_form(client, url, page)


def events(app, action: str | None = None) -> list[AuditEvent]:
    session = app.extensions["feedback_db"]()
    try:
        query = sa.select(AuditEvent).order_by(AuditEvent.id)
        if action:
            query = query.where(AuditEvent.action == action)
        return list(session.scalars(query))
    finally:
        session.close()


def requests(app) -> list[RevealRequest]:
    session = app.extensions["feedback_db"]()
    try:
        return list(session.scalars(sa.select(RevealRequest).order_by(RevealRequest.id)))
    finally:
        session.close()


def staff_id(app, email: str) -> int:
    session = app.extensions["feedback_db"]()
    try:
        return session.scalar(sa.select(StaffUser.id).where(StaffUser.email == email))
    finally:
        session.close()


def turn_on_approval(app) -> None:
    session = app.extensions["feedback_db"]()
    try:
        settings.set_flag(session, settings.REVEAL_NEEDS_APPROVAL, True, by=audit.Actor(audit.SYSTEM),
                          now=clock.now())
    finally:
        session.close()


def assert_no_identity_in(text: str) -> None:
    for part in IDENTITY_PARTS:
        assert part.lower() not in text.lower(), part


def test_a_reveal_without_a_real_reason_is_refused_and_the_text_is_kept(app):
    submission_id = named_submission(app)
    client = staff_client(app, "facilitator")
    empty = post_reason(client, submission_id, "   ")
    assert empty.status_code == 422
    assert "Write the reason for revealing this identity." in empty.get_data(as_text=True)
    short = post_reason(client, submission_id, "because")
    page = short.get_data(as_text=True)
    assert short.status_code == 422
    assert "Write a reason of 10 to 1000 characters" in page
    assert "because</textarea>" in page
    assert_no_identity_in(page)
    assert events(app, "identity_revealed") == []


def test_a_reveal_shows_the_identity_once_and_only_on_that_response(app):
    submission_id = named_submission(app)
    client = staff_client(app, "facilitator")
    assert_no_identity_in(client.get(reveal_url(submission_id)).get_data(as_text=True))
    response = post_reason(client, submission_id)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert NAME in page and EMAIL in page and "Agreed to be contacted" in page
    assert response.headers["Cache-Control"] == "no-store"
    assert "Location" not in response.headers
    assert_no_identity_in(response.headers.get("Set-Cookie", ""))
    assert_no_identity_in(client.get(reveal_url(submission_id)).get_data(as_text=True))



def reveal_form(client, submission_id: uuid.UUID) -> dict[str, str]:
    """The reveal form's fields as the page gives them, with a reason typed in (to send more than once)."""
    page = client.get(reveal_url(submission_id)).get_data(as_text=True)
    return {**hidden_fields(page), "reason": REASON}


def test_sending_the_reveal_form_again_shows_no_identity_and_records_no_second_reveal(app):
    submission_id = named_submission(app)
    client = staff_client(app, "facilitator")
    form = reveal_form(client, submission_id)
    first = client.post(reveal_url(submission_id), data=form)
    assert first.status_code == 200 and NAME in first.get_data(as_text=True)
    assert first.headers["Cache-Control"] == "no-store"

    again = client.post(reveal_url(submission_id), data=form)  # a refresh sends the same form again

    page = again.get_data(as_text=True)
    assert "already revealed" in page
    assert_no_identity_in(page)
    assert len(events(app, "identity_revealed")) == 1
    # A deliberate second reveal, from the page as it is now, is a new and recorded one.
    assert NAME in client.post(reveal_url(submission_id), data=reveal_form(client, submission_id)).get_data(
        as_text=True)
    assert len(events(app, "identity_revealed")) == 2


def test_sending_a_reveal_request_again_asks_only_once(app):
    submission_id = named_submission(app)
    turn_on_approval(app)
    client = staff_client(app, "facilitator")
    form = reveal_form(client, submission_id)
    client.post(reveal_url(submission_id), data=form)

    again = client.post(reveal_url(submission_id), data=form)

    assert "already sent" in again.get_data(as_text=True)
    assert len(requests(app)) == 1 and len(events(app, "reveal_requested")) == 1

def test_the_reveal_is_audited_with_who_when_which_and_why_but_never_the_identity(app):
    submission_id = named_submission(app)
    client = staff_client(app, "facilitator", "fola@example.org")
    assert post_reason(client, submission_id).status_code == 200
    [event] = events(app, "identity_revealed")
    assert (event.actor, event.actor_id) == ("fola@example.org", staff_id(app, "fola@example.org"))
    assert event.submission_id == submission_id
    assert event.reason == REASON
    assert event.occurred_at.date() == clock.now().date()
    for row in events(app):
        for column in AuditEvent.__table__.columns:
            assert_no_identity_in(str(getattr(row, column.key)))
    admin = staff_client(app, "admin")
    export = admin.get("/admin/audit.csv").get_data(as_text=True)
    assert REASON in export
    assert_no_identity_in(export)


def test_leaders_can_never_reveal_nor_see_requests(app):
    submission_id = named_submission(app)
    turn_on_approval(app)
    facilitator = staff_client(app, "facilitator")
    post_reason(facilitator, submission_id)
    [request] = requests(app)
    leader = staff_client(app, "leader")
    csrf = csrf_for(leader, "/staff")
    answers = [
        leader.get(reveal_url(submission_id)),
        leader.post(reveal_url(submission_id), data={"reason": REASON, "csrf_token": csrf}),
        leader.post(f"{reveal_url(submission_id)}/open", data={"csrf_token": csrf}),
        leader.get("/facilitate/reveals"),
        leader.post(f"/facilitate/reveals/{request.id}/approve", data={"csrf_token": csrf}),
        leader.post(f"/facilitate/reveals/{request.id}/deny", data={"csrf_token": csrf}),
    ]
    assert [a.status_code for a in answers] == [403] * len(answers)
    for answer in answers:
        assert_no_identity_in(answer.get_data(as_text=True))
        assert REASON not in answer.get_data(as_text=True)
    assert requests(app)[0].status == "pending"


def test_an_anonymous_submission_has_nothing_to_reveal(app):
    submission_id = named_submission(app, name=None)
    client = staff_client(app, "facilitator")
    assert "Nothing to reveal" in client.get(reveal_url(submission_id)).get_data(as_text=True)
    response = post_reason(client, f"{submission_id}")
    assert response.status_code == 404
    assert "Nothing to reveal" in response.get_data(as_text=True)
    assert client.get(reveal_url(uuid.uuid4())).status_code == 404
    assert events(app, "identity_revealed") == []


def test_with_approval_on_a_second_person_approves_and_the_requester_opens_it_once(app):
    submission_id = named_submission(app)
    turn_on_approval(app)
    asker = staff_client(app, "facilitator", "asker@example.org")
    other = staff_client(app, "facilitator", "other@example.org")

    asked = post_reason(asker, submission_id)
    assert asked.status_code == 200 and "Your request was sent" in asked.get_data(as_text=True)
    assert_no_identity_in(asked.get_data(as_text=True))
    [request] = requests(app)
    assert (request.status, request.reason) == ("pending", REASON)
    assert [e.actor for e in events(app, "reveal_requested")] == ["asker@example.org"]

    own = post_button(asker, f"/facilitate/reveals/{request.id}/approve")
    assert own.status_code == 403 and "it is your own" in own.get_data(as_text=True)
    early = post_button(asker, f"{reveal_url(submission_id)}/open")
    assert early.status_code == 409
    assert_no_identity_in(early.get_data(as_text=True))
    assert requests(app)[0].status == "pending" and events(app, "reveal_approved") == []

    listed = other.get("/facilitate/reveals").get_data(as_text=True)
    assert REASON in listed and "Approve" in listed
    assert post_button(other, f"/facilitate/reveals/{request.id}/approve").status_code == 302
    assert requests(app)[0].status == "approved"
    assert [e.actor for e in events(app, "reveal_approved")] == ["other@example.org"]
    not_theirs = post_button(other, f"{reveal_url(submission_id)}/open")
    assert not_theirs.status_code == 409
    assert_no_identity_in(not_theirs.get_data(as_text=True))

    assert "Open the identity" in asker.get(reveal_url(submission_id)).get_data(as_text=True)
    opened = post_button(asker, f"{reveal_url(submission_id)}/open", reveal_url(submission_id))
    assert opened.status_code == 200 and NAME in opened.get_data(as_text=True)
    assert requests(app)[0].status == "used"
    [revealed] = events(app, "identity_revealed")
    assert (revealed.actor, revealed.reason, revealed.submission_id) == ("asker@example.org", REASON, submission_id)

    again = post_button(asker, f"{reveal_url(submission_id)}/open", reveal_url(submission_id))
    assert again.status_code == 409
    assert_no_identity_in(again.get_data(as_text=True))
    assert post_button(other, f"/facilitate/reveals/{request.id}/approve").status_code == 403
    assert len(events(app, "identity_revealed")) == 1
    for row in events(app):
        for column in AuditEvent.__table__.columns:
            assert_no_identity_in(str(getattr(row, column.key)))


def test_with_approval_on_a_reason_alone_reveals_nothing(app):
    submission_id = named_submission(app)
    turn_on_approval(app)
    admin = staff_client(app, "admin")
    response = post_reason(admin, submission_id)
    assert_no_identity_in(response.get_data(as_text=True))
    assert events(app, "identity_revealed") == []


def test_a_denied_request_never_opens(app):
    submission_id = named_submission(app)
    turn_on_approval(app)
    asker = staff_client(app, "facilitator", "asker@example.org")
    admin = staff_client(app, "admin")
    post_reason(asker, submission_id)
    [request] = requests(app)
    assert post_button(admin, f"/facilitate/reveals/{request.id}/deny").status_code == 302
    assert requests(app)[0].status == "denied"
    assert [e.actor for e in events(app, "reveal_denied")] == ["admin@example.org"]
    assert "Denied by Admin" in asker.get(reveal_url(submission_id)).get_data(as_text=True)
    opened = post_button(asker, f"{reveal_url(submission_id)}/open", reveal_url(submission_id))
    assert opened.status_code == 409
    assert_no_identity_in(opened.get_data(as_text=True))
    assert events(app, "identity_revealed") == []


def test_the_reveal_pages_name_no_identity_anywhere_but_in_the_reveal(app):
    submission_id = named_submission(app)
    turn_on_approval(app)
    facilitator = staff_client(app, "facilitator")
    post_reason(facilitator, submission_id)
    for path in ("/facilitate/reveals", reveal_url(submission_id), "/staff"):
        response = facilitator.get(path)
        assert response.status_code == 200, path
        assert_no_identity_in(response.get_data(as_text=True))
    assert "Reveal requests" in facilitator.get("/staff").get_data(as_text=True)
