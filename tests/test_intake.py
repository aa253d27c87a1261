"""Sending a concern: stored once, sealed when named, receipt shown, bad input kept and explained."""

from __future__ import annotations

import re
import uuid

import sqlalchemy as sa

from feedback.models import Identity, Submission
from feedback.services.keys import unseal
from tests.browsing import receipt_code, send_concern, submission_form
from tests.factories import make_town_hall, today

RECEIPT_FORMAT = re.compile(r"^[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){4}$")


def stored(db_session) -> list[Submission]:
    db_session.expire_all()
    return list(db_session.scalars(sa.select(Submission)))


def test_anonymous_concern_is_stored_with_a_date_and_a_random_id(client, db_session):
    hall = make_town_hall(db_session)
    response = send_concern(client, hall.slug, "Residents of colour are mistaken for staff.", affiliation="student")
    assert response.status_code == 200
    assert "We received your concern" in response.get_data(as_text=True)
    [row] = stored(db_session)
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
    [row] = stored(db_session)
    assert code.encode() not in row.receipt_hash
    assert code.replace("-", "").encode() not in row.receipt_hash
    assert len(row.receipt_hash) == 32


def test_named_concern_seals_name_and_email(client, db_session, ring):
    hall = make_town_hall(db_session)
    response = send_concern(client, hall.slug, "Promotion criteria are opaque.", identity_choice="named",
                            name="Amara Okafor", email="amara@example.org", contact_ok="y")
    assert response.status_code == 200
    assert "encrypted" in response.get_data(as_text=True)
    [row] = stored(db_session)
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
    [row] = stored(db_session)
    assert not row.is_named
    assert db_session.scalar(sa.select(sa.func.count()).select_from(Identity)) == 0
