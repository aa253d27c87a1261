"""The key ring file: written for its owner only, read back only when sound."""

from __future__ import annotations

import json
import os
import stat
from dataclasses import replace

import pytest

from feedback import crypto, keyfile


@pytest.fixture
def ring() -> crypto.KeyRing:
    return crypto.generate_keyring()


def test_the_key_ring_file_is_written_for_its_owner_only_and_reads_back(ring, tmp_path):
    path = tmp_path / "keyring.json"
    keyfile.save(ring, path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert keyfile.load(path) == ring


def test_a_key_ring_readable_by_others_is_refused(ring, tmp_path):
    path = tmp_path / "keyring.json"
    keyfile.save(ring, path)
    os.chmod(path, 0o644)
    with pytest.raises(crypto.KeyRingError, match="readable by others"):
        keyfile.load(path)


def test_a_key_ring_with_two_equal_keys_is_refused(ring, tmp_path):
    path = tmp_path / "keyring.json"
    keyfile.save(replace(ring, receipt_key=ring.blind_index_key), path)
    with pytest.raises(crypto.KeyRingError, match="equal"):
        keyfile.load(path)


@pytest.mark.parametrize("content", ["not json", json.dumps({"master_keys": {}}), json.dumps([1, 2])])
def test_a_malformed_key_ring_is_refused(tmp_path, content):
    path = tmp_path / "keyring.json"
    path.write_text(content)
    os.chmod(path, 0o600)
    with pytest.raises(crypto.KeyRingError):
        keyfile.load(path)


def test_a_missing_key_ring_is_refused(tmp_path):
    with pytest.raises(crypto.KeyRingError, match="does not exist"):
        keyfile.load(tmp_path / "nowhere.json")
