"""Helpers for the codebook pages' tests: posting forms, uploading a CSV, reading themes back."""

from __future__ import annotations

import io
import json

import sqlalchemy as sa

from feedback.models import AuditEvent, Tagging, Theme
from tests.browsing import csrf_for, post_form

INDEX = "/facilitate/themes"
HEADER = "name,definition,example,colour,parent,keywords,archived\r\n"



def post(client, path: str, **data):
    return post_form(client, path, INDEX, **data)


def add_theme(client, name: str, **fields):
    data = {"name": name, "definition": f"About {name.lower()}.", "colour": "#336699", "keywords": "", "parent": "",
            **fields}
    return post(client, INDEX, **data)


def upload(client, text: str | bytes):
    data = text.encode() if isinstance(text, str) else text
    return client.post(f"{INDEX}/import", content_type="multipart/form-data",
                       data={"csrf_token": csrf_for(client, INDEX), "file": (io.BytesIO(data), "codebook.csv")})


def fresh(db_session) -> None:
    """Read what the app wrote since: end our read transaction and forget loaded rows."""
    db_session.rollback()
    db_session.expire_all()


def by_name(db_session, name: str) -> Theme:
    fresh(db_session)
    return db_session.scalar(sa.select(Theme).where(Theme.name == name))


def events(db_session, action: str) -> list[dict]:
    query = sa.select(AuditEvent.details).where(AuditEvent.action == action).order_by(AuditEvent.id)
    return [json.loads(details) for details in db_session.scalars(query)]


def snapshot(db_session) -> list[tuple]:
    fresh(db_session)
    rows = db_session.execute(sa.select(Theme.name, Theme.definition, Theme.example, Theme.colour, Theme.keywords,
                                        Theme.parent_id, Theme.archived).order_by(Theme.name))
    return [tuple(row) for row in rows]


def tagged(db_session, theme: Theme) -> set:
    fresh(db_session)
    return set(db_session.scalars(sa.select(Tagging.submission_id).where(Tagging.theme_id == theme.id)))
