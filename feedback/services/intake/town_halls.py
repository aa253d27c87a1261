"""Town halls: created, edited, opened, closed and archived by staff (audited), listed and found for the public.

Every change from the web is an audit event naming the town hall by its slug and saying what changed; none
holds anything a submitter wrote. A town hall keeps its slug for life: receipts and links point at it.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy import orm

from feedback import audit
from feedback.db import AdvisoryLock, advisory_lock, writing
from feedback.models import SLUG_PATTERN, TownHall
from feedback.sentences import Sentence
from feedback.services import content_language

TITLE_MAX = 200
DESCRIPTION_MAX = 2_000
PROMPT_MAX = 500
# The home page lists the closed town halls of about the last year, the latest few.
RECENT_CLOSED_DAYS = 365
RECENT_CLOSED_SHOWN = 5
ARCHIVED = "archived"


class InvalidTownHall(ValueError):
    """A town hall change that cannot be made; the message (a Sentence) says why, in words for the facilitator.

    field names the form field the problem is about ("" when it is about the whole town hall).
    """

    def __init__(self, message: Sentence, field: str = "") -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class TownHallValues:
    """What staff choose about a town hall (its slug is made from the first title and never changes)."""

    title: str
    held_on: date
    intake_opens_on: date
    intake_closes_on: date
    description: str = ""
    prompt: str = ""
    # Its texts in other languages: {"es": {"title": ..., "description": ..., "prompt": ...}} (content_language).
    versions: Mapping[str, Mapping[str, str]] = field(default_factory=dict)


# The name scripts, the demo loader and the tests use for the values of a town hall to create.
NewTownHall = TownHallValues
FIELDS = tuple(field.name for field in fields(TownHallValues))
DATES = ("held_on", "intake_opens_on", "intake_closes_on")


def slugify(title: str) -> str:
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_title.lower()).strip("-")[:60] or "town-hall"


# Words the staff pages use next to a slug: /facilitate/<slug>, /leadership/<slug> (/leadership/plan-report).
RESERVED_SLUGS = frozenset({"reveals", "s", "themes", "town-halls", "plan-report"})


def _free_slug(session: orm.Session, base: str) -> str:
    taken = set(session.scalars(sa.select(TownHall.slug).where(TownHall.slug.like(f"{base}%")))) | RESERVED_SLUGS
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    return slug


def _cleaned(values: TownHallValues) -> TownHallValues:
    """The values with their text tidied, or InvalidTownHall naming the first problem."""
    title = " ".join(values.title.split())
    description, prompt = values.description.strip(), values.prompt.strip()
    if not title:
        raise InvalidTownHall(Sentence("A town hall needs a title."), "title")
    if len(title) > TITLE_MAX:
        raise InvalidTownHall(Sentence("A title can have at most %(max)s characters.", max=TITLE_MAX), "title")
    if len(description) > DESCRIPTION_MAX:
        raise InvalidTownHall(Sentence("A description can have at most %(max)s characters.",
                                       max=DESCRIPTION_MAX), "description")
    if len(prompt) > PROMPT_MAX:
        raise InvalidTownHall(Sentence("A question can have at most %(max)s characters.", max=PROMPT_MAX), "prompt")
    if values.intake_closes_on < values.intake_opens_on:
        raise InvalidTownHall(Sentence("The intake window closes before it opens: choose a closing date on or "
                                       "after the opening date."), "intake_closes_on")
    return TownHallValues(title=title, description=description, prompt=prompt, held_on=values.held_on,
                          intake_opens_on=values.intake_opens_on, intake_closes_on=values.intake_closes_on,
                          versions=_cleaned_versions(values.versions))


# The texts a town hall may have in other languages, each with the base field's limit.
VERSIONED = {"title": TITLE_MAX, "description": DESCRIPTION_MAX, "prompt": PROMPT_MAX}
_TOO_LONG = {"title": Sentence("A title can have at most %(max)s characters.", max=TITLE_MAX),
             "description": Sentence("A description can have at most %(max)s characters.",
                                     max=DESCRIPTION_MAX),
             "prompt": Sentence("A question can have at most %(max)s characters.", max=PROMPT_MAX)}


def _cleaned_versions(versions: Mapping[str, Mapping[str, str]]) -> dict[str, dict[str, str]]:
    """The versions tidied as the base text is (a title on one line), blank ones left out; InvalidTownHall names
    the first too long, on its form field (title_es)."""
    cleaned: dict[str, dict[str, str]] = {}
    for code, texts in versions.items():
        tidy = {name: " ".join(text.split()) if name == "title" else text.strip()
                for name, text in texts.items() if name in VERSIONED}
        for name, text in tidy.items():
            if len(text) > VERSIONED[name]:
                raise InvalidTownHall(_TOO_LONG[name], f"{name}_{code}")
        cleaned = content_language.with_version(cleaned, code, tidy)
    return cleaned


def create_town_hall(session: orm.Session, new: TownHallValues, *, by: audit.Actor | None = None,
                     now: datetime | None = None) -> TownHall:
    """Store a town hall with a unique slug made from its title; audited when by and now are given.

    Scripts and the demo may create a town hall whose intake already ended; the web goes through create().

    :raises InvalidTownHall: empty or over-long text, or an intake window that closes before it opens.
    """
    new = _cleaned(new)
    with writing(session):
        # Audited writes queue on the chain's lock anyway; taken first, it also keeps two creations of one
        # title from both finding the same free slug on PostgreSQL (SQLite's BEGIN IMMEDIATE already does).
        advisory_lock(session, AdvisoryLock.AUDIT_CHAIN)
        town_hall = TownHall(slug=_free_slug(session, slugify(new.title)),
                             **{name: getattr(new, name) for name in FIELDS})
        session.add(town_hall)
        session.flush()
        if by is not None and now is not None:
            audit.record(session, by, audit.Action.TOWN_HALL_CREATED, now=now, details={
                "slug": town_hall.slug, **_shown(town_hall, DATES)})
    return town_hall


def create(session: orm.Session, new: TownHallValues, *, by: audit.Actor, now: datetime) -> TownHall:
    """Create a town hall from the web (audited); its intake window may not have ended already.

    :raises InvalidTownHall: as create_town_hall, or the window ends before today.
    """
    if new.intake_closes_on < now.date():
        raise InvalidTownHall(Sentence("The intake window of a new town hall cannot end in the past: choose a "
                                       "closing date from today on."), "intake_closes_on")
    return create_town_hall(session, new, by=by, now=now)


def _shown(town_hall: TownHall, names: tuple[str, ...] | list[str]) -> dict[str, str]:
    """The dates (and title) among names as the audit log shows them; longer texts are only named."""
    return {name: str(getattr(town_hall, name)) for name in names if name in DATES or name == "title"}


def get(session: orm.Session, town_hall_id: int) -> TownHall | None:
    """Any town hall by id, archived ones too (for staff)."""
    return session.get(TownHall, town_hall_id)


def _changeable(session: orm.Session, town_hall_id: int) -> TownHall:
    town_hall = session.get(TownHall, town_hall_id)
    if town_hall is None:
        raise InvalidTownHall(Sentence("That town hall is no longer there. Reload the list of town halls."))
    if town_hall.status == ARCHIVED:
        raise InvalidTownHall(Sentence("“%(title)s” is archived: it can no longer be changed.", title=town_hall.title))
    return town_hall


def update(session: orm.Session, town_hall_id: int, values: TownHallValues, *, by: audit.Actor,
           now: datetime) -> list[str]:
    """Edit a town hall's title, texts and dates (not its slug); returns the fields that changed.

    A window that has ended is allowed here: staff may correct the record of a past town hall.

    :raises InvalidTownHall: as create_town_hall, or the town hall is gone or archived.
    """
    values = _cleaned(values)
    with writing(session):
        town_hall = _changeable(session, town_hall_id)
        changed = [name for name in FIELDS if getattr(town_hall, name) != getattr(values, name)]
        if not changed:
            return []
        before = _shown(town_hall, changed)
        for name in changed:
            setattr(town_hall, name, getattr(values, name))
        audit.record(session, by, audit.Action.TOWN_HALL_EDITED, now=now, details={
            "slug": town_hall.slug, "changed": changed, "from": before, "to": _shown(town_hall, changed)})
    return changed


def open_now(session: orm.Session, town_hall_id: int, *, by: audit.Actor, now: datetime) -> TownHall:
    """Open an upcoming town hall's intake early: it takes input from today.

    :raises InvalidTownHall: it is gone, archived, already open, or closed (edit its dates to reopen it).
    """
    today = now.date()
    with writing(session):
        town_hall = _changeable(session, town_hall_id)
        state = town_hall.intake_state(today)
        if state == "open":
            raise InvalidTownHall(Sentence("“%(title)s” is already taking input.", title=town_hall.title))
        if state == "closed":
            raise InvalidTownHall(Sentence("“%(title)s” has closed. To take input again, edit its closing date.",
                                           title=town_hall.title))
        before = str(town_hall.intake_opens_on)
        town_hall.intake_opens_on = today
        audit.record(session, by, audit.Action.TOWN_HALL_OPENED, now=now, details={
            "slug": town_hall.slug, "from": {"intake_opens_on": before}, "to": _shown(town_hall, DATES[1:])})
    return town_hall


def close_now(session: orm.Session, town_hall_id: int, *, by: audit.Actor, now: datetime) -> TownHall:
    """Close an open town hall's intake at once: its last day of input becomes yesterday.

    Yesterday, not today: intake includes its closing day, so closing "today" would still take input
    until midnight. A town hall opened today gets yesterday as its opening day too, so the window holds.

    :raises InvalidTownHall: it is gone, archived, or not taking input.
    """
    yesterday = now.date() - timedelta(days=1)
    with writing(session):
        town_hall = _changeable(session, town_hall_id)
        if town_hall.intake_state(now.date()) != "open":
            raise InvalidTownHall(Sentence("“%(title)s” is not taking input, so there is nothing to close. To "
                                           "cancel it, archive it.", title=town_hall.title))
        before = _shown(town_hall, DATES[1:])
        town_hall.intake_closes_on = yesterday
        town_hall.intake_opens_on = min(town_hall.intake_opens_on, yesterday)
        audit.record(session, by, audit.Action.TOWN_HALL_CLOSED, now=now, details={
            "slug": town_hall.slug, "from": before, "to": _shown(town_hall, DATES[1:])})
    return town_hall


def archive(session: orm.Session, town_hall_id: int, *, by: audit.Actor, now: datetime) -> TownHall:
    """Archive a town hall: off the home page, no intake; its submissions stay for staff.

    :raises InvalidTownHall: it is gone or already archived.
    """
    with writing(session):
        town_hall = _changeable(session, town_hall_id)
        town_hall.status = ARCHIVED
        audit.record(session, by, audit.Action.TOWN_HALL_ARCHIVED, now=now, details={"slug": town_hall.slug})
    return town_hall


@dataclass(frozen=True)
class Listed:
    """A town hall with its state today: 'upcoming', 'open', 'closed' or 'archived'."""

    town_hall: TownHall
    state: str


STATE_ORDER = ("open", "upcoming", "closed", ARCHIVED)


def state(town_hall: TownHall, today: date) -> str:
    """What staff see of a town hall: 'archived', or its intake state today."""
    return ARCHIVED if town_hall.status == ARCHIVED else town_hall.intake_state(today)


def staff_listing(session: orm.Session, today: date) -> list[Listed]:
    """Every town hall with its state: open ones first, then upcoming, closed and archived, latest first."""
    listed = [Listed(hall, state(hall, today))
              for hall in session.scalars(sa.select(TownHall).order_by(TownHall.intake_opens_on.desc(),
                                                                      TownHall.title))]
    return sorted(listed, key=lambda entry: STATE_ORDER.index(entry.state))  # stable: keeps the date order


@dataclass(frozen=True)
class HomeListing:
    open: list[TownHall]
    upcoming: list[TownHall]
    recently_closed: list[TownHall]


def open_town_halls(session: orm.Session, today: date) -> list[TownHall]:
    """Town halls taking input today, the soonest to close first."""
    query = (
        sa.select(TownHall)
        .where(TownHall.status == "active")
        .where(TownHall.intake_opens_on <= today, TownHall.intake_closes_on >= today)
        .order_by(TownHall.intake_closes_on, TownHall.title)
    )
    return list(session.scalars(query))


def home_listing(session: orm.Session, today: date) -> HomeListing:
    """What the home page lists: open town halls, upcoming ones (soonest first) and the latest closed ones."""
    active = sa.select(TownHall).where(TownHall.status == "active")
    upcoming = active.where(TownHall.intake_opens_on > today).order_by(TownHall.intake_opens_on, TownHall.title)
    closed = (active.where(TownHall.intake_closes_on < today,
                           TownHall.intake_closes_on >= today - timedelta(days=RECENT_CLOSED_DAYS))
              .order_by(TownHall.intake_closes_on.desc(), TownHall.title).limit(RECENT_CLOSED_SHOWN))
    return HomeListing(open=open_town_halls(session, today), upcoming=list(session.scalars(upcoming)),
                       recently_closed=list(session.scalars(closed)))


def find_town_hall(session: orm.Session, slug: str) -> TownHall | None:
    """The active town hall at /t/<slug>; None for any slug we could not have made."""
    if not SLUG_PATTERN.fullmatch(slug):
        return None
    return session.scalar(_ACTIVE_BY_SLUG, {"slug": slug})


# Built once: every public page and POST looks a town hall up, and building the statement (and its
# cache key) each time cost more than running it.
_ACTIVE = (TownHall.slug == sa.bindparam("slug"), TownHall.status == "active")
_ACTIVE_BY_SLUG = sa.select(TownHall).where(*_ACTIVE)
_INTAKE_BY_SLUG = sa.select(TownHall.id, TownHall.slug, TownHall.title, TownHall.versions, TownHall.intake_opens_on,
                            TownHall.intake_closes_on).where(*_ACTIVE)


def find_for_intake(connection: sa.Connection, slug: str) -> sa.Row | None:
    """What intake needs of the active town hall at /t/<slug> (id, slug, title and its versions, intake dates), as a
    row.

    Core on the caller's connection, so a submission is one transaction without ORM objects.
    """
    if not SLUG_PATTERN.fullmatch(slug):
        return None
    return connection.execute(_INTAKE_BY_SLUG, {"slug": slug}).first()
