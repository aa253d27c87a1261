"""Action-plan rows for the public pages' tests, stored straight into the tables (the staff side has its own tests)."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from feedback.models import Action, ActionSubmission, ActionTheme, ActionTownHall, ActionUpdate, Submission
from tests.factories import today


def make_action(session, title: str, *, status: str = "planned", published: bool = True, themes=(), halls=(),
                parent: Action | None = None, **fields) -> Action:
    """An action (published unless told otherwise), linked to themes and town halls."""
    action = Action(title=title, status=status, published=published, created_on=today() - timedelta(days=30),
                    parent_id=parent.id if parent else None, **fields)
    session.add(action)
    session.flush()
    session.add_all(ActionTheme(action_id=action.id, theme_id=t.id) for t in themes)
    session.add_all(ActionTownHall(action_id=action.id, town_hall_id=h.id) for h in halls)
    session.commit()
    return action


def add_update(session, action: Action, text: str, *, days_ago: int = 0, status: str | None = None,
               progress: int | None = None) -> ActionUpdate:
    """An update published days_ago days ago (a negative number schedules it in the future)."""
    on = today() - timedelta(days=days_ago)
    update = ActionUpdate(action_id=action.id, written_on=min(on, today()), publish_on=on, text=text,
                          status=status, progress=progress)
    session.add(update)
    session.commit()
    return update


def link_submission(session, action: Action, submission_id) -> None:
    """The internal link from an action to a submission (never shown publicly)."""
    session.add(ActionSubmission(action_id=action.id, submission_id=submission_id))
    session.commit()


def publish(session, *submission_ids) -> None:
    """Mark submissions published, as a facilitator would on the desk."""
    session.execute(sa.update(Submission).where(Submission.id.in_(submission_ids)).values(status="published"))
    session.commit()
