"""Configuration layers, and refusing to start without sound secrets and keys."""

from __future__ import annotations

import os
import secrets
from dataclasses import replace

import pytest

from feedback import config, create_app, keyfile
from feedback.config import ConfigError
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
    ring = keyfile.load(keyring)
    keyfile.save(replace(ring, blind_index_key=ring.receipt_key), keyring)
    with pytest.raises(StartupError, match="equal"):
        create_app()


def test_a_secret_key_equal_to_a_ring_key_refuses_to_start(deployment, monkeypatch):
    _, keyring = deployment
    ring = keyfile.load(keyring)
    shared = secrets.token_urlsafe(24)
    keyfile.save(replace(ring, receipt_key=shared.encode()), keyring)
    monkeypatch.setenv("FEEDBACK_SECRET_KEY", shared)
    with pytest.raises(StartupError, match="equal"):
        create_app()


def test_testing_apps_skip_the_secret_check(tmp_path):
    keyring = write_keyring(tmp_path / "keyring.json")
    app = create_app({"TESTING": True, "KEYRING_PATH": str(keyring),
                      "DATABASE_URL": f"sqlite:///{tmp_path / 'x.sqlite3'}"})
    assert app.testing


@pytest.mark.parametrize("days", ["-1", '"soon"', "true", "1.5"])
def test_a_retention_period_that_is_not_a_whole_number_of_days_refuses_to_start(deployment, monkeypatch, days):
    monkeypatch.setenv("FEEDBACK_RETENTION_DAYS", days)
    with pytest.raises(ConfigError, match=r"RETENTION_DAYS must be a whole number of days, 0 or more \(it is "):
        create_app()


def test_a_retention_period_of_zero_days_starts(deployment, monkeypatch):
    monkeypatch.setenv("FEEDBACK_RETENTION_DAYS", "0")
    assert create_app().config["RETENTION_DAYS"] == 0


@pytest.mark.parametrize(("name", "value", "says"), [
    ("MAIL_MAX_ATTEMPTS", "0", r"MAIL_MAX_ATTEMPTS must be a whole number from 1 to 20 \(it is 0\)"),
    ("MAIL_MAX_ATTEMPTS", "2000", r"MAIL_MAX_ATTEMPTS must be a whole number from 1 to 20 \(it is 2000\)"),
    ("MAIL_MAX_ATTEMPTS", '"5"', r"MAIL_MAX_ATTEMPTS must be a whole number from 1 to 20 \(it is '5'\)"),
    ("MAIL_PORT", "0", r"MAIL_PORT must be a port number from 1 to 65535 \(it is 0\)"),
    ("MAIL_PORT", "65536", r"MAIL_PORT must be a port number from 1 to 65535 \(it is 65536\)"),
    ("MAIL_PORT", '"smtp"', r"MAIL_PORT must be a port number from 1 to 65535 \(it is 'smtp'\)"),
    ("MAIL_PORT", "true", r"MAIL_PORT must be a port number from 1 to 65535 \(it is True\)"),
    ("MAIL_TIMEOUT", "0", r"MAIL_TIMEOUT must be a number of seconds above 0 \(it is 0\)"),
    ("MAIL_TIMEOUT", '"10"', r"MAIL_TIMEOUT must be a number of seconds above 0 \(it is '10'\)"),
    ("MAIL_USE_TLS", '"false"', r"MAIL_USE_TLS must be True or False \(it is 'false'\)"),
    ("MAIL_USE_SSL", "1", r"MAIL_USE_SSL must be True or False \(it is 1\)"),
])
def test_a_mail_setting_the_sender_cannot_use_refuses_to_start(deployment, monkeypatch, name, value, says):
    monkeypatch.setenv(f"FEEDBACK_{name}", value)
    with pytest.raises(ConfigError, match=says):
        create_app()


def test_mail_with_both_kinds_of_tls_refuses_to_start(deployment, monkeypatch):
    monkeypatch.setenv("FEEDBACK_MAIL_USE_TLS", "true")
    monkeypatch.setenv("FEEDBACK_MAIL_USE_SSL", "true")
    with pytest.raises(ConfigError, match="MAIL_USE_TLS and MAIL_USE_SSL cannot both be True"):
        create_app()


def test_sound_mail_settings_start(deployment, monkeypatch):
    for name, value in {"MAIL_MAX_ATTEMPTS": "20", "MAIL_PORT": "587", "MAIL_TIMEOUT": "2.5",
                        "MAIL_USE_TLS": "true", "MAIL_USE_SSL": "false"}.items():
        monkeypatch.setenv(f"FEEDBACK_{name}", value)
    app = create_app()
    assert (app.config["MAIL_PORT"], app.config["MAIL_TIMEOUT"], app.config["MAIL_USE_TLS"]) == (587, 2.5, True)


def test_init_puts_the_key_ring_where_the_app_looks_for_it(tmp_path, monkeypatch):
    instance, elsewhere = tmp_path / "instance", tmp_path / "keys" / "ring.json"
    elsewhere.parent.mkdir()
    monkeypatch.setenv("FEEDBACK_INSTANCE_PATH", str(instance))
    monkeypatch.setenv("FEEDBACK_KEYRING_PATH", str(elsewhere))
    monkeypatch.setenv("FEEDBACK_DATABASE_URL", f"sqlite:///{tmp_path / 'db.sqlite3'}")
    monkeypatch.delenv("FEEDBACK_SECRET_KEY", raising=False)

    files = config.init_instance(instance)

    assert (files.keyring_file, files.wrote_keyring, files.wrote_config) == (elsewhere, True, True)
    assert not (instance / "keyring.json").exists()
    assert create_app().config["KEYRING_PATH"] == str(elsewhere)


def test_a_key_ring_path_that_is_not_a_path_refuses_to_start(deployment, monkeypatch):
    monkeypatch.setenv("FEEDBACK_KEYRING_PATH", "123")  # FEEDBACK_* values are read as JSON: this is a number
    with pytest.raises(ConfigError, match=r"KEYRING_PATH must be the path of the key-ring file \(it is 123\)"):
        create_app()
