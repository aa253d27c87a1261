"""Staff accounts and their server-side sessions: create, authenticate, change, end."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import orm

from feedback import audit, crypto
from feedback.db import writing
from feedback.models import Role, StaffSession, StaffUser
from feedback.sentences import Sentence

PASSWORD_MIN = 12
PASSWORD_TOO_SHORT = Sentence("A password needs at least %(min)s characters.", min=PASSWORD_MIN)


class AccountError(ValueError):
    """A staff account change that cannot be made; its Sentence says why (str() gives it in English)."""


@dataclass(frozen=True)
class Staff:
    """The logged-in staff member, as the views see them (no ORM object crosses a request)."""

    id: int
    email: str
    display_name: str
    role: str

    @property
    def actor(self) -> audit.Actor:
        return audit.Actor(label=self.email, staff_id=self.id)


def _staff(user: StaffUser) -> Staff:
    return Staff(id=user.id, email=user.email, display_name=user.display_name, role=user.role)


def check_password(password: str) -> None:
    if len(password) < PASSWORD_MIN:
        raise AccountError(PASSWORD_TOO_SHORT)


def create_user(session: orm.Session, hasher: PasswordHasher, email: str, display_name: str, role: str,
                password: str, *, by: audit.Actor, now: datetime) -> Staff:
    """:raises AccountError: unknown role, short password, or an email already in use."""
    email = crypto.normalise_email(email)
    if role not in {r.value for r in Role}:
        raise AccountError(Sentence("Unknown role %(role)s: choose admin, facilitator or leader.", role=repr(role)))
    check_password(password)
    with writing(session):
        if session.scalar(sa.select(StaffUser.id).where(StaffUser.email == email)):
            raise AccountError(Sentence("An account with that email already exists."))
        user = StaffUser(email=email, display_name=display_name.strip() or email, role=role,
                         password_hash=hasher.hash(password), is_active=True)
        session.add(user)
        session.flush()
        audit.record(session, by, audit.Action.USER_CREATED, now=now, details={"user": email, "role": role})
    return _staff(user)


def authenticate(session: orm.Session, hasher: PasswordHasher, dummy_hash: str, email: str,
                 password: str) -> Staff | None:
    """The active account for these credentials, or None; the same work is done either way."""
    user = session.scalar(sa.select(StaffUser).where(StaffUser.email == crypto.normalise_email(email)))
    try:
        hasher.verify(user.password_hash if user else dummy_hash, password)
    except (VerificationError, InvalidHashError):
        return None
    if user is None or not user.is_active:
        return None
    return _staff(user)


def record_failed_login(session: orm.Session, email: str, now: datetime) -> None:
    """Audit a refused login: which account was tried (its id), or that no account matched.

    What was typed is never recorded: a password pasted into the email field must not reach the log.
    Every refusal writes one event, whether the account exists or not, so the work is the same.
    """
    user_id = session.scalar(sa.select(StaffUser.id).where(StaffUser.email == crypto.normalise_email(email)))
    with writing(session):
        audit.record(session, audit.Actor(audit.SYSTEM), audit.Action.LOGIN_REFUSED, now=now,
                     details={"account": user_id})


def _token_hash(token: str) -> bytes:
    return hashlib.sha256(token.encode()).digest()


def start_session(session: orm.Session, staff: Staff, now: datetime) -> str:
    """A new session token (the previous one, if any, is simply never used again)."""
    token = secrets.token_urlsafe(32)
    with writing(session):
        session.add(StaffSession(token_hash=_token_hash(token), user_id=staff.id, created_at=now, last_seen_at=now))
        audit.record(session, staff.actor, audit.Action.LOGIN, now=now)
    return token


def resolve_session(session: orm.Session, token: str, now: datetime, idle: timedelta,
                    absolute: timedelta) -> Staff | None:
    """The staff member behind a session token, or None when it is unknown, expired or deactivated."""
    row = session.get(StaffSession, _token_hash(token))
    if row is None:
        return None
    if not row.user.is_active or now - row.last_seen_at > idle or now - row.created_at > absolute:
        with writing(session):
            session.execute(sa.delete(StaffSession).where(StaffSession.token_hash == _token_hash(token)))
        return None
    staff = _staff(row.user)
    if now - row.last_seen_at > timedelta(seconds=60):  # no write on every click
        with writing(session):
            session.execute(sa.update(StaffSession).where(StaffSession.token_hash == _token_hash(token))
                            .values(last_seen_at=now))
    return staff


def end_session(session: orm.Session, token: str, staff: Staff, now: datetime) -> None:
    with writing(session):
        session.execute(sa.delete(StaffSession).where(StaffSession.token_hash == _token_hash(token)))
        audit.record(session, staff.actor, audit.Action.LOGOUT, now=now)


def list_users(session: orm.Session) -> list[StaffUser]:
    return list(session.scalars(sa.select(StaffUser).order_by(StaffUser.is_active.desc(), StaffUser.email)))


def _user(session: orm.Session, user_id: int) -> StaffUser:
    user = session.get(StaffUser, user_id)
    if user is None:
        raise AccountError(Sentence("No such account."))
    return user


def _keep_an_admin(session: orm.Session, user: StaffUser) -> None:
    """:raises AccountError: the change would leave no active admin."""
    if user.role == Role.ADMIN and user.is_active:
        admins = session.execute(sa.select(sa.func.count()).select_from(StaffUser)
                                 .where(StaffUser.role == Role.ADMIN, StaffUser.is_active)).scalar_one()
        if admins <= 1:
            raise AccountError(Sentence("This is the last active admin: make someone else an admin first."))


def change_role(session: orm.Session, user_id: int, role: str, *, by: audit.Actor, now: datetime) -> None:
    if role not in {r.value for r in Role}:
        raise AccountError(Sentence("Unknown role %(role)s.", role=repr(role)))
    with writing(session):
        user = _user(session, user_id)
        if role != Role.ADMIN:
            _keep_an_admin(session, user)
        old, user.role = user.role, role
        session.execute(sa.delete(StaffSession).where(StaffSession.user_id == user_id))
        audit.record(session, by, audit.Action.ROLE_CHANGED, now=now,
                     details={"user": user.email, "from": old, "to": role})


def set_active(session: orm.Session, user_id: int, active: bool, *, by: audit.Actor, now: datetime) -> None:
    """Deactivate (ending every open session of that user at once) or reactivate an account."""
    if not active and by.staff_id == user_id:
        raise AccountError(Sentence("You cannot deactivate your own account."))
    with writing(session):
        user = _user(session, user_id)
        if not active:
            _keep_an_admin(session, user)
        user.is_active = active
        if not active:
            session.execute(sa.delete(StaffSession).where(StaffSession.user_id == user_id))
        audit.record(session, by, audit.Action.USER_ACTIVATED if active else audit.Action.USER_DEACTIVATED, now=now,
                     details={"user": user.email})


def reset_password(session: orm.Session, hasher: PasswordHasher, user_id: int, *, by: audit.Actor,
                   now: datetime) -> str:
    """Give the account a new random password (returned once) and end its sessions."""
    password = secrets.token_urlsafe(12)
    with writing(session):
        user = _user(session, user_id)
        user.password_hash = hasher.hash(password)
        session.execute(sa.delete(StaffSession).where(StaffSession.user_id == user_id))
        audit.record(session, by, audit.Action.PASSWORD_RESET, now=now, details={"user": user.email})
    return password
