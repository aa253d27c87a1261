"""Key ring, identity sealing, blind index and receipt codes: the only module that imports cryptography.

The key ring's file (its format, mode and checks on reading) is feedback.keyfile.

Identities are sealed with AES-256-GCM under a fresh data key per record; the data key is wrapped
(AES-256-GCM again) by the active master key of the key ring. The submission id is bound in as
associated data to both, so a ciphertext or a wrapped key moved to another row no longer opens.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import uuid
from collections.abc import Container
from dataclasses import dataclass, field, replace
from datetime import date

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

KEY_BYTES = 32
NONCE_BYTES = 12
# Crockford's base32: no I, L, O or U, so nothing looks like anything else.
RECEIPT_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
RECEIPT_LENGTH = 20  # 20 symbols x 5 bits = 100 bits of randomness
RECEIPT_GROUP = 4
_RECEIPT_LOOKALIKES = str.maketrans({"O": "0", "I": "1", "L": "1"})
FORM_TOKEN_BYTES = 32


class KeyRingError(Exception):
    """The key ring file is missing, unreadable, too open, malformed or reuses a key."""


class IdentityUnreadable(Exception):
    """A sealed identity did not open: wrong key, altered bytes, or moved from another row."""


@dataclass(frozen=True)
class KeyRing:
    """Master keys by id (one active), plus the blind-index and receipt keys."""

    master_keys: dict[str, bytes]
    active_id: str
    blind_index_key: bytes
    receipt_key: bytes
    _subkeys: dict[str, bytes] = field(default_factory=dict, compare=False, repr=False)

    def subkey(self, purpose: str) -> bytes:
        """Derive (and cache) a key for one purpose from the receipt key, with HKDF."""
        if purpose not in self._subkeys:
            hkdf = HKDF(algorithm=hashes.SHA256(), length=KEY_BYTES, salt=None, info=purpose.encode())
            self._subkeys[purpose] = hkdf.derive(self.receipt_key)
        return self._subkeys[purpose]

    def all_keys(self) -> list[bytes]:
        return [*self.master_keys.values(), self.blind_index_key, self.receipt_key]


@dataclass(frozen=True)
class Identity:
    """What a named submitter told us about themselves."""

    name: str
    email: str
    contact_ok: bool


@dataclass(frozen=True)
class SealedIdentity:
    key_id: str
    wrapped_key: bytes
    nonce: bytes
    ciphertext: bytes


# --- key ring ---------------------------------------------------------------------------------


def _new_key_id(taken: Container[str] = frozenset()) -> str:
    while True:
        key_id = "mk-" + secrets.token_hex(8)
        if key_id not in taken:
            return key_id


def generate_keyring() -> KeyRing:
    """Make a key ring of fresh random keys."""
    key_id = _new_key_id()
    return KeyRing(
        master_keys={key_id: AESGCM.generate_key(bit_length=256)},
        active_id=key_id,
        blind_index_key=secrets.token_bytes(KEY_BYTES),
        receipt_key=secrets.token_bytes(KEY_BYTES),
    )


def with_new_master_key(ring: KeyRing) -> KeyRing:
    """Return the ring with a new active master key; the old ones stay to unwrap until re-wrapped."""
    key_id = _new_key_id(set(ring.master_keys))
    keys = dict(ring.master_keys)
    keys[key_id] = AESGCM.generate_key(bit_length=256)
    return replace(ring, master_keys=keys, active_id=key_id, _subkeys={})


def without_master_keys(ring: KeyRing, key_ids: set[str]) -> KeyRing:
    """Return the ring without the given (retired) master keys; the active one cannot be dropped."""
    keys = {k: v for k, v in ring.master_keys.items() if k not in key_ids or k == ring.active_id}
    return replace(ring, master_keys=keys, _subkeys={})


def check_keyring(ring: KeyRing, *others: bytes) -> None:
    """Refuse a ring with a missing, short or repeated key (others: e.g. the SECRET_KEY).

    :raises KeyRingError: with a message saying what is wrong.
    """
    if ring.active_id not in ring.master_keys:
        raise KeyRingError("the key ring names an active master key it does not hold")
    keys = ring.all_keys()
    if any(len(key) != KEY_BYTES for key in keys):
        raise KeyRingError(f"every key in the key ring must be {KEY_BYTES} random bytes")
    if len(set(keys) | set(others)) != len(keys) + len(set(others)):
        raise KeyRingError("two keys are equal; every key must be different")


# --- identities -------------------------------------------------------------------------------


def _identity_aad(submission_id: uuid.UUID) -> bytes:
    return b"identity:v1:" + submission_id.bytes


def _wrap_aad(submission_id: uuid.UUID, key_id: str) -> bytes:
    return b"data-key:v1:" + key_id.encode() + b":" + submission_id.bytes


def _wrap(ring: KeyRing, submission_id: uuid.UUID, data_key: bytes) -> tuple[str, bytes]:
    key_id = ring.active_id
    nonce = secrets.token_bytes(NONCE_BYTES)
    wrapped = AESGCM(ring.master_keys[key_id]).encrypt(nonce, data_key, _wrap_aad(submission_id, key_id))
    return key_id, nonce + wrapped


def _unwrap(ring: KeyRing, submission_id: uuid.UUID, key_id: str, wrapped_key: bytes) -> bytes:
    master = ring.master_keys.get(key_id)
    if master is None:
        raise IdentityUnreadable(f"no master key {key_id!r} in the key ring")
    nonce, wrapped = wrapped_key[:NONCE_BYTES], wrapped_key[NONCE_BYTES:]
    try:
        return AESGCM(master).decrypt(nonce, wrapped, _wrap_aad(submission_id, key_id))
    except InvalidTag:
        raise IdentityUnreadable("the data key does not unwrap") from None


def seal_identity(ring: KeyRing, submission_id: uuid.UUID, identity: Identity) -> SealedIdentity:
    """Encrypt an identity for one submission under a fresh data key."""
    data_key = AESGCM.generate_key(bit_length=256)
    nonce = secrets.token_bytes(NONCE_BYTES)
    payload = json.dumps(
        {"name": identity.name, "email": identity.email, "contact_ok": identity.contact_ok},
        ensure_ascii=False,
    ).encode()
    ciphertext = AESGCM(data_key).encrypt(nonce, payload, _identity_aad(submission_id))
    key_id, wrapped_key = _wrap(ring, submission_id, data_key)
    return SealedIdentity(key_id=key_id, wrapped_key=wrapped_key, nonce=nonce, ciphertext=ciphertext)


def unseal_identity(ring: KeyRing, submission_id: uuid.UUID, sealed: SealedIdentity) -> Identity:
    """Decrypt an identity.

    :raises IdentityUnreadable: if any byte was altered or the record belongs to another submission.
    """
    data_key = _unwrap(ring, submission_id, sealed.key_id, sealed.wrapped_key)
    try:
        payload = AESGCM(data_key).decrypt(sealed.nonce, sealed.ciphertext, _identity_aad(submission_id))
    except InvalidTag:
        raise IdentityUnreadable("the identity does not decrypt") from None
    data = json.loads(payload)
    return Identity(name=data["name"], email=data["email"], contact_ok=data["contact_ok"])


def rewrap_identity(ring: KeyRing, submission_id: uuid.UUID, sealed: SealedIdentity) -> SealedIdentity:
    """Re-wrap the data key under the active master key; the ciphertext itself is unchanged."""
    data_key = _unwrap(ring, submission_id, sealed.key_id, sealed.wrapped_key)
    key_id, wrapped_key = _wrap(ring, submission_id, data_key)
    return replace(sealed, key_id=key_id, wrapped_key=wrapped_key)


def normalise_email(email: str) -> str:
    """The one form of an email the app compares and indexes (blind indexes are stored with it: never change it)."""
    return email.strip().casefold()


def blind_index(ring: KeyRing, email: str) -> bytes:
    """Keyed hash of a normalised email, so a person's records can be found without storing it."""
    return hmac.new(ring.blind_index_key, normalise_email(email).encode(), hashlib.sha256).digest()


# --- form tokens and receipts -----------------------------------------------------------------


def new_form_token() -> str:
    return secrets.token_urlsafe(FORM_TOKEN_BYTES)


def form_token_hash(token: str) -> bytes:
    return hashlib.sha256(b"form-token:v1:" + token.encode()).digest()


def new_presenter_token() -> str:
    """The secret in a live session's presenter link (only its hash is stored)."""
    return secrets.token_urlsafe(32)


def presenter_token_hash(token: str) -> bytes:
    return hashlib.sha256(b"presenter-token:v1:" + token.encode()).digest()


def new_voter_secret() -> str:
    """A browser's secret for "me too" votes, kept in its signed cookie and never stored."""
    return secrets.token_urlsafe(32)


def live_voter_key(ring: KeyRing, voter_secret: str, submission_id: uuid.UUID) -> bytes:
    """The stored key of one browser's vote for one question: keyed by the question too, so that the keys of
    one browser's votes for different questions are unrelated to anyone without its secret."""
    return hmac.new(ring.subkey("live-voter:v1"), voter_secret.encode() + b":" + submission_id.bytes,
                    hashlib.sha256).digest()


def receipt_code_for(ring: KeyRing, form_token: str) -> str:
    """The receipt code for a form token: the same token always gives the same receipt.

    Deriving it (rather than storing it) lets a retried POST show the person a valid receipt while
    the database keeps only a keyed hash of it.
    """
    digest = hmac.new(ring.subkey("receipt-code:v1"), form_token.encode(), hashlib.sha256).digest()
    number = int.from_bytes(digest, "big") >> (256 - 5 * RECEIPT_LENGTH)
    symbols = []
    for _ in range(RECEIPT_LENGTH):
        number, index = divmod(number, 32)
        symbols.append(RECEIPT_ALPHABET[index])
    code = "".join(symbols)
    return "-".join(code[i : i + RECEIPT_GROUP] for i in range(0, RECEIPT_LENGTH, RECEIPT_GROUP))


def canonical_receipt_code(typed: str) -> str | None:
    """Undo what people do when they copy a code: case, spaces, dashes, O for 0, I or L for 1."""
    code = "".join(ch for ch in typed.upper() if ch not in " -\t\r\n").translate(_RECEIPT_LOOKALIKES)
    if len(code) != RECEIPT_LENGTH or any(ch not in RECEIPT_ALPHABET for ch in code):
        return None
    return code


def receipt_hash(ring: KeyRing, code: str) -> bytes | None:
    """Keyed hash of a receipt code as stored; None when the text cannot be a receipt code."""
    canonical = canonical_receipt_code(code)
    if canonical is None:
        return None
    return hmac.new(ring.subkey("receipt-hash:v1"), canonical.encode(), hashlib.sha256).digest()


def answer_receipt_hash(ring: KeyRing, code: str, action_id: int) -> bytes | None:
    """Keyed hash of a receipt code and an action, stored with an answer to "did this help?" given with it.

    A subkey and a message of its own ("did-this-help" | code | action id), so it matches neither the
    submission's receipt_hash nor the same receipt's answer about another action: the database alone (the
    code is never stored) cannot tell whose answer it is. None when the text cannot be a receipt code.
    """
    canonical = canonical_receipt_code(code)
    if canonical is None:
        return None
    message = b"did-this-help:v1|" + canonical.encode() + b"|" + str(action_id).encode()
    return hmac.new(ring.subkey("did-this-help:v1"), message, hashlib.sha256).digest()


def answer_form_token_hash(token: str) -> bytes:
    """Hash of an answer form's one-time token (domain-separated from a submission form's)."""
    return hashlib.sha256(b"answer-form-token:v1:" + token.encode()).digest()


def chain_hash(key: bytes, prev_hash: str, payload: str) -> str:
    """HMAC-SHA256 of an audit event chained to the previous one's hash (hex)."""
    return hmac.new(key, (prev_hash + payload).encode(), hashlib.sha256).hexdigest()


def daily_pseudonym(ring: KeyRing, value: str, day: date) -> str:
    """A keyed hash of value under a key that changes every day (e.g. for rate-limit buckets)."""
    key = ring.subkey("daily:v1:" + day.isoformat())
    return hmac.new(key, value.encode(), hashlib.sha256).hexdigest()[:32]
