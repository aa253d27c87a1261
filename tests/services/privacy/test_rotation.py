"""Master-key rotation: every identity moves to the new key; old keys go only once nothing uses them."""

from __future__ import annotations

import json

import sqlalchemy as sa

from feedback import audit, clock, keyfile
from feedback.models import AuditEvent, Identity
from feedback.services.privacy import rotation
from feedback.services.privacy.identities import unseal
from tests.factories import make_submission, make_town_hall

SYSTEM = audit.Actor(audit.SYSTEM)


def events(session, action: str) -> list[dict]:
    return [json.loads(e.details) for e in session.scalars(sa.select(AuditEvent).where(AuditEvent.action == action))]


def test_rotating_and_retiring_rewraps_every_identity_and_records_both_steps(app, db_session, ring):
    hall = make_town_hall(db_session)
    for n in range(2):
        make_submission(db_session, ring, hall, f"Concern {n}", name=f"Person {n}", email=f"p{n}@example.org")
    path = app.config["KEYRING_PATH"]

    done = rotation.rotate(db_session, path, retire_old=True, by=SYSTEM, now=clock.now())

    new_ring = keyfile.load(path)
    assert done == rotation.Rotation(new_ring.active_id, 2, retired_key_ids=[ring.active_id], still_in_use=[])
    assert set(new_ring.master_keys) == {new_ring.active_id}
    assert events(db_session, "keys_rotated") == [{"new_key_id": new_ring.active_id, "rewrapped": 2}]
    assert events(db_session, "keys_retired") == [{"retired_key_ids": [ring.active_id]}]


def test_rotating_without_retiring_keeps_the_old_key_in_the_ring(app, db_session, ring):
    done = rotation.rotate(db_session, app.config["KEYRING_PATH"], retire_old=False, by=SYSTEM, now=clock.now())

    assert (done.rewrapped, done.retired_key_ids, done.still_in_use) == (0, [], [])
    assert ring.active_id in keyfile.load(app.config["KEYRING_PATH"]).master_keys
    assert events(db_session, "keys_retired") == []


def test_an_identity_sealed_late_under_the_old_key_keeps_that_key_in_the_ring(app, db_session, ring, monkeypatch):
    """A worker still holding the old ring seals one more identity just after the second pass."""
    hall = make_town_hall(db_session)
    make_submission(db_session, ring, hall, "Early", name="Early", email="early@example.org")
    real_rewrap, passes = rotation.rewrap_all, []

    def rewrap_then_a_late_submission(session, new_ring):
        passes.append(real_rewrap(session, new_ring))
        if len(passes) == 2:
            make_submission(db_session, ring, hall, "Late", name="Late", email="late@example.org")
        return passes[-1]

    monkeypatch.setattr(rotation, "rewrap_all", rewrap_then_a_late_submission)
    done = rotation.rotate(db_session, app.config["KEYRING_PATH"], retire_old=True, by=SYSTEM, now=clock.now())

    assert (done.retired_key_ids, done.still_in_use) == ([], [ring.active_id])
    on_disk = keyfile.load(app.config["KEYRING_PATH"])
    assert ring.active_id in on_disk.master_keys
    db_session.expire_all()
    assert sorted(unseal(on_disk, i).name for i in db_session.scalars(sa.select(Identity))) == ["Early", "Late"]
    assert events(db_session, "keys_retired") == []
