"""A town hall's live session: started and ended by a facilitator, joined by a short event code, shown on the
room's screen through a presenter link with its own token.

Every change a page shows goes through bump(), in the same write: pages poll version() (their ETag), so
the signal crosses gunicorn workers and hosts through the database, never process memory.
"""

from __future__ import annotations

import re
import secrets
import uuid
from collections.abc import Iterable
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy import orm

from feedback import audit, crypto
from feedback.db import writing
from feedback.models import LiveQuestion, LiveSession, TownHall
from feedback.sentences import Sentence
from feedback.services.intake import town_halls

CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I/L: read off a screen across a room
CODE_LENGTH = 6
RUNNING = "running"
ENDED = "ended"
_SEPARATORS = re.compile(r"[\s\-_.]+")


class LiveError(ValueError):
    """A live-session change that cannot be made; its message (a Sentence) says why, in words for the person."""


class NoSuchLiveSession(LiveError):
    """No running session has this code (or token); ended sessions take no questions or votes."""


def normalise_code(typed: str) -> str:
    """An event code as typed ("k7q f2m", "K7Q-F2M") in its stored form ("K7QF2M"); "" for nothing usable."""
    code = _SEPARATORS.sub("", typed).upper()
    if len(code) != CODE_LENGTH or any(c not in CODE_ALPHABET for c in code):
        return ""
    return code


def start(session: orm.Session, town_hall_id: int, *, by: audit.Actor, now: datetime) -> LiveSession:
    """Start the town hall's live session with a new, unused event code; audited (LIVE_STARTED). Commits.

    :raises LiveError: the town hall is gone or archived, or it already has a running session.
    """
    with writing(session):
        hall = session.get(TownHall, town_hall_id, with_for_update=True)  # two starts at once: one waits
        if hall is None or hall.status == town_halls.ARCHIVED:
            raise LiveError(Sentence("This town hall is not here any more, or it is archived."))
        if _running_for(session, town_hall_id) is not None:
            raise LiveError(Sentence("This town hall already has a live session running."))
        live = LiveSession(town_hall_id=town_hall_id, code=_unused_code(session), state=RUNNING, version=0)
        session.add(live)
        session.flush()
        audit.record(session, by, audit.Action.LIVE_STARTED, now=now,
                     details={"town_hall": hall.slug, "live_session": live.id})
    return live


def end(session: orm.Session, live_session_id: int, *, by: audit.Actor, now: datetime) -> None:
    """End it: no more questions or votes, the presenter link stops working. Its questions stay submissions of
    the town hall with their status, themes and groups. Audited (LIVE_ENDED). Commits.

    :raises LiveError: gone or already ended.
    """
    with writing(session):
        live = session.get(LiveSession, live_session_id, with_for_update=True)
        if live is None or live.state != RUNNING:
            raise LiveError(Sentence("This live session has already ended."))
        live.state, live.presenter_token_hash = ENDED, None
        live.version += 1
        audit.record(session, by, audit.Action.LIVE_ENDED, now=now, details={"live_session": live.id})


def running(session: orm.Session, code: str) -> LiveSession | None:
    """The running session with this event code (typed in any case, with spaces or dashes), or None."""
    normal = normalise_code(code)
    if not normal:
        return None
    return session.scalar(sa.select(LiveSession).where(LiveSession.code == normal, LiveSession.state == RUNNING))


def for_town_hall(session: orm.Session, town_hall_id: int) -> LiveSession | None:
    """The town hall's running session, or None."""
    return _running_for(session, town_hall_id)


def new_presenter_link(session: orm.Session, live_session_id: int, *, by: audit.Actor, now: datetime) -> str:
    """A new presenter token for a running session, replacing (so revoking) any earlier one; only its hash is
    stored, so the token is shown once. Audited (LIVE_PRESENTER_LINK_MADE). Commits.

    :raises LiveError: gone or ended.
    """
    token = crypto.new_presenter_token()
    with writing(session):
        live = _running_locked(session, live_session_id)
        live.presenter_token_hash = crypto.presenter_token_hash(token)
        live.version += 1
        audit.record(session, by, audit.Action.LIVE_PRESENTER_LINK_MADE, now=now, details={"live_session": live.id})
    return token


def revoke_presenter_link(session: orm.Session, live_session_id: int, *, by: audit.Actor, now: datetime) -> None:
    """The presenter link stops working at once. Audited (LIVE_PRESENTER_LINK_REVOKED). Commits."""
    with writing(session):
        live = session.get(LiveSession, live_session_id, with_for_update=True)
        if live is None:
            raise LiveError(Sentence("This live session is not here any more."))
        live.presenter_token_hash = None
        live.version += 1
        audit.record(session, by, audit.Action.LIVE_PRESENTER_LINK_REVOKED, now=now,
                     details={"live_session": live.id})


def by_presenter_token(session: orm.Session, token: str) -> LiveSession | None:
    """The running session this presenter token opens, or None (unknown, revoked, replaced or ended)."""
    if not token or len(token) > 200:
        return None
    digest = crypto.presenter_token_hash(token)
    return session.scalar(sa.select(LiveSession).where(LiveSession.presenter_token_hash == digest,
                                                       LiveSession.state == RUNNING))


def bump(session: orm.Session, live_session_id: int) -> None:
    """Inside the caller's write: version + 1, so every page polling the session fetches it again."""
    session.execute(sa.update(LiveSession).where(LiveSession.id == live_session_id)
                    .values(version=LiveSession.version + 1).execution_options(synchronize_session=False))


def bump_for_submissions(session: orm.Session, submission_ids: Iterable[uuid.UUID]) -> None:
    """Inside the caller's write: bump() the sessions these submissions were asked in, if any (a desk change to a
    live question, such as hiding or redacting it, must reach the room's pages at once)."""
    ids = list(submission_ids)
    if ids:
        asked_in = sa.select(LiveQuestion.live_session_id).where(LiveQuestion.submission_id.in_(ids))
        session.execute(sa.update(LiveSession).where(LiveSession.id.in_(asked_in))
                        .values(version=LiveSession.version + 1).execution_options(synchronize_session=False))


def version(session: orm.Session, live_session_id: int) -> int | None:
    """The session's version (one indexed read, for an ETag), or None if it is gone."""
    return session.scalar(sa.select(LiveSession.version).where(LiveSession.id == live_session_id))


def _running_for(session: orm.Session, town_hall_id: int) -> LiveSession | None:
    return session.scalar(sa.select(LiveSession).where(LiveSession.town_hall_id == town_hall_id,
                                                       LiveSession.state == RUNNING))


def _running_locked(session: orm.Session, live_session_id: int) -> LiveSession:
    """Inside a write: the running session, locked, or LiveError."""
    live = session.get(LiveSession, live_session_id, with_for_update=True)
    if live is None or live.state != RUNNING:
        raise NoSuchLiveSession(Sentence("This live session has ended."))
    return live


def _unused_code(session: orm.Session) -> str:
    """A new event code no session (running or ended) has had: codes are unique for life."""
    while True:
        code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
        if session.scalar(sa.select(LiveSession.id).where(LiveSession.code == code)) is None:
            return code
