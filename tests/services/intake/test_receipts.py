"""Checking status with a receipt code: by POST only, one generic answer for every wrong code."""

from __future__ import annotations

import re

import sqlalchemy as sa

from feedback.models import Submission
from tests.browsing import check_receipt, normalised, receipt_code, send_concern
from tests.factories import make_submission, make_town_hall


def test_a_receipt_shows_the_status_and_the_text(client, db_session):
    hall = make_town_hall(db_session, "Belonging")
    code = receipt_code(send_concern(client, hall.slug, "Rounds feel hostile.\nPlease act."))
    response = check_receipt(client, code)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Belonging" in page and "Rounds feel hostile.\nPlease act." in page
    assert "Received. A facilitator has not reviewed it yet." in page
    assert "Anonymously" in page


def test_a_receipt_typed_in_lowercase_with_spaces_still_works(client, db_session):
    hall = make_town_hall(db_session)
    code = receipt_code(send_concern(client, hall.slug, "Found anyway"))
    assert "Found anyway" in check_receipt(client, code.lower().replace("-", " ")).get_data(as_text=True)


def test_the_status_follows_the_submission(client, db_session, ring):
    hall = make_town_hall(db_session)
    receipt = make_submission(db_session, ring, hall, "Status changes")
    row = db_session.get(Submission, receipt.submission_id)
    row.status, row.redacted_body = "published", "Status [redacted]"
    db_session.commit()
    page = check_receipt(client, receipt.code).get_data(as_text=True)
    assert "Reviewed and included in what leadership sees." in page
    assert "Status [redacted]" in page and "As others see it" in page


def test_every_wrong_code_gets_the_same_answer(client, db_session, ring):
    hall = make_town_hall(db_session)
    real = make_submission(db_session, ring, hall).code
    wrong_but_well_formed = ("0" if real[0] != "0" else "1") + real[1:]
    answers = set()
    for code in (wrong_but_well_formed, "ABCD", "not a code at all", "'; DROP TABLE submission; --", "A" * 500):
        response = check_receipt(client, code)
        assert response.status_code == 404
        page = response.get_data(as_text=True)
        assert "We could not find a submission with that code." in page
        answers.add(normalised(page, code))
    assert len(answers) == 1


def test_an_empty_code_is_asked_for(client):
    response = check_receipt(client, "  ")
    assert response.status_code == 422
    assert "Enter your receipt code." in response.get_data(as_text=True)


def test_a_code_in_the_address_is_never_looked_up(client, db_session, ring):
    hall = make_town_hall(db_session)
    code = make_submission(db_session, ring, hall, "Secret words").code
    page = client.get(f"/receipt?code={code}").get_data(as_text=True)
    assert "Secret words" not in page
    assert code not in page


def test_text_shown_on_the_receipt_is_escaped_and_links_are_marked(client, db_session):
    hall = make_town_hall(db_session)
    code = receipt_code(send_concern(client, hall.slug, "<script>alert(1)</script> https://example.org/r"))
    page = check_receipt(client, code).get_data(as_text=True)
    assert "<script>alert(1)" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert '<a href="https://example.org/r" rel="nofollow noopener ugc">' in page


def test_the_receipt_never_travels_in_a_cookie_or_a_redirect(app, client, db_session):
    hall = make_town_hall(db_session)
    response = send_concern(client, hall.slug)
    code = receipt_code(response)
    assert response.status_code == 200 and "Location" not in response.headers
    cookie = client.get_cookie("session")
    session = app.session_interface.get_signing_serializer(app).loads(cookie.value)
    assert set(session) == {"csrf_token"}  # the only thing the cookie carries
    assert code not in cookie.value and code not in str(session)
    assert db_session.scalar(sa.select(sa.func.count()).select_from(Submission)) == 1


def test_no_receipt_form_lets_the_browser_keep_or_refill_what_was_typed(client, db_session):
    # The code, an answer or a withdrawal must not land in the browser's form history (a shared computer)
    # nor come back after Back, where Send would answer twice.
    hall = make_town_hall(db_session)
    code = receipt_code(send_concern(client, hall.slug))
    pages = [client.get("/receipt").get_data(as_text=True), check_receipt(client, code).get_data(as_text=True)]
    forms = [tag for page in pages for tag in re.findall(r"<form [^>]*>", page)]
    assert len(forms) >= 3  # the check, and on the status page an answer and a withdrawal
    assert all('autocomplete="off"' in tag for tag in forms)
