"""The moderator's side of a live session: start and end it, the presenter link, and the question queue
(approve with redaction, dismiss, merge, reorder, show on screen, answered, a note to the presenter).

Every POST redirects back to the town hall's live page with what happened in words; a refused form comes
back on that page as typed. The presenter link's token is shown once, in the response to the POST that made
it (never in a URL or a flash message, which could be logged or kept), as the escrow shows an identity.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext, ngettext
from flask_wtf import FlaskForm

from feedback import audit, auth, clock, live_http
from feedback.auth import MODERATORS, roles
from feedback.db import get_db
from feedback.forms.desk import HIDDEN_REASON_LABELS
from feedback.forms.live_staff import ACTION_FORMS, ApproveForm, ButtonForm, DismissForm, MergeForm, NoteForm, form_for
from feedback.i18n import explain
from feedback.models import HiddenReason, LiveQuestion, LiveSession, TownHall
from feedback.services.live import feed, questions, sessions
from feedback.services.moderation import desk as moderation
from feedback.services.text import excerpt
from feedback.services.themes import duplicates

bp = Blueprint("live_staff", __name__, url_prefix="/facilitate/live")

ACTIONS = ("approve", "dismiss", "merge", "up", "down", "show", "answered", "note", "check-votes", "discard-votes")
QUEUE_KIND = "queue"
MERGE_LABEL_CHARS = 90


@dataclass(frozen=True)
class Failed:
    """A refused action's form, to show again as typed next to its question."""

    submission_id: uuid.UUID
    action: str
    form: FlaskForm

    def of(self, submission_id: uuid.UUID, action: str) -> FlaskForm | None:
        """The refused form, if it was this action on this question."""
        return self.form if (submission_id, action) == (self.submission_id, self.action) else None


def _town_hall(slug: str) -> TownHall:
    return moderation.town_hall(get_db(), slug) or abort(404)


def _live(live_id: int) -> LiveSession:
    return get_db().get(LiveSession, live_id) or abort(404)


def _hall_of(live: LiveSession) -> TownHall:
    return get_db().get(TownHall, live.town_hall_id) or abort(404)


def _back(hall: TownHall):
    return redirect(url_for("live_staff.index", slug=hall.slug))


def merge_choices(queue: feed.Queue, item: feed.Item) -> list[tuple[str, str]]:
    """What a pending question can be merged into: its near-duplicates first, then the session's other questions."""
    others = [queue.on_screen] if queue.on_screen else []
    others += queue.approved + queue.pending
    by_id = {other.submission_id: other for other in others if other.submission_id != item.submission_id}
    similar = [i for i in queue.similar.get(item.submission_id, []) if i in by_id]
    rest = [i for i in by_id if i not in similar]
    return ([(str(i), gettext("Near-duplicate: %(text)s", text=excerpt(by_id[i].text, MERGE_LABEL_CHARS)))
             for i in similar]
            + [(str(i), excerpt(by_id[i].text, MERGE_LABEL_CHARS)) for i in rest])


def _find(queue: feed.Queue, submission_id: uuid.UUID) -> feed.Item | None:
    everyone = [queue.on_screen] if queue.on_screen else []
    everyone += queue.pending + queue.approved + queue.answered + queue.dismissed
    everyone += [item for item, _into in queue.merged]
    return next((item for item in everyone if item.submission_id == submission_id), None)


def _panel(queue: feed.Queue, submission_id: uuid.UUID, failed: Failed | None) -> dict:
    """One question's forms that need typing or choosing, outside the polled region (which a vote refreshes)."""
    item = _find(queue, submission_id)
    if item is None:
        return {"chosen": None, "chosen_gone": True}
    forms: dict[str, FlaskForm] = {"approve": ApproveForm(formdata=None, redacted=item.text, shown=item.text),
                                   "dismiss": DismissForm(formdata=None), "merge": MergeForm(formdata=None),
                                   "note": NoteForm(formdata=None, note=item.note)}
    if failed is not None:
        forms[failed.action] = failed.form
    merge = forms["merge"]
    assert isinstance(merge, MergeForm)
    merge.into.choices = [("", gettext("Choose the question it repeats")), *merge_choices(queue, item)]
    return {"chosen": item, "panel": forms}


def _context(hall: TownHall, live: LiveSession | None, failed: Failed | None = None,
             chosen: uuid.UUID | None = None) -> dict:
    """What the live page and its queue region show: the queue of a running session only, and the panel of the
    question chosen (or of the one whose form was refused)."""
    running = live is not None and live.state == sessions.RUNNING
    queue = feed.moderator(get_db(), live) if live and running else None
    context = {"town_hall": hall, "live": live, "queue": queue, "failed": failed, "chosen": None,
               "form": failed.form if failed else None, "button_form": ButtonForm(formdata=None)}
    if failed is not None and failed.action in ACTION_FORMS:
        chosen = failed.submission_id
    if queue is not None and chosen is not None:
        context.update(_panel(queue, chosen, failed))
    return context


def live_page(hall: TownHall, *, failed: Failed | None = None, presenter_url: str | None = None,
              status: int = 200):
    """The town hall's live page; a refused form comes back in its question's panel, as typed."""
    live = sessions.for_town_hall(get_db(), hall.id)
    chosen = request.args.get("q", type=_uuid_or_none)
    return render_template("live_staff/index.html", presenter_url=presenter_url,
                           **_context(hall, live, failed, chosen)), status


def _uuid_or_none(value: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(value)
    except ValueError:
        return None


@bp.get("/<slug>")
@roles(*MODERATORS)
def index(slug: str):
    return live_page(_town_hall(slug))


@bp.post("/<slug>/start")
@roles(*MODERATORS)
def start(slug: str):
    hall = _town_hall(slug)
    if not ButtonForm().validate_on_submit():
        abort(400)
    try:
        live = sessions.start(get_db(), hall.id, by=auth.staff().actor, now=clock.now())
    except sessions.LiveError as error:
        flash(explain(error), "error")
        return _back(hall)
    flash(gettext("The live session has started. The event code is %(code)s: show it to the room, or make a "
                  "presenter link for the screen.", code=live.code))
    return _back(hall)


@bp.post("/<int:live_id>/end")
@roles(*MODERATORS)
def end(live_id: int):
    live = _live(live_id)
    hall = _hall_of(live)
    if not ButtonForm().validate_on_submit():
        abort(400)
    try:
        sessions.end(get_db(), live.id, by=auth.staff().actor, now=clock.now())
    except sessions.LiveError as error:
        flash(explain(error), "error")
        return _back(hall)
    flash(gettext("The live session has ended: the room can no longer ask or vote, and the presenter link stops "
                  "working. Its questions stay on the moderation desk with their status."))
    return _back(hall)


@bp.get("/<int:live_id>/feed")
@roles(*MODERATORS)
def queue_feed(live_id: int):
    """The queue region with its forms, for the page's script: per moderator (CSRF tokens), so never shared."""
    db = get_db()
    version = sessions.version(db, live_id)
    if version is None:
        abort(404)
    unchanged = live_http.not_modified(live_http.etag(QUEUE_KIND, live_id, version))
    if unchanged is not None:
        return unchanged
    live = _live(live_id)
    context = _context(_hall_of(live), live)  # an ended session's region says so (its page may still be polling)
    # Not live_http.feed_response: its fragments are shared by everyone, and this one holds the moderator's forms.
    response = Response(render_template("live_staff/_queue.html", **context), mimetype="text/html")
    queue = context["queue"]
    response.headers["ETag"] = live_http.etag(QUEUE_KIND, live_id, queue.version if queue else version)
    return response


@bp.get("/<int:live_id>/print")
@roles(*MODERATORS)
def print_code(live_id: int):
    live = _live(live_id)
    if live.state != sessions.RUNNING:
        abort(404)
    return render_template("live_staff/print.html", live=live, town_hall=_hall_of(live))


@bp.post("/<int:live_id>/presenter-link")
@roles(*MODERATORS)
def presenter_link(live_id: int):
    """Make a new presenter link and show it once, in this response only."""
    live = _live(live_id)
    hall = _hall_of(live)
    if not ButtonForm().validate_on_submit():
        abort(400)
    try:
        token = sessions.new_presenter_link(get_db(), live.id, by=auth.staff().actor, now=clock.now())
    except sessions.LiveError as error:
        flash(explain(error), "error")
        return _back(hall)
    return live_page(hall, presenter_url=url_for("presenter.screen", token=token, _external=True))


@bp.post("/<int:live_id>/presenter-link/revoke")
@roles(*MODERATORS)
def revoke_presenter_link(live_id: int):
    live = _live(live_id)
    hall = _hall_of(live)
    if not ButtonForm().validate_on_submit():
        abort(400)
    try:
        sessions.revoke_presenter_link(get_db(), live.id, by=auth.staff().actor, now=clock.now())
    except sessions.LiveError as error:
        flash(explain(error), "error")
        return _back(hall)
    flash(gettext("The presenter link no longer works. Make a new one to open the presenter screen again."))
    return _back(hall)


@bp.post("/q/<uuid:submission_id>/<any(" + ", ".join(f'"{a}"' for a in ACTIONS) + "):action>")
@roles(*MODERATORS)
def act(submission_id: uuid.UUID, action: str):
    """One button of the queue on one question; then the live page again, saying what changed."""
    question = get_db().get(LiveQuestion, submission_id) or abort(404)
    hall = _hall_of(_live(question.live_session_id))
    form = form_for(action)
    if not form.validate_on_submit():
        if "csrf_token" in form.errors:
            abort(400)
        return live_page(hall, failed=Failed(submission_id, action, form), status=422)
    try:
        said = _do(action, submission_id, form)
    except sessions.LiveError as error:
        # Most often a colleague got there first (approved, dismissed or merged it): say so, keep what was typed.
        flash(explain(error), "error")
        return live_page(hall, failed=Failed(submission_id, action, form), status=409)
    flash(said)
    return _back(hall)


def _do(action: str, submission_id: uuid.UUID, form: FlaskForm) -> str:
    """Make the change; what happened, in words."""
    db, by, now = get_db(), auth.staff().actor, clock.now()
    if isinstance(form, ApproveForm):
        redacted = form.redacted_body()
        questions.approve(db, submission_id, redacted_body=redacted, by=by, now=now)
        return (gettext("Approved with your redaction: the room sees only the redacted text.") if redacted is not None
                else gettext("Approved: the question is at the end of the queue, and the room sees it."))
    if isinstance(form, DismissForm):
        questions.dismiss(db, submission_id, reason=form.reason.data, by=by, now=now)
        return gettext("Dismissed (%(reason)s): it is hidden on the desk too.", reason=_reason_label(form.reason.data))
    if isinstance(form, MergeForm):
        questions.merge(db, submission_id, form.into_id, by=by, now=now)
        size = duplicates.group_sizes(db, [form.into_id])[form.into_id]
        return ngettext("Merged: the question it was merged into is now raised by %(num)s.",
                        "Merged: the question it was merged into is now raised by %(num)s.", size)
    if isinstance(form, NoteForm):
        questions.set_note(db, submission_id, form.note.data or "", by=by, now=now)
        return gettext("Note saved: the presenter sees it.") if form.note.data else gettext("Note removed.")
    return _press(action, submission_id, by=by, now=now)


def _press(action: str, submission_id: uuid.UUID, *, by: audit.Actor, now: datetime) -> str:
    """The buttons without a form of their own: up, down, show, answered, check-votes, discard-votes."""
    db = get_db()
    if action in ("up", "down"):
        questions.move(db, submission_id, up=action == "up", by=by, now=now)
        return gettext("Moved up the queue.") if action == "up" else gettext("Moved down the queue.")
    if action == "show":
        questions.show(db, submission_id, by=by, now=now)
        return gettext("On screen now. A question shown before it is marked answered.")
    if action == "answered":
        questions.mark_answered(db, submission_id, by=by, now=now)
        return gettext("Marked answered: it left the queue.")
    if action == "discard-votes":
        questions.check_votes(db, submission_id, keep=False, by=by, now=now)
        return gettext("Held votes discarded: the flag is gone, and the count is back to the votes from before the "
                       "burst. New votes count as usual.")
    questions.check_votes(db, submission_id, keep=True, by=by, now=now)
    return gettext("Held votes counted: the flag is gone and every vote counts.")


def _reason_label(reason: str) -> str:
    """A dismissal reason as the desk names it, in the reader's language, within a sentence ("off topic")."""
    return str(HIDDEN_REASON_LABELS[HiddenReason(reason)]).lower()  # the form checked it is one of them
