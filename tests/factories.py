"""Build test data through the same services the app uses."""

from __future__ import annotations

from datetime import timedelta

from feedback import crypto
from feedback.clock import today
from feedback.models import Tagging, Theme
from feedback.services.intake import submitting, town_halls

__all__ = ["make_submission", "make_theme", "make_town_hall", "tag", "today"]


def make_town_hall(session, title: str = "Belonging on the wards", state: str = "open", **fields):
    """A town hall whose intake is 'open', 'upcoming' or 'closed' today."""
    now = today()
    windows = {
        "open": (now - timedelta(days=3), now + timedelta(days=10)),
        "upcoming": (now + timedelta(days=5), now + timedelta(days=20)),
        "closed": (now - timedelta(days=40), now - timedelta(days=10)),
    }
    opens, closes = windows[state]
    new = town_halls.NewTownHall(
        title=title,
        description=fields.pop("description", "Tell us what you saw and what should change."),
        held_on=fields.pop("held_on", opens),
        intake_opens_on=opens,
        intake_closes_on=closes,
    )
    return town_halls.create_town_hall(session, new)


def make_submission(session, ring, town_hall, body: str = "The call schedule is unfair.", *,
                    name: str | None = None, email: str = "", affiliation: str | None = None,
                    token: str | None = None) -> submitting.Receipt:
    identity = crypto.Identity(name=name, email=email, contact_ok=bool(email)) if name else None
    new = submitting.NewSubmission(body=body, affiliation=affiliation, identity=identity)
    return submitting.submit(session, ring, town_hall.slug, token or crypto.new_form_token(), new, today())


def make_theme(session, name: str = "Belonging", **fields) -> Theme:
    """A theme in the codebook (straight into the table: the codebook's own tests go through its service)."""
    theme = Theme(name=name, definition=fields.pop("definition", f"Concerns about {name.lower()}."), **fields)
    session.add(theme)
    session.commit()
    return theme


def tag(session, submission_id, *themes: Theme) -> None:
    """Tag a submission with themes, as a facilitator would."""
    session.add_all(Tagging(submission_id=submission_id, theme_id=theme.id) for theme in themes)
    session.commit()
