"""Creating, listing and finding town halls."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlalchemy import orm

from feedback.db import writing
from feedback.models import SLUG_PATTERN, TownHall

TITLE_MAX = 200


class InvalidTownHall(ValueError):
    """The values given for a new town hall do not make sense."""


@dataclass(frozen=True)
class NewTownHall:
    title: str
    held_on: date
    intake_opens_on: date
    intake_closes_on: date
    description: str = ""


def slugify(title: str) -> str:
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_title.lower()).strip("-")[:60] or "town-hall"


# Words the staff pages use under /facilitate/ next to /facilitate/<slug>.
RESERVED_SLUGS = frozenset({"reveals", "s"})


def _free_slug(session: orm.Session, base: str) -> str:
    taken = set(session.scalars(sa.select(TownHall.slug).where(TownHall.slug.like(f"{base}%")))) | RESERVED_SLUGS
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    return slug


def create_town_hall(session: orm.Session, new: NewTownHall) -> TownHall:
    """Store a town hall with a unique slug made from its title.

    :raises InvalidTownHall: empty title, or an intake window that closes before it opens.
    """
    title = " ".join(new.title.split())
    if not title:
        raise InvalidTownHall("a town hall needs a title")
    if len(title) > TITLE_MAX:
        raise InvalidTownHall(f"a title can have at most {TITLE_MAX} characters")
    if new.intake_closes_on < new.intake_opens_on:
        raise InvalidTownHall("the intake window closes before it opens")
    with writing(session):
        town_hall = TownHall(
            slug=_free_slug(session, slugify(title)),
            title=title,
            description=new.description.strip(),
            held_on=new.held_on,
            intake_opens_on=new.intake_opens_on,
            intake_closes_on=new.intake_closes_on,
        )
        session.add(town_hall)
    return town_hall


def open_town_halls(session: orm.Session, today: date) -> list[TownHall]:
    """Town halls taking input today, the soonest to close first."""
    query = (
        sa.select(TownHall)
        .where(TownHall.status == "active")
        .where(TownHall.intake_opens_on <= today, TownHall.intake_closes_on >= today)
        .order_by(TownHall.intake_closes_on, TownHall.title)
    )
    return list(session.scalars(query))


def find_town_hall(session: orm.Session, slug: str) -> TownHall | None:
    """The active town hall at /t/<slug>; None for any slug we could not have made."""
    if not SLUG_PATTERN.fullmatch(slug):
        return None
    return session.scalar(_ACTIVE_BY_SLUG, {"slug": slug})


# Built once: every public page and POST looks a town hall up, and building the statement (and its
# cache key) each time cost more than running it.
_ACTIVE = (TownHall.slug == sa.bindparam("slug"), TownHall.status == "active")
_ACTIVE_BY_SLUG = sa.select(TownHall).where(*_ACTIVE)
_INTAKE_BY_SLUG = sa.select(TownHall.id, TownHall.slug, TownHall.title, TownHall.intake_opens_on,
                            TownHall.intake_closes_on).where(*_ACTIVE)


def find_for_intake(connection: sa.Connection, slug: str) -> sa.Row | None:
    """What intake needs of the active town hall at /t/<slug> (id, slug, title, intake dates), as a row.

    Core on the caller's connection, so a submission is one transaction without ORM objects.
    """
    if not SLUG_PATTERN.fullmatch(slug):
        return None
    return connection.execute(_INTAKE_BY_SLUG, {"slug": slug}).first()
