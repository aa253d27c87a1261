"""Moderate one submission in one step: its redacted text, its themes and its status, checked, then saved.

Each part is saved by the service that owns it (desk.redact, tagging.set_themes, desk.change_status, by
their inner functions that work inside this write), so the audit log holds the same events as when the
parts are saved one by one, and the whole step is one transaction: a refused step changes nothing.

The form says what the page showed when it was opened (Shown). Only the parts this person changed are
saved, so a Save never puts back what a colleague changed in the meantime; and when a colleague changed
one of those same parts since, the step is refused (Conflict) rather than overwriting their work.
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import orm

from feedback import audit
from feedback.db import writing
from feedback.models import HiddenReason, Submission, SubmissionStatus
from feedback.sentences import Sentence
from feedback.services.moderation import desk
from feedback.services.themes import tagging

GONE = Sentence("This submission is no longer here: it was erased while you were moderating it. Nothing was saved.")
CHANGED_SINCE = Sentence("Someone changed this submission since you opened it.")
CHECK_AND_SAVE = Sentence("Your changes are below, not saved yet: check them and save again.")
NOTE_WITHOUT_CHANGE = Sentence("A note goes into the audit log with a change of status: choose a new status, "
                               "or empty the note.")
# What a colleague's change made of each part, one whole sentence for each status (and hidden reason).
STATUS_NOW: dict[tuple[str, str | None], Sentence] = {
    (SubmissionStatus.PENDING, None): Sentence("Its status is now pending."),
    (SubmissionStatus.PUBLISHED, None): Sentence("Its status is now published."),
    (SubmissionStatus.ESCALATED, None): Sentence("Its status is now escalated."),
    (SubmissionStatus.HIDDEN, HiddenReason.OFF_TOPIC): Sentence("Its status is now hidden (off-topic)."),
    (SubmissionStatus.HIDDEN, HiddenReason.ABUSIVE): Sentence("Its status is now hidden (abusive)."),
    (SubmissionStatus.HIDDEN, HiddenReason.SPAM): Sentence("Its status is now hidden (spam)."),
    (SubmissionStatus.HIDDEN, HiddenReason.DUPLICATE): Sentence("Its status is now hidden (duplicate)."),
    (SubmissionStatus.HIDDEN, HiddenReason.IDENTIFYING): Sentence("Its status is now hidden (identifying)."),
    (SubmissionStatus.HIDDEN, HiddenReason.OTHER): Sentence("Its status is now hidden (other)."),
}
REDACTED_NOW = Sentence("Its redacted text is now the one under “As others see it”.")
NO_THEMES_NOW = Sentence("It has no themes now.")


class Refused(desk.InvalidModeration):
    """A step that cannot be saved; `field` names the part of the form it is about, `message` says why."""

    def __init__(self, field: str, message: Sentence | str) -> None:
        super().__init__(message)
        self.field = field


class Gone(Refused):
    """The submission was erased before the step could be saved."""

    def __init__(self) -> None:
        super().__init__("status", GONE)


def text_hash(text: str) -> str:
    """What the form keeps of the redacted text it showed: enough to tell it changed, not the text."""
    return hashlib.sha256(text.replace("\r\n", "\n").encode()).hexdigest()[:32]


@dataclass(frozen=True)
class Shown:
    """A submission's parts as a page showed them: status and reason, the text others see (hashed), the themes."""

    status: str
    hidden_reason: str | None
    redacted_hash: str
    theme_ids: frozenset[int]


def shown(session: orm.Session, submission: Submission) -> Shown:
    """The submission's parts as they are now (its themes in use, not archived ones)."""
    reason = submission.hidden_reason if submission.status == SubmissionStatus.HIDDEN else None
    return Shown(submission.status, reason, text_hash(submission.shown_body),
                 frozenset(tagging.current_themes(session, submission.id)))


class Conflict(Refused):
    """A part this person changed was changed by someone else since the page was opened; `now` is it today.

    `sentences` say so, one whole sentence for each part, so each can be said in the reader's language.
    """

    def __init__(self, parts: list[str], now: Shown, theme_names: list[str]) -> None:
        said = {"status": STATUS_NOW.get((now.status, now.hidden_reason),
                                         Sentence("Its status is now %(status)s.", status=now.status)),
                "redacted": REDACTED_NOW,
                "themes": (Sentence("Its themes are now: %(themes)s.", themes=", ".join(theme_names))
                           if theme_names else NO_THEMES_NOW)}
        self.sentences = [CHANGED_SINCE, *(said[p] for p in parts), CHECK_AND_SAVE]
        super().__init__(parts[0], CHANGED_SINCE)
        self.parts, self.now = parts, now

    def __str__(self) -> str:
        return " ".join(str(sentence) for sentence in self.sentences)


@dataclass(frozen=True)
class Decision:
    """What the facilitator chose (the themes, the redacted text, the status and its note) and what they saw."""

    theme_ids: list[int]
    redacted: str
    status: str
    hidden_reason: str | None = None
    note: str = ""
    shown: Shown | None = field(default=None)  # None: save every part as given (no page to compare with)

    def changed_parts(self) -> list[str]:
        """The parts this person changed from what the page showed, in the order they are saved."""
        if self.shown is None:
            return ["redacted", "themes", "status"]
        reason = self.hidden_reason if self.status == SubmissionStatus.HIDDEN else None
        parts = {"redacted": text_hash(self.redacted) != self.shown.redacted_hash,
                 "themes": frozenset(self.theme_ids) != self.shown.theme_ids,
                 "status": (self.status, reason) != (self.shown.status, self.shown.hidden_reason)}
        return [part for part, changed in parts.items() if changed]


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

    :returns: whether the status is to be saved (changed by this person, and different from now).
    :raises Refused: a theme not offered, a status change the desk would refuse (hiding without a
        reason, escalating without a note), or a note with no change of status to go with.
    """
    parts = decision.changed_parts()
    if "themes" in parts:
        try:
            tagging.live_themes(session, decision.theme_ids)
        except tagging.InvalidTagging as error:
            raise Refused("themes", error.args[0]) from None
    if "status" not in parts or not _changes_status(submission, decision):
        if decision.note:
            raise Refused("note", NOTE_WITHOUT_CHANGE)
        return False
    try:
        desk.check_change(decision.status, decision.hidden_reason, decision.note)
    except desk.InvalidModeration as error:
        # The form has checked the status and the note's length: what is left is the reason or the note.
        field = ("hidden_reason" if decision.status == SubmissionStatus.HIDDEN
                 else "note" if decision.status == SubmissionStatus.ESCALATED else "status")
        raise Refused(field, error.args[0]) from None
    return True


def _check_unchanged(session: orm.Session, submission: Submission, decision: Decision) -> None:
    """Refuse when someone else changed, since the page was opened, a part this person changed too."""
    if decision.shown is None:
        return
    now = shown(session, submission)
    parts = [p for p in decision.changed_parts() if getattr(now, _SHOWN[p]) != getattr(decision.shown, _SHOWN[p])
             or (p == "status" and now.hidden_reason != decision.shown.hidden_reason)]
    if parts:
        names = sorted(tagging.current_themes(session, submission.id).values())
        raise Conflict(parts, now, names)


_SHOWN = {"redacted": "redacted_hash", "themes": "theme_ids", "status": "status"}


def save(session: orm.Session, submission: Submission, decision: Decision, *, by: audit.Actor,
         now: datetime) -> Outcome:
    """Check the decision, then save the parts this person changed (redaction, themes, status) in one write.

    :raises Conflict: someone else changed one of those parts since the page was opened (nothing saved).
    :raises Gone: the submission was erased (nothing saved).
    :raises Refused: see check(); or the redaction is too long (nothing saved).
    """
    submission_id: uuid.UUID = submission.id
    parts = decision.changed_parts()
    if len(decision.redacted) > desk.REDACTED_MAX and "redacted" in parts:
        raise Refused("redacted", desk.REDACTED_TOO_LONG)
    with writing(session):
        locked = session.get(Submission, submission_id, with_for_update=True, populate_existing=True)
        if locked is None:
            raise Gone()
        _check_unchanged(session, locked, decision)
        status_changes = check(session, locked, decision)
        redacted = "redacted" in parts and desk.redact_in_write(session, locked, decision.redacted, by=by, now=now)
        themes = tagging.Change([], [])
        if "themes" in parts:
            try:
                themes = tagging.set_themes_in_write(session, submission_id, decision.theme_ids, by=by, now=now)
            except tagging.InvalidTagging as error:
                raise Refused("themes", error.args[0]) from None
        changed = 0
        if status_changes:
            try:
                changed = desk.change_status_in_write(session, [submission_id], decision.status,
                                                      hidden_reason=decision.hidden_reason, note=decision.note,
                                                      by=by, now=now)
            except desk.InvalidModeration as error:
                raise Refused("status", error.args[0]) from None
    return Outcome(themes, bool(redacted), bool(changed))
