"""Loading the demo: four town halls, a theme codebook and a few hundred submissions, moderated and tagged,
so that a newcomer sees a living instance and the leadership summary has real numbers (and a few small
groups it must hide).
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy import orm

from feedback import audit, clock, crypto
from feedback.demo.content import (
    HIDDEN_EXAMPLES,
    SUBMISSIONS,
    THEMES,
    TOWN_HALLS,
    DemoSubmission,
    generated_submissions,
)
from feedback.models import StaffUser, SubmissionStatus, TownHall
from feedback.services.admin import accounts
from feedback.services.intake import submitting, town_halls
from feedback.services.moderation import desk
from feedback.services.text import whole_words
from feedback.services.themes import codebook, tagging

DEMO_ACTOR = audit.Actor(audit.SYSTEM)
PENDING_DAYS = 2  # submissions younger than this still wait for a facilitator


def _create_town_halls(session: orm.Session, today: date) -> list[TownHall]:
    return [
        town_halls.create_town_hall(session, town_halls.NewTownHall(
            title=t.title,
            description=t.description,
            held_on=today + timedelta(days=t.held_days_from_today),
            intake_opens_on=today + timedelta(days=t.opens_days_from_today),
            intake_closes_on=today + timedelta(days=t.closes_days_from_today),
        ))
        for t in TOWN_HALLS
    ]


def _create_codebook(session: orm.Session, now: datetime) -> dict[str, int]:
    """The demo themes, parents first; returns their ids by name."""
    ids: dict[str, int] = {}
    for demo_theme in sorted(THEMES, key=lambda t: t.parent is not None):
        values = codebook.ThemeValues(name=demo_theme.name, definition=demo_theme.definition,
                                    example=demo_theme.example, colour=demo_theme.colour,
                                    keywords="\n".join(demo_theme.keywords), parent_id=ids.get(demo_theme.parent))
        ids[demo_theme.name] = codebook.create(session, values, by=DEMO_ACTOR, now=now).id
    return ids


def _submit(session: orm.Session, ring: crypto.KeyRing, halls: list[TownHall], today: date,
            items: list[DemoSubmission]) -> dict[uuid.UUID, DemoSubmission]:
    stored = {}
    for item in items:
        identity = None
        if item.name:
            identity = crypto.Identity(name=item.name, email=item.email or "", contact_ok=item.contact_ok)
        new = submitting.NewSubmission(body=item.body, affiliation=item.affiliation, identity=identity)
        received_on = today - timedelta(days=item.days_ago)
        slug = halls[item.town_hall].slug
        receipt = submitting.submit(session, ring, slug, crypto.new_form_token(), new, received_on)
        stored[receipt.submission_id] = item
    return stored


def _moderate(session: orm.Session, halls: list[TownHall], stored: dict[uuid.UUID, DemoSubmission],
              now: datetime) -> None:
    """Redact, escalate and hide what the demo data says; publish the rest unless it is still fresh."""
    hidden: dict[tuple[int, str], list[uuid.UUID]] = defaultdict(list)
    published: dict[int, list[uuid.UUID]] = defaultdict(list)
    for submission_id, item in stored.items():
        hall_id = halls[item.town_hall].id
        if item.redacted:
            desk.redact(session, submission_id, item.redacted, by=DEMO_ACTOR, now=now)
        if item.escalated:
            desk.change_status(session, [submission_id], SubmissionStatus.ESCALATED, note=item.escalated,
                                     by=DEMO_ACTOR, now=now)
        elif item.hidden:
            hidden[hall_id, item.hidden].append(submission_id)
        elif item.days_ago >= PENDING_DAYS:
            published[hall_id].append(submission_id)
    for (hall_id, reason), ids in hidden.items():
        desk.change_status(session, ids, SubmissionStatus.HIDDEN, hidden_reason=reason, town_hall_id=hall_id,
                                 by=DEMO_ACTOR, now=now)
    for hall_id, ids in published.items():
        desk.change_status(session, ids, SubmissionStatus.PUBLISHED, town_hall_id=hall_id,
                                 by=DEMO_ACTOR, now=now)


def _mentions(keywords: tuple[str, ...], text: str) -> bool:
    """Whether the text holds one of the words or phrases as whole words (as theme suggestions match them)."""
    pattern = whole_words(keywords)
    return pattern is not None and pattern.search(text) is not None


def _tag(session: orm.Session, halls: list[TownHall], stored: dict[uuid.UUID, DemoSubmission],
         theme_ids: dict[str, int], now: datetime) -> None:
    """Tag what facilitators have looked at with the themes whose keywords it mentions."""
    chosen: dict[tuple[int, int], list[uuid.UUID]] = defaultdict(list)
    for submission_id, item in stored.items():
        if item.days_ago < PENDING_DAYS or item.hidden in ("spam", "abusive"):
            continue
        for demo_theme in THEMES:
            if _mentions(demo_theme.keywords, item.body):
                chosen[halls[item.town_hall].id, theme_ids[demo_theme.name]].append(submission_id)
    for (hall_id, theme_id), ids in chosen.items():
        tagging.bulk_tag(session, ids, [theme_id], town_hall_id=hall_id, by=DEMO_ACTOR, now=now)


def load_demo(session: orm.Session, ring: crypto.KeyRing, today: date, now: datetime | None = None) -> int:
    """Create the demo town halls, codebook and submissions; moderate and tag them as facilitators would.

    Returns how many submissions were stored; does nothing (returns 0) when the demo is already there.
    """
    titles = [t.title for t in TOWN_HALLS]
    if session.scalar(sa.select(sa.func.count()).select_from(TownHall).where(TownHall.title.in_(titles))):
        return 0
    now = now or clock.now()
    halls = _create_town_halls(session, today)
    theme_ids = _create_codebook(session, now)
    stored = _submit(session, ring, halls, today, [*SUBMISSIONS, *HIDDEN_EXAMPLES, *generated_submissions()])
    _moderate(session, halls, stored, now)
    _tag(session, halls, stored, theme_ids, now)
    # Archived after tagging: its old taggings still count, and it is no longer offered.
    for demo_theme in THEMES:
        if demo_theme.archived:
            codebook.set_archived(session, theme_ids[demo_theme.name], True, by=DEMO_ACTOR, now=now)
    return len(stored)


DEMO_PASSWORD = "town-hall-demo"
DEMO_STAFF = [("admin@example.org", "Ada Admin", "admin"),
              ("facilitator@example.org", "Fola Facilitator", "facilitator"),
              ("second.facilitator@example.org", "Sam Second", "facilitator"),
              ("leader@example.org", "Lee Leader", "leader")]


def load_demo_staff(session: orm.Session, hasher, now) -> list[tuple[str, str]]:
    """One demo account per role (and a second facilitator, for approvals); returns those created."""
    created = []
    for email, name, role in DEMO_STAFF:
        if session.scalar(sa.select(StaffUser.id).where(StaffUser.email == email)):
            continue
        accounts.create_user(session, hasher, email, name, role, DEMO_PASSWORD, by=audit.Actor(audit.SYSTEM), now=now)
        created.append((email, role))
    return created
