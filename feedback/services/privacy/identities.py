"""A stored identity record as the crypto layer sees it, and opening one."""

from __future__ import annotations

from feedback import crypto
from feedback.models import Identity


def sealed(identity: Identity) -> crypto.SealedIdentity:
    return crypto.SealedIdentity(
        key_id=identity.key_id,
        wrapped_key=identity.wrapped_key,
        nonce=identity.nonce,
        ciphertext=identity.ciphertext,
    )


def unseal(ring: crypto.KeyRing, identity: Identity) -> crypto.Identity:
    """Open one identity (for reveals, key checks and tests).

    :raises crypto.IdentityUnreadable: the record does not open under this ring.
    """
    return crypto.unseal_identity(ring, identity.submission_id, sealed(identity))
