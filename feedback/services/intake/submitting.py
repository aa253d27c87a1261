"""Taking a submission: validate the window, seal the identity, store once, return the receipt."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from typing import cast

import sqlalchemy as sa
from sqlalchemy import exc, orm

from feedback import crypto
from feedback.db import writing
from feedback.models import (
    SLUG_PATTERN,
    Action,
    ActionFeedback,
    ActionTownHall,
    Identity,
    LiveQuestion,
    LiveSession,
    Submission,
    TownHall,
    intake_state,
)
from feedback.services import content_language
from feedback.services.intake import town_halls
from feedback.services.live import sessions as live_sessions
from feedback.services.themes import similarity_index


class NoSuchTownHall(Exception):
    """No active town hall has this address."""


class IntakeClosed(Exception):
    """The town hall is not taking input today."""

    def __init__(self, state: str) -> None:
        super().__init__(state)
        self.state = state


class NoSuchAction(Exception):
    """The action is not published, or this town hall does not hold feedback on it."""


class FormTokenReused(Exception):
    """A form token already sent something else, elsewhere or long ago: a stale form, not a retry."""


class IntakeUnavailable(Exception):
    """The database could not store the submission; nothing was stored, and it is safe to retry."""


# A retry is honoured with the same receipt only this long after the first POST (days).
RETRY_DAYS = 1


@dataclass(frozen=True)
class NewSubmission:
    body: str
    affiliation: str | None = None
    identity: crypto.Identity | None = None
    action_id: int | None = None  # sent from this action's page, about it (feedback on the plan)
    live_session_id: int | None = None  # asked in this live session (services/live/questions.ask)
    # The language of the page it was written on (feedback.i18n.current_language()), never guessed from the text.
    language: str = "en"


@dataclass(frozen=True)
class Receipt:
    code: str
    submission_id: uuid.UUID
    is_named: bool
    repeated: bool  # True when this POST was a retry of one already stored
    town_hall_title: content_language.Versioned  # the page shows it in its reader's language
    town_hall_slug: str


# Statements built once (building one, and its cache key, costs more than running it). A model's
# __table__ is a Table; SQLAlchemy types it as any FromClause.
_INSERT_SUBMISSION = sa.insert(cast(sa.Table, Submission.__table__))
_INSERT_IDENTITY = sa.insert(cast(sa.Table, Identity.__table__))
_INSERT_ACTION_FEEDBACK = sa.insert(cast(sa.Table, ActionFeedback.__table__))
_INSERT_LIVE_QUESTION = sa.insert(cast(sa.Table, LiveQuestion.__table__))
_LIVE_IN_HALL = (sa.select(LiveSession.id)
                 .where(LiveSession.id == sa.bindparam("live_id"), LiveSession.town_hall_id == sa.bindparam("hall_id"),
                        LiveSession.state == live_sessions.RUNNING)
                 .with_for_update())  # its version is bumped below anyway: end() cannot slip in between
_BUMP_LIVE = (sa.update(LiveSession).where(LiveSession.id == sa.bindparam("live_id"))
              .values(version=LiveSession.version + 1))
_BY_FORM_TOKEN = (sa.select(Submission.id, Submission.town_hall_id, Submission.body, Submission.received_on,
                            Submission.is_named, ActionFeedback.action_id, TownHall.title.label("hall_title"),
                            TownHall.versions.label("hall_versions"), TownHall.slug.label("hall_slug"))
                  .join(TownHall, TownHall.id == Submission.town_hall_id)
                  .outerjoin(ActionFeedback, ActionFeedback.submission_id == Submission.id)
                  .where(Submission.form_token_hash == sa.bindparam("token_hash")))
_PARENT = orm.aliased(Action)
# A published action (under a published parent, if it has one) linked to the town hall.
_ACTION_IN_HALL = (sa.select(Action.id).join(ActionTownHall, ActionTownHall.action_id == Action.id)
                   .outerjoin(_PARENT, _PARENT.id == Action.parent_id)
                   .where(Action.id == sa.bindparam("action_id"),
                          ActionTownHall.town_hall_id == sa.bindparam("hall_id"), Action.published.is_(True),
                          sa.or_(_PARENT.id.is_(None), _PARENT.published.is_(True))))


def _existing(connection: sa.Connection, token_hash: bytes) -> sa.Row | None:
    return connection.execute(_BY_FORM_TOKEN, {"token_hash": token_hash}).first()


def _receipt_for(existing: sa.Row, hall_id: int | None, new: NewSubmission, code: str, today: date) -> Receipt:
    """The receipt again, for a true retry: same town hall (hall_id None: any, for feedback on an action,
    whose town hall may have changed since), same action, same text, within RETRY_DAYS."""
    if ((hall_id is not None and existing.town_hall_id != hall_id) or existing.body != new.body
            or existing.action_id != new.action_id or (today - existing.received_on).days > RETRY_DAYS):
        raise FormTokenReused()
    return Receipt(code=code, submission_id=existing.id, is_named=existing.is_named, repeated=True,
                   town_hall_title=content_language.versioned(existing.hall_title, existing.hall_versions, "title"),
                   town_hall_slug=existing.hall_slug)


def _hall_title(hall: sa.Row) -> content_language.Versioned:
    """The title of the town hall a new submission went to, with its versions, for the receipt page."""
    return content_language.versioned(hall.title, hall.versions, "title")


def submit(
    session: orm.Session,
    ring: crypto.KeyRing,
    slug: str,
    form_token: str,
    new: NewSubmission,
    today: date,
) -> Receipt:
    """Store a submission to the town hall at /t/<slug> exactly once per form token; return its receipt.

    One write transaction finds the town hall, checks its intake window and stores the rows. A retry
    of a stored submission gets its receipt again, even if intake closed in between (and, for feedback on
    an action, even if the action's feedback now goes to another town hall). Feedback on an
    action (new.action_id) is stored with its ActionFeedback row, whatever the intake window: the town
    hall holding it is one the published action is linked to (actions.public.feedback_town_hall). A question
    asked in a live session (new.live_session_id) is stored with its LiveQuestion row (pending) and bumps the
    session's version, whatever the intake window, while that session of this town hall runs.

    :raises NoSuchTownHall: no active town hall has this slug.
    :raises NoSuchAction: new.action_id is not a published action linked to this town hall.
    :raises IntakeClosed: the town hall is not open for input today (for a submission not about an action, nor
        asked in a live session).
    :raises live_sessions.NoSuchLiveSession: new.live_session_id is not a running session of this town hall.
    :raises FormTokenReused: the form token was already used for something else.
    :raises IntakeUnavailable: the database failed; nothing was stored.
    """
    if not SLUG_PATTERN.fullmatch(slug):
        raise NoSuchTownHall(slug)  # no write lock for an address we could never have made
    token_hash = crypto.form_token_hash(form_token)
    code = crypto.receipt_code_for(ring, form_token)
    # Hashing and sealing happen before the write lock is taken (SQLite has one writer at a time).
    submission, identity = _new_rows(ring, token_hash, code, new, today)
    buckets = similarity_index.buckets(new.body)  # the similarity index's rows, stored with the submission
    try:
        with writing(session):
            connection = session.connection()
            if new.action_id is not None and (existing := _existing(connection, token_hash)) is not None:
                # A retry of feedback on an action: its receipt, whichever town hall holds it (a town hall
                # linked to the action since, and so chosen now, does not make it a different submission).
                return _receipt_for(existing, None, new, code, today)
            hall = town_halls.find_for_intake(connection, slug)
            if hall is None:
                raise NoSuchTownHall(slug)
            if new.action_id is not None:
                if not connection.execute(_ACTION_IN_HALL, {"action_id": new.action_id, "hall_id": hall.id}).first():
                    raise NoSuchAction(new.action_id)
            elif new.live_session_id is not None:
                if not connection.execute(_LIVE_IN_HALL, {"live_id": new.live_session_id, "hall_id": hall.id}).first():
                    # A retry of a question stored while the session ran still gets its receipt.
                    if (existing := _existing(connection, token_hash)) is None:
                        raise live_sessions.NoSuchLiveSession(new.live_session_id)
                    return _receipt_for(existing, hall.id, new, code, today)
            elif (state := intake_state(hall, today)) != "open":
                # Only a retry of a submission stored while intake was open still gets its receipt.
                existing = _existing(connection, token_hash)
                if existing is None:
                    raise IntakeClosed(state)
                return _receipt_for(existing, hall.id, new, code, today)
            # No look-up first: the unique form_token_hash turns a retry into an IntegrityError below.
            connection.execute(_INSERT_SUBMISSION, [{**submission, "town_hall_id": hall.id}])
            similarity_index.store(connection, similarity_index.rows(submission["id"], hall.id, buckets))
            if identity is not None:
                connection.execute(_INSERT_IDENTITY, [identity])
            if new.action_id is not None:
                connection.execute(_INSERT_ACTION_FEEDBACK, [{"submission_id": submission["id"],
                                                              "action_id": new.action_id}])
            if new.live_session_id is not None:
                connection.execute(_INSERT_LIVE_QUESTION, [{"submission_id": submission["id"],
                                                            "live_session_id": new.live_session_id,
                                                            "state": "pending", "presenter_note": "",
                                                            "flagged": False}])
                connection.execute(_BUMP_LIVE, {"live_id": new.live_session_id})
            title = _hall_title(hall)
    except exc.IntegrityError:
        pass  # handled below, outside this block, so that no database error rides along with what follows
    except exc.DBAPIError:
        raise IntakeUnavailable() from None
    else:
        return Receipt(code=code, submission_id=submission["id"], is_named=submission["is_named"],
                       repeated=False, town_hall_title=title, town_hall_slug=hall.slug)
    # A retried or double-clicked POST, or another worker's copy of it, stored this form token first.
    return _retry(session, slug, token_hash, new, code, today)


def _retry(session: orm.Session, slug: str, token_hash: bytes, new: NewSubmission, code: str,
           today: date) -> Receipt:
    """The receipt of the submission that another POST with this form token stored first."""
    try:
        connection = session.connection()
        hall, existing = town_halls.find_for_intake(connection, slug), _existing(connection, token_hash)
    except exc.DBAPIError:
        raise IntakeUnavailable() from None
    finally:
        session.rollback()  # never leave the request's session inside (on PostgreSQL: an aborted) transaction
    if existing is None or (hall is None and new.action_id is None):
        raise IntakeUnavailable()
    return _receipt_for(existing, hall.id if hall is not None and new.action_id is None else None, new, code, today)


def _new_rows(
    ring: crypto.KeyRing, token_hash: bytes, code: str, new: NewSubmission, today: date
) -> tuple[dict, dict | None]:
    """The submission row (without its town hall), and the sealed identity row for a named one."""
    submission_id = uuid.uuid4()
    submission = {
        "id": submission_id,
        "body": new.body,
        "received_on": today,
        "affiliation": new.affiliation,
        "language": new.language,
        "is_named": new.identity is not None,
        "receipt_hash": crypto.receipt_hash(ring, code),
        "form_token_hash": token_hash,
    }
    if new.identity is None:
        return submission, None
    sealed = crypto.seal_identity(ring, submission_id, new.identity)
    identity = {
        "submission_id": submission_id,
        "key_id": sealed.key_id,
        "wrapped_key": sealed.wrapped_key,
        "nonce": sealed.nonce,
        "ciphertext": sealed.ciphertext,
        "email_index": crypto.blind_index(ring, new.identity.email) if new.identity.email else None,
    }
    return submission, identity
