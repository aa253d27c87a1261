"""Files written whole: private from the first byte, moved into place at once, or not at all."""

from __future__ import annotations

import os
import stat

import pytest

from feedback import files


def test_the_new_file_replaces_the_old_one_and_is_readable_by_its_owner_only(tmp_path):
    target = tmp_path / "keyring.json"
    target.write_text("old")
    old_umask = os.umask(0)  # even where new files would be readable by everyone
    try:
        with files.replacing(target) as partial:
            assert stat.S_IMODE(partial.stat().st_mode) == 0o600 and partial.read_bytes() == b""
            partial.write_text("new")
    finally:
        os.umask(old_umask)
    assert target.read_text() == "new"
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert sorted(p.name for p in tmp_path.iterdir()) == ["keyring.json"]


def test_a_failed_write_leaves_the_old_file_and_no_partial_one(tmp_path):
    target = tmp_path / "backup.sqlite3"
    target.write_text("old")
    with pytest.raises(RuntimeError), files.replacing(target) as partial:
        partial.write_text("half")
        raise RuntimeError("the copy failed")
    assert target.read_text() == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["backup.sqlite3"]
