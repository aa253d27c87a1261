"""Sending a concern: stored once, sealed when named, receipt shown, bad input kept and explained."""

from __future__ import annotations

import re
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
import sqlalchemy as sa

from feedback import crypto
from feedback.models import Identity
from feedback.services.intake import submitting
from feedback.services.privacy.identities import unseal
from tests.browsing import receipt_code, send_concern, submission_form
from tests.factories import make_town_hall, today
from tests.stored import submissions

RECEIPT_FORMAT = re.compile(r"^[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){4}$")


def test_anonymous_concern_is_stored_with_a_date_and_a_random_id(client, db_session):
    hall = make_town_hall(db_session)
    response = send_concern(client, hall.slug, "Residents of colour are mistaken for staff.", affiliation="student")
    assert response.status_code == 200
    assert "We received your concern" in response.get_data(as_text=True)
    [row] = submissions(db_session)
    assert row.body == "Residents of colour are mistaken for staff."
    assert row.affiliation == "student"
    assert row.received_on == today()
    assert row.is_named is False and row.identity is None
    assert uuid.UUID(str(row.id)).version == 4
    assert row.status == "pending"


def test_receipt_is_grouped_unambiguous_and_stored_only_as_a_hash(client, db_session):
    hall = make_town_hall(db_session)
    code = receipt_code(send_concern(client, hall.slug))
    assert RECEIPT_FORMAT.match(code)
    [row] = submissions(db_session)
    assert code.encode() not in row.receipt_hash
    assert code.replace("-", "").encode() not in row.receipt_hash
    assert len(row.receipt_hash) == 32


def test_named_concern_seals_name_and_email(client, db_session, ring):
    hall = make_town_hall(db_session)
    response = send_concern(client, hall.slug, "Promotion criteria are opaque.", identity_choice="named",
                            name="Amara Okafor", email="amara@example.org", contact_ok="y")
    assert response.status_code == 200
    assert "encrypted" in response.get_data(as_text=True)
    [row] = submissions(db_session)
    assert row.is_named
    identity = db_session.scalar(sa.select(Identity))
    assert b"Amara" not in identity.ciphertext and b"amara@" not in identity.ciphertext
    opened = unseal(ring, identity)
    assert (opened.name, opened.email, opened.contact_ok) == ("Amara Okafor", "amara@example.org", True)


def test_name_typed_but_anonymous_chosen_is_not_kept(client, db_session):
    hall = make_town_hall(db_session)
    response = send_concern(client, hall.slug, identity_choice="anonymous", name="Amara Okafor",
                            email="amara@example.org")
    assert response.status_code == 200
    [row] = submissions(db_session)
    assert not row.is_named
    assert db_session.scalar(sa.select(sa.func.count()).select_from(Identity)) == 0


def test_a_retried_post_stores_one_submission_and_shows_the_same_receipt(client, db_session):
    hall = make_town_hall(db_session)
    fields = {"comment": "The same words twice", "identity_choice": "anonymous", **submission_form(client, hall.slug)}
    first = client.post(f"/t/{hall.slug}", data=fields)
    second = client.post(f"/t/{hall.slug}", data=fields)
    assert first.status_code == second.status_code == 200
    assert receipt_code(first) == receipt_code(second)
    assert len(submissions(db_session)) == 1


def test_a_used_form_with_a_different_text_is_not_lost(client, db_session):
    hall = make_town_hall(db_session)
    tokens = submission_form(client, hall.slug)
    client.post(f"/t/{hall.slug}", data={"comment": "First concern", "identity_choice": "anonymous", **tokens})
    response = client.post(f"/t/{hall.slug}", data={"comment": "Second, different concern",
                                                    "identity_choice": "anonymous", **tokens})
    page = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "already used" in page and "Second, different concern</textarea>" in page
    assert tokens["form_token"] not in page  # a fresh token, so pressing Send again stores it
    assert len(submissions(db_session)) == 1


def test_a_filled_honeypot_is_refused_and_nothing_is_stored(client, db_session):
    hall = make_town_hall(db_session)
    response = send_concern(client, hall.slug, "Filled by a form filler, not a bot", leave_empty="http://spam.example")
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert submissions(db_session) == []
    assert "Filled by a form filler, not a bot</textarea>" in page  # a person would not lose it
    assert "spam.example" not in page  # and pressing Send again goes through
    assert send_concern(client, hall.slug, "Filled by a form filler, not a bot").status_code == 200


def test_a_retry_after_intake_closed_still_shows_the_receipt(client, db_session):
    hall = make_town_hall(db_session)
    fields = {"comment": "Sent just before closing", "identity_choice": "anonymous",
              **submission_form(client, hall.slug)}
    first = client.post(f"/t/{hall.slug}", data=fields)
    hall.intake_closes_on = hall.intake_opens_on = today() - timedelta(days=1)
    db_session.commit()
    retry = client.post(f"/t/{hall.slug}", data=fields)
    assert retry.status_code == 200
    assert receipt_code(retry) == receipt_code(first)
    assert len(submissions(db_session)) == 1


def test_a_form_token_from_one_town_hall_is_not_a_retry_in_another(client, db_session):
    first, second = make_town_hall(db_session, "First hall"), make_town_hall(db_session, "Second hall")
    fields = {"comment": "Same words", "identity_choice": "anonymous", **submission_form(client, first.slug)}
    assert client.post(f"/t/{first.slug}", data=fields).status_code == 200
    response = client.post(f"/t/{second.slug}", data=fields)
    assert response.status_code == 409
    assert "Same words</textarea>" in response.get_data(as_text=True)
    assert len(submissions(db_session)) == 1


def test_an_old_form_token_no_longer_brings_the_receipt_back(app, db_session, ring):
    hall = make_town_hall(db_session)
    token = crypto.new_form_token()
    new = submitting.NewSubmission(body="Long ago")
    submitting.submit(db_session, ring, hall.slug, token, new, today() - timedelta(days=2))
    with pytest.raises(submitting.FormTokenReused):
        submitting.submit(db_session, ring, hall.slug, token, new, today())


def test_a_post_without_csrf_token_is_refused_with_the_text_kept(client, db_session):
    hall = make_town_hall(db_session)
    tokens = submission_form(client, hall.slug)
    response = client.post(f"/t/{hall.slug}", data={"comment": "Kept despite expiry",
                                                    "form_token": tokens["form_token"]})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "form expired" in page and "Kept despite expiry</textarea>" in page
    assert submissions(db_session) == []


def test_an_empty_concern_gets_a_message_by_the_field_and_in_the_summary(client, db_session):
    hall = make_town_hall(db_session)
    response = send_concern(client, hall.slug, "   ", affiliation="faculty")
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'class="error-summary" role="alert"' in page
    assert '<a href="#comment">Write your concern before sending it.</a>' in page
    assert 'id="comment-error"' in page and 'aria-describedby="comment-hint comment-error"' in page
    assert re.search(r'<input checked id="affiliation-1"[^>]*value="faculty"', page)  # choices kept
    assert submissions(db_session) == []


def test_an_over_long_concern_comes_back_whole_with_a_message(client, db_session):
    hall = make_town_hall(db_session)
    text = "word " * 1001
    response = send_concern(client, hall.slug, text, identity_choice="named", name="Kai")
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Shorten your concern to 5,000 characters or fewer." in page
    assert text.strip() + "</textarea>" in page
    assert 'value="Kai"' in page
    assert submissions(db_session) == []


def test_a_named_concern_without_a_name_keeps_everything_typed(client, db_session):
    hall = make_town_hall(db_session)
    response = send_concern(client, hall.slug, "Keep me", identity_choice="named", email="kai@example.org")
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Write your name, or choose to send it anonymously." in page
    assert "Keep me</textarea>" in page and 'value="kai@example.org"' in page


def test_an_expired_form_token_gets_a_new_one_and_keeps_the_text(client, db_session):
    hall = make_town_hall(db_session)
    response = send_concern(client, hall.slug, "Still here", form_token="forged")
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "This form had expired" in page and "Still here</textarea>" in page
    assert 'name="form_token" type="hidden" value="forged"' not in page


def test_concurrent_posts_of_one_form_token_store_one_submission(app, db_session):
    """Two workers racing on one token: the unique constraint, not luck, keeps it to one row."""
    hall = make_town_hall(db_session)
    ring = app.extensions["feedback_keyring"]
    token = crypto.new_form_token()

    def send(_):
        session = app.extensions["feedback_db"]()
        try:
            return submitting.submit(session, ring, hall.slug, token, submitting.NewSubmission(body="Race"), today())
        finally:
            session.close()

    with ThreadPoolExecutor(max_workers=6) as pool:
        receipts = list(pool.map(send, range(12)))
    assert len({r.code for r in receipts}) == 1
    assert sum(not r.repeated for r in receipts) == 1
    assert len(submissions(db_session)) == 1


def test_form_and_receipt_pages_are_never_cached_and_send_no_referrer(client, db_session):
    hall = make_town_hall(db_session)
    form_page = client.get(f"/t/{hall.slug}")
    receipt_page = send_concern(client, hall.slug)
    for response in (form_page, receipt_page):
        assert response.headers["Cache-Control"] == "no-store"
        assert response.headers["Referrer-Policy"] == "no-referrer"
