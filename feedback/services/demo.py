"""Loading the demo: three town halls and about sixty submissions, so a newcomer sees a living instance."""

from __future__ import annotations

from datetime import date, timedelta

import sqlalchemy as sa
from sqlalchemy import orm

from feedback import crypto
from feedback.models import TownHall
from feedback.services import intake, town_halls
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
