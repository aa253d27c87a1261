"""Sealing identities, the blind index and receipt codes."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import date

import pytest

from feedback import crypto

IDENTITY = crypto.Identity(name="José Álvarez", email="Jose.Alvarez@Example.org", contact_ok=True)


@pytest.fixture
def ring() -> crypto.KeyRing:
    return crypto.generate_keyring()


def flip(data: bytes, index: int = 0) -> bytes:
    return data[:index] + bytes([data[index] ^ 0x01]) + data[index + 1 :]


def test_a_sealed_identity_opens_to_what_was_sealed(ring):
    sid = uuid.uuid4()
    sealed = crypto.seal_identity(ring, sid, IDENTITY)
    assert crypto.unseal_identity(ring, sid, sealed) == IDENTITY
    assert "José".encode() not in sealed.ciphertext and b"Example" not in sealed.ciphertext


def test_each_seal_uses_a_fresh_data_key_and_nonce(ring):
    sid = uuid.uuid4()
    first, second = crypto.seal_identity(ring, sid, IDENTITY), crypto.seal_identity(ring, sid, IDENTITY)
    assert first.ciphertext != second.ciphertext
    assert first.wrapped_key != second.wrapped_key
    assert first.nonce != second.nonce


@pytest.mark.parametrize("part", ["ciphertext", "nonce", "wrapped_key"])
@pytest.mark.parametrize("index", [0, -1])
def test_a_flipped_byte_anywhere_makes_the_identity_unreadable(ring, part, index):
    sid = uuid.uuid4()
    sealed = crypto.seal_identity(ring, sid, IDENTITY)
    value = getattr(sealed, part)
    tampered = replace(sealed, **{part: flip(value, index % len(value))})
    with pytest.raises(crypto.IdentityUnreadable):
        crypto.unseal_identity(ring, sid, tampered)


def test_ciphertexts_swapped_between_rows_do_not_open(ring):
    a, b = uuid.uuid4(), uuid.uuid4()
    sealed_a = crypto.seal_identity(ring, a, IDENTITY)
    sealed_b = crypto.seal_identity(ring, b, crypto.Identity("Other Person", "other@example.org", False))
    with pytest.raises(crypto.IdentityUnreadable):
        crypto.unseal_identity(ring, a, replace(sealed_a, ciphertext=sealed_b.ciphertext, nonce=sealed_b.nonce))
    with pytest.raises(crypto.IdentityUnreadable):
        crypto.unseal_identity(ring, a, sealed_b)  # the whole record moved to another row


def test_an_identity_does_not_open_with_another_key_ring(ring):
    sid = uuid.uuid4()
    sealed = crypto.seal_identity(ring, sid, IDENTITY)
    other = crypto.generate_keyring()
    other = replace(other, master_keys={ring.active_id: other.master_keys[other.active_id]},
                    active_id=ring.active_id)
    with pytest.raises(crypto.IdentityUnreadable):
        crypto.unseal_identity(other, sid, sealed)


def test_rotation_rewraps_under_the_new_key_and_keeps_the_identity_readable(ring):
    sid = uuid.uuid4()
    sealed = crypto.seal_identity(ring, sid, IDENTITY)
    rotated = crypto.with_new_master_key(ring)
    assert rotated.active_id != ring.active_id
    rewrapped = crypto.rewrap_identity(rotated, sid, sealed)
    assert rewrapped.key_id == rotated.active_id
    assert rewrapped.ciphertext == sealed.ciphertext
    retired = crypto.without_master_keys(rotated, {ring.active_id})
    assert ring.active_id not in retired.master_keys
    assert crypto.unseal_identity(retired, sid, rewrapped) == IDENTITY
    with pytest.raises(crypto.IdentityUnreadable):
        crypto.unseal_identity(retired, sid, sealed)


def test_blind_index_ignores_case_and_outer_space_but_depends_on_its_key(ring):
    assert crypto.blind_index(ring, " jose.alvarez@example.org ") == crypto.blind_index(ring, IDENTITY.email)
    assert crypto.blind_index(ring, "someone@example.org") != crypto.blind_index(ring, IDENTITY.email)
    assert crypto.blind_index(crypto.generate_keyring(), IDENTITY.email) != crypto.blind_index(ring, IDENTITY.email)


def test_blind_indexes_stored_before_still_match_the_email_as_typed():
    """Stored indexes cannot be recomputed, so the normalisation (outer space, casefold) must never change."""
    ring = crypto.KeyRing(master_keys={"mk-1": b"\x01" * 32}, active_id="mk-1", blind_index_key=b"\x02" * 32,
                          receipt_key=b"\x03" * 32)
    jose = "7dafdf0a51e38fc2f541d557f45f92ec7851da7a1c6ea7e30f690d1895bcbffc"
    strasse = "9c1e96bcffc1a1a92b43170dd296a42c288b94aa567131d73eec87a3c5c21984"
    assert crypto.blind_index(ring, " José.Álvarez@Example.ORG ").hex() == jose
    assert crypto.blind_index(ring, "josé.álvarez@example.org").hex() == jose
    assert crypto.blind_index(ring, "Straße@Example.org").hex() == strasse
    assert crypto.blind_index(ring, "STRASSE@example.org").hex() == strasse


def test_receipt_codes_have_100_bits_in_five_groups_without_lookalike_letters(ring):
    codes = {crypto.receipt_code_for(ring, crypto.new_form_token()) for _ in range(200)}
    assert len(codes) == 200
    for code in codes:
        groups = code.split("-")
        assert [len(g) for g in groups] == [4] * 5
        assert not set("".join(groups)) - set(crypto.RECEIPT_ALPHABET)
        assert not set(code) & set("ILOU")
    assert len(crypto.RECEIPT_ALPHABET) ** crypto.RECEIPT_LENGTH >= 2**80
    # Every one of the 20 positions varies over (nearly) the whole alphabet: no fixed or narrow symbols.
    for position in range(24):
        if position % 5 == 4:
            continue
        assert len({code[position] for code in codes}) >= 28


def test_the_same_form_token_always_gives_the_same_receipt(ring):
    token = crypto.new_form_token()
    assert crypto.receipt_code_for(ring, token) == crypto.receipt_code_for(ring, token)
    assert crypto.receipt_code_for(crypto.generate_keyring(), token) != crypto.receipt_code_for(ring, token)


def test_a_receipt_typed_carelessly_hashes_like_the_original(ring):
    code = crypto.receipt_code_for(ring, crypto.new_form_token())
    careless = code.lower().replace("-", " ").replace("0", "o").replace("1", "l")
    assert crypto.receipt_hash(ring, careless) == crypto.receipt_hash(ring, code)


@pytest.mark.parametrize("typed", ["", "ABCD", "ABCD-EFGH-JKMN-PQRS-TVWXY", "ABCD-EFGH-JKMN-PQRS-TVW!", "Ü" * 20])
def test_text_that_cannot_be_a_receipt_has_no_hash(ring, typed):
    assert crypto.receipt_hash(ring, typed) is None


def test_daily_pseudonyms_change_every_day_and_hide_the_value(ring):
    monday = crypto.daily_pseudonym(ring, "203.0.113.9", date(2026, 11, 23))
    assert monday == crypto.daily_pseudonym(ring, "203.0.113.9", date(2026, 11, 23))
    assert monday != crypto.daily_pseudonym(ring, "203.0.113.9", date(2026, 11, 24))
    assert "203.0.113" not in monday
