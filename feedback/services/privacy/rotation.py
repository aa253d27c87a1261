"""Master-key rotation: re-wrap every identity's data key under a new master key."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy import orm

from feedback import crypto
from feedback.db import writing
from feedback.models import Identity
from feedback.services.privacy import identities


@dataclass(frozen=True)
class Rotation:
    new_key_id: str
    rewrapped: int
    retired_key_ids: list[str]


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
    return set(session.scalars(sa.select(Identity.key_id).distinct()))
