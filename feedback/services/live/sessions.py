"""A town hall's live session: started and ended by a facilitator, joined by a short event code, shown on the
room's screen through a presenter link with its own token.

Every change a page shows goes through bump(), in the same write: pages poll version() (their ETag), so
the signal crosses gunicorn workers and hosts through the database, never process memory.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import orm

from feedback import audit
from feedback.models import LiveSession

CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I/L: read off a screen across a room
CODE_LENGTH = 6
RUNNING = "running"
ENDED = "ended"


class LiveError(ValueError):
    """A live-session change that cannot be made; the message says why, in words for the person."""


class NoSuchLiveSession(LiveError):
    """No running session has this code (or token); ended sessions take no questions or votes."""


def normalise_code(typed: str) -> str:
    """An event code as typed ("k7q f2m", "K7Q-F2M") in its stored form ("K7QF2M"); "" for nothing usable."""
    raise NotImplementedError


def start(session: orm.Session, town_hall_id: int, *, by: audit.Actor, now: datetime) -> LiveSession:
    """Start the town hall's live session with a new, unused event code; audited (LIVE_STARTED). Commits.

    :raises LiveError: the town hall is gone or archived, or it already has a running session.
    """
    raise NotImplementedError


def end(session: orm.Session, live_session_id: int, *, by: audit.Actor, now: datetime) -> None:
    """End it: no more questions or votes, the presenter link stops working. Its questions stay submissions of
    the town hall with their status, themes and groups. Audited (LIVE_ENDED). Commits.

    :raises LiveError: gone or already ended.
    """
    raise NotImplementedError


def running(session: orm.Session, code: str) -> LiveSession | None:
    """The running session with this event code (typed in any case, with spaces or dashes), or None."""
    raise NotImplementedError


def for_town_hall(session: orm.Session, town_hall_id: int) -> LiveSession | None:
    """The town hall's running session, or None."""
    raise NotImplementedError


def new_presenter_link(session: orm.Session, live_session_id: int, *, by: audit.Actor, now: datetime) -> str:
    """A new presenter token for a running session, replacing (so revoking) any earlier one; only its hash is
    stored, so the token is shown once. Audited (LIVE_PRESENTER_LINK_MADE). Commits.

    :raises LiveError: gone or ended.
    """
    raise NotImplementedError


def revoke_presenter_link(session: orm.Session, live_session_id: int, *, by: audit.Actor, now: datetime) -> None:
    """The presenter link stops working at once. Audited (LIVE_PRESENTER_LINK_REVOKED). Commits."""
    raise NotImplementedError


def by_presenter_token(session: orm.Session, token: str) -> LiveSession | None:
    """The running session this presenter token opens, or None (unknown, revoked, replaced or ended)."""
    raise NotImplementedError


def bump(session: orm.Session, live_session_id: int) -> None:
    """Inside the caller's write: version + 1, so every page polling the session fetches it again."""
    raise NotImplementedError


def version(session: orm.Session, live_session_id: int) -> int | None:
    """The session's version (one indexed read, for an ETag), or None if it is gone."""
    raise NotImplementedError
