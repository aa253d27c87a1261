"""The demo's live session: running on the town hall whose input is open, with questions from the room in every
state (one on screen, a queue with "me too"s, one answered, some waiting, one of them named and one nearly
repeating a queued one), so a newcomer can open the moderator queue, the audience page and, after making a
presenter link, the presenter screen, and press every button.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import orm

from feedback import audit, crypto
from feedback.models import LiveSession, TownHall
from feedback.services.intake import submitting
from feedback.services.live import questions, sessions, votes

LIVE_TOWN_HALL = "Equity in Admissions, Promotion and Workload"


@dataclass(frozen=True)
class DemoQuestion:
    body: str
    state: str  # where it is in the room: pending, approved, on_screen, answered
    votes: int = 0
    name: str | None = None  # a named question (a fictional person)


QUESTIONS = (
    DemoQuestion("When will the admissions figures by department be published, as promised last year?",
                 "answered", votes=6),
    DemoQuestion("How will the promotion committee make its criteria public before the next cycle?",
                 "on_screen", votes=14),
    DemoQuestion("Will service on diversity committees count towards promotion?", "approved", votes=9),
    DemoQuestion("What is being done about the workload of staff covering posts that stay unfilled?", "approved",
                 votes=5),
    DemoQuestion("Will service on diversity committees count towards promotion at all?", "pending"),
    DemoQuestion("Why are part-time staff left out of the workload model?", "pending"),
    DemoQuestion("Can the dean say when the pay bands for research staff will be reviewed?", "pending",
                 name="Jordan Reyes"),
)


def _ask(session: orm.Session, ring: crypto.KeyRing, live: LiveSession, question: DemoQuestion,
         today: date) -> uuid.UUID:
    identity = crypto.Identity(name=question.name, email="", contact_ok=False) if question.name else None
    new = submitting.NewSubmission(body=question.body, identity=identity)
    return questions.ask(session, ring, live.code, crypto.new_form_token(), new, today).submission_id


def _vote(session: orm.Session, ring: crypto.KeyRing, live: LiveSession, submission_id: uuid.UUID, n: int) -> None:
    """n "me too"s from n browsers."""
    for _ in range(n):
        key = crypto.live_voter_key(ring, crypto.new_voter_secret(), submission_id)
        votes.vote(session, live.id, submission_id, key, burst=lambda _id: False)


def start_live_session(session: orm.Session, ring: crypto.KeyRing, halls: list[TownHall], today: date,
                       now: datetime, by: audit.Actor) -> LiveSession | None:
    """Start the demo's live session and fill it as a moderator would have during the first minutes."""
    hall = next((h for h in halls if h.title == LIVE_TOWN_HALL), None)
    if hall is None:
        return None
    live = sessions.start(session, hall.id, by=by, now=now)
    asked = [(_ask(session, ring, live, question, today), question) for question in QUESTIONS]
    for submission_id, question in asked:
        if question.state != "pending":
            questions.approve(session, submission_id, by=by, now=now)
            _vote(session, ring, live, submission_id, question.votes)
    # Shown in turn: the answered one first, then the one on screen now.
    for state in ("answered", "on_screen"):
        for submission_id, question in asked:
            if question.state == state:
                questions.show(session, submission_id, by=by, now=now)
    return live
