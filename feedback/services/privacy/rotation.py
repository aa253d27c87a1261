"""Master-key rotation: re-wrap every identity's data key under a new master key, then retire the old ones."""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy import orm

from feedback import audit, crypto, keyfile
from feedback.db import writing
from feedback.models import Identity
from feedback.services.privacy import identities


@dataclass(frozen=True)
class Rotation:
    """What a rotation did: the new active key, how many identities moved to it, which old keys went."""

    new_key_id: str
    rewrapped: int
    retired_key_ids: list[str]
    # Old keys some identity still used after the second pass, so none was retired (asked to retire only).
    still_in_use: list[str]


def rewrap_all(session: orm.Session, ring: crypto.KeyRing) -> int:
    """Re-wrap every identity not yet under the ring's active key; return how many changed.

    :raises crypto.IdentityUnreadable: a record does not unwrap (nothing is changed then).
    """
    count = 0
    with writing(session):
        query = sa.select(Identity).where(Identity.key_id != ring.active_id)
        for identity in session.scalars(query):
            sealed = crypto.rewrap_identity(ring, identity.submission_id, identities.sealed(identity))
            identity.key_id, identity.wrapped_key = sealed.key_id, sealed.wrapped_key
            count += 1
    return count


def key_ids_in_use(session: orm.Session) -> set[str]:
    """The master-key ids that some identity's data key is wrapped under."""
    return set(session.scalars(sa.select(Identity.key_id).distinct()))


def rotate(session: orm.Session, keyring_path: str | os.PathLike[str], *, retire_old: bool, by: audit.Actor,
           now: datetime) -> Rotation:
    """Add a new master key to the ring file, re-wrap every identity under it, and retire the old keys if asked.

    :raises crypto.IdentityUnreadable: a record does not unwrap (the new key is kept; nothing is re-wrapped).
    """
    ring = crypto.with_new_master_key(keyfile.load(keyring_path))
    # Save first: if re-wrapping stops half-way, both old and new keys are still on disk.
    keyfile.save(ring, keyring_path)
    count = rewrap_all(session, ring)
    audit.record_now(session, by, audit.Action.KEYS_ROTATED, now=now,
                     details={"new_key_id": ring.active_id, "rewrapped": count})
    if not retire_old:
        return Rotation(ring.active_id, count, retired_key_ids=[], still_in_use=[])
    # A worker that read the old ring just before the rotation may have sealed one more identity
    # under the old key: re-wrap again, then retire only if nothing uses an old key.
    rewrap_all(session, ring)
    old = set(ring.master_keys) - {ring.active_id}
    in_use = key_ids_in_use(session) & old
    if in_use:
        return Rotation(ring.active_id, count, retired_key_ids=[], still_in_use=sorted(in_use))
    keyfile.save(crypto.without_master_keys(ring, old), keyring_path)
    audit.record_now(session, by, audit.Action.KEYS_RETIRED, now=now, details={"retired_key_ids": sorted(old)})
    return Rotation(ring.active_id, count, retired_key_ids=sorted(old), still_in_use=[])
