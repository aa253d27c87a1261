"""Moderate one submission in one step: its redacted text, its themes and its status, checked first, then saved.

Each part is saved by the service that owns it (desk.redact, tagging.set_themes, desk.change_status), so
the audit log holds the same events as when the parts are saved one by one. Everything that can be
checked is checked before the first write, so a refused step changes nothing; only a submission erased
or a theme archived between the writes can leave a step half done, and then the facilitator is told.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import orm

from feedback import audit
from feedback.models import Submission, SubmissionStatus
from feedback.services.moderation import desk
from feedback.services.themes import tagging

NOTE_WITHOUT_CHANGE = ("A note goes into the audit log with a change of status: choose a new status, "
                       "or empty the note.")


class Refused(desk.InvalidModeration):
    """A step that cannot be saved; `field` names the part of the form it is about."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class Decision:
    """What the facilitator chose: the themes (exactly these), the redacted text, the status and its note."""

    theme_ids: list[int]
    redacted: str
    status: str
    hidden_reason: str | None = None
    note: str = ""


@dataclass(frozen=True)
class Outcome:
    """What changed: the themes gained and lost, whether the redaction and the status changed."""

    themes: tagging.Change
    redaction: bool
    status: bool


def _changes_status(submission: Submission, decision: Decision) -> bool:
    reason = decision.hidden_reason if decision.status == SubmissionStatus.HIDDEN else None
    return (decision.status, reason) != (submission.status, submission.hidden_reason)


def check(session: orm.Session, submission: Submission, decision: Decision) -> bool:
    """Refuse a decision that could not be saved whole, before anything is written.

    :returns: whether the status changes.
    :raises Refused: a theme not offered, a status change the desk would refuse (hiding without a
        reason, escalating without a note), or a note with no change of status to go with.
    """
    try:
        tagging.live_themes(session, decision.theme_ids)
    except tagging.InvalidTagging as error:
        raise Refused("themes", str(error)) from None
    if not _changes_status(submission, decision):
        if decision.note:
            raise Refused("note", NOTE_WITHOUT_CHANGE)
        return False
    try:
        desk.check_change(decision.status, decision.hidden_reason, decision.note)
    except desk.InvalidModeration as error:
        # The form has checked the status and the note's length: what is left is the reason or the note.
        field = ("hidden_reason" if decision.status == SubmissionStatus.HIDDEN
                 else "note" if decision.status == SubmissionStatus.ESCALATED else "status")
        raise Refused(field, str(error)) from None
    return True


def save(session: orm.Session, submission: Submission, decision: Decision, *, by: audit.Actor,
         now: datetime) -> Outcome:
    """Check the decision, then save the redaction, the themes and the status, in that order.

    :raises Refused: see check(); or the redaction is too long (nothing saved yet), or the submission
        or a theme went away while saving.
    """
    submission_id: uuid.UUID = submission.id
    status_changes = check(session, submission, decision)
    try:
        redacted = desk.redact(session, submission_id, decision.redacted, by=by, now=now)
    except desk.InvalidModeration as error:
        raise Refused("redacted", str(error)) from None
    try:
        themes = tagging.set_themes(session, submission_id, decision.theme_ids, by=by, now=now)
    except tagging.InvalidTagging as error:
        raise Refused("themes", str(error)) from None
    changed = 0
    if status_changes:
        try:
            changed = desk.change_status(session, [submission_id], decision.status,
                                         hidden_reason=decision.hidden_reason, note=decision.note, by=by, now=now)
        except desk.InvalidModeration as error:
            raise Refused("status", str(error)) from None
    return Outcome(themes, redacted, bool(changed))
