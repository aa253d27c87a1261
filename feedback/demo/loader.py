"""Loading the demo: four town halls, a theme codebook and a few hundred submissions, moderated and tagged,
the numbers of each town hall already held released once, and the action plan that answers them
(feedback.demo.plan), so that a newcomer sees a living instance: the leadership summary has real (noisy)
numbers, and a few small groups it reads as "fewer than k", and a closed town hall's public response page shows
what was heard and what is being done, and a live session runs with questions from the room (feedback.demo.live).
Refused on an instance with data of its own: the demo accounts' password is published.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from argon2 import PasswordHasher
from sqlalchemy import orm

from feedback import audit, clock, crypto
from feedback.config import Defaults
from feedback.demo import live as demo_live
from feedback.demo import plan as demo_plan
from feedback.demo.content import (
    HIDDEN_EXAMPLES,
    SUBMISSIONS,
    THEME_NAMES_ES,
    THEMES,
    TOWN_HALLS,
    DemoSubmission,
    generated_submissions,
)
from feedback.models import StaffUser, Submission, SubmissionStatus, TownHall
from feedback.services.admin import accounts
from feedback.services.intake import submitting, town_halls
from feedback.services.moderation import desk
from feedback.services.summary import releases
from feedback.services.summary.disclosure import Mechanism
from feedback.services.text import whole_words
from feedback.services.themes import codebook, codebook_values, tagging

DEMO_ACTOR = audit.Actor(audit.SYSTEM)
DEMO_TITLES = [t.title for t in TOWN_HALLS]
PENDING_DAYS = 2  # submissions younger than this still wait for a facilitator


@dataclass(frozen=True)
class Releasing:
    """The disclosure settings the demo releases its town halls with (the app's: SUMMARY_*, AFFILIATIONS)."""

    mechanism: Mechanism
    total_budget: float
    k: int
    affiliations: list[str]

    @classmethod
    def from_config(cls, config) -> Releasing:
        return cls(Mechanism.from_config(config), float(config["SUMMARY_BUDGET"]), int(config["SUMMARY_K"]),
                   list(config["AFFILIATIONS"]))


DEFAULT_RELEASING = Releasing.from_config(vars(Defaults))


def _create_town_halls(session: orm.Session, today: date) -> list[TownHall]:
    return [
        town_halls.create_town_hall(session, town_halls.NewTownHall(
            title=t.title,
            description=t.description,
            prompt=t.prompt,
            versions=t.versions,
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
        parent_id = ids[demo_theme.parent] if demo_theme.parent else None
        values = codebook_values.ThemeValues(name=demo_theme.name, definition=demo_theme.definition,
                                             example=demo_theme.example, colour=demo_theme.colour,
                                             keywords="\n".join(demo_theme.keywords), parent_id=parent_id)
        # The themes of THEME_NAMES_ES have a Spanish name; the rest show in English, marked lang="en".
        spanish = {"es": {"name": THEME_NAMES_ES[demo_theme.name]}} if demo_theme.name in THEME_NAMES_ES else None
        ids[demo_theme.name] = codebook.create(session, values, by=DEMO_ACTOR, now=now, versions=spanish).id
    return ids


def _submit(session: orm.Session, ring: crypto.KeyRing, halls: list[TownHall], today: date,
            items: list[DemoSubmission]) -> dict[uuid.UUID, DemoSubmission]:
    stored = {}
    for item in items:
        identity = None
        if item.name:
            identity = crypto.Identity(name=item.name, email=item.email or "", contact_ok=item.contact_ok)
        new = submitting.NewSubmission(body=item.body, affiliation=item.affiliation, identity=identity,
                                       language=item.language)
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


def _release_held(session: orm.Session, halls: list[TownHall], today: date, now: datetime,
                  releasing: Releasing) -> None:
    """Release, once, the numbers of each town hall already held, as a facilitator would after moderating it."""
    for hall in halls:
        if hall.held_on <= today:
            releases.release(session, hall, mechanism=releasing.mechanism, total_budget=releasing.total_budget,
                             k=releasing.k, affiliations=releasing.affiliations, by=DEMO_ACTOR, now=now)


def load_demo(session: orm.Session, ring: crypto.KeyRing, today: date, now: datetime | None = None,
              releasing: Releasing = DEFAULT_RELEASING) -> int:
    """Create the demo town halls, codebook and submissions; moderate and tag them as facilitators would,
    release the numbers of the town halls already held, write the action plan that answers them, and start a
    live session on the town hall whose input is open (feedback.demo.live).

    Returns how many submissions were stored; does nothing (returns 0) when the demo is already there.
    """
    if session.scalar(sa.select(sa.func.count()).select_from(TownHall).where(TownHall.title.in_(DEMO_TITLES))):
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
    _release_held(session, halls, today, now, releasing)
    demo_plan.load_plan(session, today, now, mechanism=releasing.mechanism, total_budget=releasing.total_budget)
    # Its questions are submissions too, asked after the numbers above were released (not in the count returned).
    demo_live.start_live_session(session, ring, halls, today, now, DEMO_ACTOR)
    return len(stored)


DEMO_PASSWORD = "town-hall-demo"
DEMO_STAFF = [("admin@example.org", "Ada Admin", "admin"),
              ("facilitator@example.org", "Fola Facilitator", "facilitator"),
              ("second.facilitator@example.org", "Sam Second", "facilitator"),
              ("leader@example.org", "Lee Leader", "leader")]


def load_demo_staff(session: orm.Session, hasher: PasswordHasher, now: datetime) -> list[tuple[str, str]]:
    """One demo account per role (and a second facilitator, for approvals); returns those created."""
    created = []
    for email, name, role in DEMO_STAFF:
        if session.scalar(sa.select(StaffUser.id).where(StaffUser.email == email)):
            continue
        accounts.create_user(session, hasher, email, name, role, DEMO_PASSWORD, by=DEMO_ACTOR, now=now)
        created.append((email, role))
    return created


class RealInstance(Exception):
    """The instance holds staff accounts, town halls or submissions the demo did not make; the message names them."""


@dataclass(frozen=True)
class DemoLoaded:
    submissions: int  # stored now; 0 when the demo was already there
    staff: list[tuple[str, str]]  # (email, role) of the demo accounts created now
    plan_added: bool = False  # the action plan was added to a demo instance loaded before the demo had one


def _listed(count: int, noun: str, names: list[str]) -> str:
    shown = ", ".join(names[:3]) + (f" and {len(names) - 3} more" if len(names) > 3 else "")
    return f"{count} {noun}{'' if count == 1 else 's'}" + (f" ({shown})" if names else "")


def own_data(session: orm.Session) -> list[str]:
    """What the instance holds that the demo did not make, in words (empty for a fresh or demo-only instance)."""
    demo_emails = [email for email, _name, _role in DEMO_STAFF]
    staff = list(session.scalars(sa.select(StaffUser.email).where(StaffUser.email.not_in(demo_emails))
                                 .order_by(StaffUser.email)))
    halls = list(session.scalars(sa.select(TownHall.title).where(TownHall.title.not_in(DEMO_TITLES))
                                 .order_by(TownHall.title)))
    own_halls = sa.select(TownHall.id).where(TownHall.title.not_in(DEMO_TITLES))
    submissions = session.execute(sa.select(sa.func.count()).select_from(Submission)
                                  .where(Submission.town_hall_id.in_(own_halls))).scalar_one()
    found = [_listed(len(staff), "staff account", staff)] if staff else []
    found += [_listed(len(halls), "town hall", halls)] if halls else []
    found += [_listed(submissions, "submission", [])] if submissions else []
    return found


def _fully_loaded(session: orm.Session) -> bool:
    """Every demo town hall, every demo account and the demo's action plan are already there."""
    demo_emails = [email for email, _name, _role in DEMO_STAFF]
    halls = session.scalar(sa.select(sa.func.count()).select_from(TownHall).where(TownHall.title.in_(DEMO_TITLES)))
    staff = session.scalar(sa.select(sa.func.count()).select_from(StaffUser).where(StaffUser.email.in_(demo_emails)))
    return halls == len(DEMO_TITLES) and staff == len(demo_emails) and demo_plan.loaded(session)


def load(session: orm.Session, ring: crypto.KeyRing, hasher: PasswordHasher, *, today: date, now: datetime,
         force: bool = False, releasing: Releasing = DEFAULT_RELEASING) -> DemoLoaded:
    """Load the demo and its staff accounts (again: only what is missing), unless the instance has data of its own.

    :raises RealInstance: the instance holds data the demo did not make and force is not set (nothing is written).
    """
    if _fully_loaded(session):
        return DemoLoaded(0, [])  # running scripts/demo again, after people have tried it out: nothing to add
    found = own_data(session)
    if found and not force:
        raise RealInstance(f"This instance already has data the demo did not create: {'; '.join(found)}. The demo "
                           "adds staff accounts with a published password, so it was not loaded. "
                           "Load it into a fresh instance (FEEDBACK_INSTANCE_PATH, FEEDBACK_DATABASE_URL), "
                           "or run `flask --app feedback demo --force` to load it here anyway.")
    submissions = load_demo(session, ring, today, now, releasing)
    # A demo loaded before the demo had an action plan has its town halls and themes: only the plan is missing.
    plan_added = not submissions and bool(demo_plan.load_plan(session, today, now, mechanism=releasing.mechanism,
                                                              total_budget=releasing.total_budget))
    return DemoLoaded(submissions, load_demo_staff(session, hasher, now), plan_added)
