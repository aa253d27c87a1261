"""Configuration layers, and refusing to start without sound secrets and keys."""

from __future__ import annotations

import os
import secrets
from dataclasses import replace

import pytest

from feedback import create_app, crypto
from feedback.keyring import StartupError
from tests.conftest import write_keyring


@pytest.fixture
def deployment(tmp_path, monkeypatch):
    """A deployment configured only through instance/config.py and FEEDBACK_* variables."""
    instance = tmp_path / "instance"
    instance.mkdir()
    keyring = write_keyring(instance / "keyring.json")
    (instance / "config.py").write_text(f"SECRET_KEY = {secrets.token_urlsafe(40)!r}\n")
    os.chmod(instance / "config.py", 0o600)
    monkeypatch.setenv("FEEDBACK_INSTANCE_PATH", str(instance))
    monkeypatch.setenv("FEEDBACK_DATABASE_URL", f"sqlite:///{tmp_path / 'db.sqlite3'}")
    for name in ("FEEDBACK_SECRET_KEY", "FEEDBACK_KEYRING_PATH", "FEEDBACK_AFFILIATIONS"):
        monkeypatch.delenv(name, raising=False)
    return instance, keyring


def test_a_sound_deployment_starts_with_its_instance_files(deployment):
    instance, keyring = deployment
    app = create_app()
    assert not app.testing
    assert app.config["KEYRING_PATH"] == str(keyring)
    assert app.config["DATABASE_URL"].endswith("db.sqlite3")


def test_environment_variables_override_instance_config(deployment, monkeypatch):
    instance, _ = deployment
    (instance / "config.py").write_text(
        f"SECRET_KEY = {secrets.token_urlsafe(40)!r}\nAFFILIATIONS = ['resident']\nSUBMISSION_RATE_LIMIT = '1/day'\n"
    )
    monkeypatch.setenv("FEEDBACK_AFFILIATIONS", '["nurse", "patient"]')
    app = create_app()
    assert app.config["AFFILIATIONS"] == ["nurse", "patient"]  # environment beats instance/config.py
    assert app.config["SUBMISSION_RATE_LIMIT"] == "1/day"  # instance/config.py beats the defaults


def test_missing_secret_key_refuses_to_start_and_names_the_fix(deployment):
    instance, _ = deployment
    (instance / "config.py").unlink()
    with pytest.raises(StartupError, match=r"SECRET_KEY.*flask --app feedback init"):
        create_app()


def test_an_instance_config_readable_by_others_refuses_to_start(deployment):
    instance, _ = deployment
    os.chmod(instance / "config.py", 0o644)
    with pytest.raises(StartupError, match=r"config.py holds the SECRET_KEY and is readable by others"):
        create_app()


def test_missing_key_ring_refuses_to_start(deployment):
    _, keyring = deployment
    keyring.unlink()
    with pytest.raises(StartupError, match=r"does not exist.*flask --app feedback init"):
        create_app()


def test_a_key_ring_readable_by_others_refuses_to_start(deployment):
    _, keyring = deployment
    os.chmod(keyring, 0o640)
    with pytest.raises(StartupError, match="readable by others"):
        create_app()


def test_two_equal_keys_refuse_to_start(deployment):
    _, keyring = deployment
    ring = crypto.load_keyring(keyring)
    crypto.save_keyring(replace(ring, blind_index_key=ring.receipt_key), keyring)
    with pytest.raises(StartupError, match="equal"):
        create_app()


def test_a_secret_key_equal_to_a_ring_key_refuses_to_start(deployment, monkeypatch):
    _, keyring = deployment
    ring = crypto.load_keyring(keyring)
    shared = secrets.token_urlsafe(24)
    crypto.save_keyring(replace(ring, receipt_key=shared.encode()), keyring)
    monkeypatch.setenv("FEEDBACK_SECRET_KEY", shared)
    with pytest.raises(StartupError, match="equal"):
        create_app()


def test_testing_apps_skip_the_secret_check(tmp_path):
    keyring = write_keyring(tmp_path / "keyring.json")
    app = create_app({"TESTING": True, "KEYRING_PATH": str(keyring),
                      "DATABASE_URL": f"sqlite:///{tmp_path / 'x.sqlite3'}"})
    assert app.testing
