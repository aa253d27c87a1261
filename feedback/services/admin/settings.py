"""Instance settings that an admin changes at run time."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import orm

from feedback import audit
from feedback.db import writing
from feedback.models import Setting

REVEAL_NEEDS_APPROVAL = "reveal_needs_approval"
DEFAULTS = {REVEAL_NEEDS_APPROVAL: "no"}


def get(session: orm.Session, key: str) -> str:
    row = session.get(Setting, key)
    return row.value if row else DEFAULTS[key]


def is_on(session: orm.Session, key: str) -> bool:
    return get(session, key) == "yes"


def set_flag(session: orm.Session, key: str, on: bool, *, by: audit.Actor, now: datetime) -> None:
    value = "yes" if on else "no"
    with writing(session):
        row = session.get(Setting, key)
        if row is None:
            session.add(Setting(key=key, value=value))
        else:
            row.value = value
        audit.record(session, by, audit.Action.SETTING_CHANGED, now=now, details={"setting": key, "value": value})
