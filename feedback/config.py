"""Configuration: defaults here, then instance/config.py, then FEEDBACK_* environment variables; validation."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from feedback import crypto, keyfile

if TYPE_CHECKING:
    from flask import Flask

ROOT = Path(__file__).resolve().parent.parent
INSTANCE_PATH = ROOT / "instance"
KEYRING_FILENAME = "keyring.json"
INSTANCE_CONFIG_FILENAME = "config.py"
SQLITE_FILENAME = "feedback.sqlite3"


def N_(message: str) -> str:
    """Mark a default text for the catalogs (scripts/i18n extracts N_) without translating it here."""
    return message


class Defaults:
    """Values every deployment starts from; override them in instance/config.py or FEEDBACK_*."""

    SECRET_KEY: str | None = None
    # Empty means "SQLite file in instance/"; see database_url().
    DATABASE_URL = ""
    # Empty means "keyring.json in instance/".
    KEYRING_PATH = ""
    # Stored as written; the form shows each in the reader's language (N_: the defaults are in the catalogs).
    # TRANSLATORS: a person's connection to the organisation, in lower case (the form capitalises it).
    AFFILIATIONS = [N_("student"), N_("faculty"), N_("staff"), N_("other"), N_("prefer not to say")]

    # Flask-Limiter reads the RATELIMIT_* keys itself.
    RATELIMIT_STORAGE_URI = "memory://"
    RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True
    RATELIMIT_HEADERS_ENABLED = False
    # Generous: after a town hall, many people may write at once from one campus address (NAT).
    SUBMISSION_RATE_LIMIT = "20 per minute;300 per day"
    RECEIPT_RATE_LIMIT = "20 per minute"

    # Staff sessions: idle and absolute timeouts.
    STAFF_IDLE_MINUTES = 30
    STAFF_SESSION_HOURS = 12
    STAFF_LOGIN_RATE_LIMIT = "10 per minute"
    ACCOUNT_LOGIN_RATE_LIMIT = "5 per 5 minutes"
    # Moderation desk: submissions per page, and personal names to flag for redaction (any case).
    DESK_PAGE_SIZE = 50
    IDENTIFYING_NAMES: list[str] = []
    # How long the author of a bulk action on the desk can undo it.
    UNDO_MINUTES = 10
    # Live sessions (feedback.services.live). A whole lecture hall shares one address: the per-network
    # limits are generous backstops only. A burst of votes on one question flags it for the moderator.
    LIVE_QUESTION_RATE_LIMIT = "120 per minute"
    LIVE_VOTE_RATE_LIMIT = "1200 per minute"
    LIVE_VOTE_BURST = "60 per 10 seconds"
    # Per network: new "me too" cookies handed out (over it, the page comes without one, so no vote: a whole
    # auditorium behind one address must stay under it), and lookups of an event code that is not running (over
    # it, such lookups answer 429, so guessing codes stays slow; a running code is always served).
    LIVE_VOTER_RATE_LIMIT = "2000 per 10 minutes"
    LIVE_CODE_MISS_RATE_LIMIT = "60 per minute"
    LIVE_POLL_SECONDS = 2  # how often the audience, presenter and queue pages ask for changes
    # A room's (or presenter's) feed rendered less than this ago is served again for a newer version: votes at
    # ten a second would otherwise have every worker render it again for each one. 0: render every version.
    LIVE_FEED_REUSE_SECONDS = 0.5
    # Mail (feedback.services.notify): an SMTP server; nothing is sent while MAIL_SERVER is empty.
    # MAIL_BASE_URL is the address the links in messages start with, e.g. https://feedback.example.org
    MAIL_SERVER = ""
    MAIL_PORT = 25
    MAIL_USE_TLS = False  # STARTTLS after connecting
    MAIL_USE_SSL = False  # TLS from the start (usually port 465)
    MAIL_USERNAME = ""
    MAIL_PASSWORD = ""
    MAIL_FROM = "Town Hall Feedback <no-reply@localhost>"
    MAIL_TIMEOUT = 10.0
    MAIL_BASE_URL = "http://127.0.0.1:5000"
    MAIL_MAX_ATTEMPTS = 5
    # Leadership summary: groups of fewer than SUMMARY_K people are never shown (the app refuses below 3).
    SUMMARY_K = 5
    # The disclosure layer (feedback/services/summary/disclosure.py): the noise's scale, how many themes one
    # submission counts towards, and the privacy loss (epsilon) a town hall's releases may spend in all.
    SUMMARY_NOISE_SCALE = 1.5
    SUMMARY_THEME_CAP = 3
    SUMMARY_BUDGET = 14.0
    # The action plan's statuses, in the order offered: key, label, and the progress (0-100) an action
    # takes from its status (None: it keeps what it had). "done" and "wont-do" must be there: a done
    # action asks "did this help?", and "won't do" needs a public reason. The default labels are in the catalogs
    # (N_), so pages translate them where shown; a label of the instance's own stays as written.
    ACTION_STATUSES: list[dict[str, Any]] = [
        {"key": "planned", "label": N_("Planned"), "progress": 0},
        {"key": "in-progress", "label": N_("In progress"), "progress": 50},
        {"key": "done", "label": N_("Done"), "progress": 100},
        {"key": "on-hold", "label": N_("On hold"), "progress": None},
        {"key": "wont-do", "label": N_("Won't do"), "progress": None},
    ]
    # Named identities are purged this many days after their town hall's intake closes (`flask purge`).
    RETENTION_DAYS = 180
    # argon2id cost (RFC 9106's second recommended setting); tests use cheap values.
    ARGON2 = {"time_cost": 3, "memory_cost": 65536, "parallelism": 4}

    # How many reverse proxies put X-Forwarded-For in front of the app (0: none).
    PROXY_FIX_X_FOR = 0

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Strict"
    SESSION_COOKIE_SECURE = False
    WTF_CSRF_TIME_LIMIT = 6 * 3600
    # We send no Referer (Referrer-Policy: no-referrer), so Flask-WTF must not demand one on HTTPS;
    # the CSRF token, SameSite=Strict and form-action 'self' protect the forms.
    WTF_CSRF_SSL_STRICT = False
    MAX_CONTENT_LENGTH = 256 * 1024


MIN_SUMMARY_K = 3


class ConfigError(ValueError):
    """A setting has a value the app must not run with; the message says which and why."""


def instance_path() -> Path:
    """instance/ beside the code, unless FEEDBACK_INSTANCE_PATH points elsewhere."""
    return Path(os.environ.get("FEEDBACK_INSTANCE_PATH") or INSTANCE_PATH)


def keyring_path(configured: object, instance: Path) -> Path:
    """The key ring's file: KEYRING_PATH as configured, else keyring.json in the instance folder.

    :raises ConfigError: KEYRING_PATH is set to something that is not a path.
    """
    if not configured:
        return instance / KEYRING_FILENAME
    if not isinstance(configured, str | os.PathLike):
        raise ConfigError(f"KEYRING_PATH must be the path of the key-ring file (it is {configured!r}).")
    return Path(configured)


def _check(config: dict[str, Any]) -> None:
    """Refuse settings the app must not run with, naming the setting and why."""
    k = config["SUMMARY_K"]
    if not isinstance(k, int) or isinstance(k, bool) or k < MIN_SUMMARY_K:
        raise ConfigError(f"SUMMARY_K must be a whole number of at least {MIN_SUMMARY_K} (it is {k!r}): "
                          "smaller groups could pick a person out.")
    for name in ("SUMMARY_NOISE_SCALE", "SUMMARY_BUDGET"):
        value = config[name]
        if not isinstance(value, int | float) or isinstance(value, bool) or not value > 0:
            raise ConfigError(f"{name} must be a number above 0 (it is {value!r}).")
    cap = config["SUMMARY_THEME_CAP"]
    if not isinstance(cap, int) or isinstance(cap, bool) or cap < 1:
        raise ConfigError(f"SUMMARY_THEME_CAP must be a whole number of at least 1 (it is {cap!r}).")
    _check_action_statuses(config["ACTION_STATUSES"])
    days = config["RETENTION_DAYS"]
    if not isinstance(days, int) or isinstance(days, bool) or days < 0:
        raise ConfigError(f"RETENTION_DAYS must be a whole number of days, 0 or more (it is {days!r}).")
    _check_mail(config)


def _whole(value: object, low: int, high: int) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and low <= value <= high


def _check_mail(config: dict[str, Any]) -> None:
    """The sender's settings: checked at start, so a typo stops the app instead of every message."""
    attempts, port, timeout = config["MAIL_MAX_ATTEMPTS"], config["MAIL_PORT"], config["MAIL_TIMEOUT"]
    if not _whole(attempts, 1, 20):
        raise ConfigError(f"MAIL_MAX_ATTEMPTS must be a whole number from 1 to 20 (it is {attempts!r}).")
    if not _whole(port, 1, 65535):
        raise ConfigError(f"MAIL_PORT must be a port number from 1 to 65535 (it is {port!r}).")
    if not isinstance(timeout, int | float) or isinstance(timeout, bool) or not timeout > 0:
        raise ConfigError(f"MAIL_TIMEOUT must be a number of seconds above 0 (it is {timeout!r}).")
    for name in ("MAIL_USE_TLS", "MAIL_USE_SSL"):
        if not isinstance(config[name], bool):
            raise ConfigError(f"{name} must be True or False (it is {config[name]!r}).")
    if config["MAIL_USE_TLS"] and config["MAIL_USE_SSL"]:
        raise ConfigError("MAIL_USE_TLS and MAIL_USE_SSL cannot both be True: use MAIL_USE_SSL for TLS from the "
                          "start (usually port 465), or MAIL_USE_TLS for STARTTLS (usually port 587).")


def _check_action_statuses(statuses: object) -> None:
    problem = "ACTION_STATUSES must be a list of {key, label, progress} with unique keys, including done and wont-do"
    if not isinstance(statuses, list) or not all(isinstance(s, dict) for s in statuses):
        raise ConfigError(f"{problem} (it is {statuses!r}).")
    keys = [s.get("key") for s in statuses]
    progress_ok = all(s.get("progress") is None or (isinstance(s.get("progress"), int) and 0 <= s["progress"] <= 100)
                      for s in statuses)
    if (len(set(keys)) != len(keys) or not {"done", "wont-do"} <= set(keys) or not progress_ok
            or not all(isinstance(s.get("label"), str) and s["label"] for s in statuses)):
        raise ConfigError(f"{problem}; progress is 0 to 100 or None (it is {statuses!r}).")


def load(app: Flask, test_config: dict[str, Any] | None) -> None:
    """Fill app.config from the three layers, or from defaults plus test_config when testing; then check it.

    :raises ConfigError: a setting has a value the app must not run with.
    """
    app.config.from_object(Defaults)
    if test_config is None:
        app.config.from_pyfile(INSTANCE_CONFIG_FILENAME, silent=True)
        app.config.from_prefixed_env(prefix="FEEDBACK")
    else:
        app.config.from_mapping(test_config)
    if not app.config["DATABASE_URL"]:
        app.config["DATABASE_URL"] = f"sqlite:///{Path(app.instance_path) / SQLITE_FILENAME}"
    app.config["KEYRING_PATH"] = str(keyring_path(app.config["KEYRING_PATH"], Path(app.instance_path)))
    _check(app.config)


@dataclass(frozen=True)
class InstanceFiles:
    """The instance config and key ring that `init` looked at, and which of them it wrote."""

    config_file: Path
    wrote_config: bool
    keyring_file: Path
    wrote_keyring: bool


def init_instance(instance: Path) -> InstanceFiles:
    """Write the instance config with a fresh SECRET_KEY and a new key ring (mode 0600) where they are missing.

    Existing files are never overwritten: a lost key ring means lost identities and receipts. The key
    ring goes where the app will look for it: FEEDBACK_KEYRING_PATH, else keyring.json in the instance.
    The instance folder, which holds them and the SQLite file, is made owner-only (700), new or not.
    """
    instance.mkdir(mode=0o700, parents=True, exist_ok=True)
    instance.chmod(0o700)  # whatever the umask, and a folder checked out by git (755) too
    config_file = instance / INSTANCE_CONFIG_FILENAME
    keyring_file = keyring_path(os.environ.get("FEEDBACK_KEYRING_PATH", ""), instance)
    wrote_config = not config_file.exists()
    if wrote_config:
        fd = os.open(config_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write("# Written by `flask --app feedback init`. Keep it secret.\n")
            handle.write(f"SECRET_KEY = {secrets.token_urlsafe(48)!r}\n")
    wrote_keyring = not keyring_file.exists()
    if wrote_keyring:
        keyfile.save(crypto.generate_keyring(), keyring_file)
    return InstanceFiles(config_file, wrote_config, keyring_file, wrote_keyring)
