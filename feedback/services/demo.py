"""Loading the demo: three town halls and about sixty submissions, so a newcomer sees a living instance."""

from __future__ import annotations

from datetime import date, timedelta

import sqlalchemy as sa
from sqlalchemy import orm

from feedback import crypto
from feedback.models import StaffUser, TownHall
from feedback.services import accounts, audit, intake, town_halls
from feedback.services.demo_data import SUBMISSIONS, TOWN_HALLS


def load_demo(session: orm.Session, ring: crypto.KeyRing, today: date) -> int:
    """Create the demo town halls and submissions; return how many submissions were stored.

    Does nothing (returns 0) when the demo town halls are already there.
    """
    titles = [t.title for t in TOWN_HALLS]
    if session.scalar(sa.select(sa.func.count()).select_from(TownHall).where(TownHall.title.in_(titles))):
        return 0
    halls = [
        town_halls.create_town_hall(
            session,
            town_halls.NewTownHall(
                title=t.title,
                description=t.description,
                held_on=today + timedelta(days=t.held_days_from_today),
                intake_opens_on=today + timedelta(days=t.opens_days_from_today),
                intake_closes_on=today + timedelta(days=t.closes_days_from_today),
            ),
        )
        for t in TOWN_HALLS
    ]
    for item in SUBMISSIONS:
        identity = None
        if item.name:
            identity = crypto.Identity(name=item.name, email=item.email or "", contact_ok=item.contact_ok)
        new = intake.NewSubmission(body=item.body, affiliation=item.affiliation, identity=identity)
        received_on = today - timedelta(days=item.days_ago)
        intake.submit(session, ring, halls[item.town_hall], crypto.new_form_token(), new, received_on)
    return len(SUBMISSIONS)


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
