"""The audience's pages of a live session (phone first, no login): join by event code, ask a question, see the
approved ones and say "me too"; the feed the page's script polls; the QR code to the page.

A question is asked with the town hall's own form (anonymous by default, or named) and gets the same receipt.
Every refusal keeps the typed question. Votes need the browser's signed cookie, which only the page sets.
"""

from __future__ import annotations

import io
import uuid

import segno
from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    jsonify,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext, lazy_gettext
from flask_limiter.errors import RateLimitExceeded
from flask_wtf.csrf import CSRFError
from sqlalchemy import exc

from feedback import clock, crypto, keyring, live_http
from feedback.db import get_db
from feedback.errors import render_error
from feedback.forms.public import SubmissionForm
from feedback.i18n import explain
from feedback.models import LiveSession
from feedback.services.intake import submitting
from feedback.services.live import feed as live_feed
from feedback.services.live import questions, sessions, votes
from feedback.views import public as public_views

bp = Blueprint("live", __name__, url_prefix="/live")

QUESTION_LABEL = lazy_gettext("Your question")
UNKNOWN_CODE = lazy_gettext("No live session is running with that code. Check the code on the screen and type it "
                            "again.")
NO_CODE = lazy_gettext("Type the event code shown on the screen.")
GUESSING = lazy_gettext("Many event codes that are not running were tried from your network just now, so no code "
                        "can be opened for a minute. Wait a minute, then type the code shown on the screen again.")
NOT_RUNNING_TITLE = lazy_gettext("This live session is not running")
NOT_RUNNING = lazy_gettext("This live session is not running: it has ended, or the code is not right.")
REOPEN = lazy_gettext("Your “me too” could not be counted: open the page again, then press Me too.")
VOTED = lazy_gettext("You said “me too”.")
MANY_PHONES = lazy_gettext("Very many phones on your network opened this page at once, so your “me too” could not "
                           "be counted yet. Nothing is lost: wait a few minutes, open the page again, then press Me "
                           "too.")
MANY_VOTES = lazy_gettext("Many “me too”s came from your network at once. Wait a minute, then try again.")
RATE = lazy_gettext("Many people on your network are sending at once. Please wait a minute, then press Send again. "
                    "Your text is kept below.")
SENT_TWICE = lazy_gettext("This form was already used to send a question. Your new text is below: press Send to "
                          "send it as another question.")
UNAVAILABLE = lazy_gettext("We could not save your question just now, and nothing was stored. Your text is below: "
                           "press Send again in a moment.")
EXPIRED = lazy_gettext("This page had been open too long, so the form expired. Your text is kept below: press Send "
                       "again.")
INCOMPLETE = lazy_gettext("Your question could not be sent. Please check it and press Send again.")


def _form() -> SubmissionForm:
    form = public_views._form()  # the town hall's own form: same fields, same validation, same identity choice
    form.comment.label.text = QUESTION_LABEL
    if form.form_token.errors or not form.form_token.data:
        form.form_token.data = crypto.new_form_token()
    return form


def _running(code: str) -> LiveSession | None:
    return sessions.running(get_db(), code)


class _GuessingCodes(Exception):
    """This network looked up too many codes that are not running (LIVE_CODE_MISS_RATE_LIMIT)."""

    def __init__(self, typed: str) -> None:
        super().__init__(typed)
        self.typed = typed


def _looked_up(code: str, typed: str | None = None) -> LiveSession | None:
    """The running session of a code someone opened or typed; a code that is not running counts as a miss of this
    network, and over LIVE_CODE_MISS_RATE_LIMIT a miss is refused. A running code is always served: a whole room
    shares one address, and one guesser in it must not stop every phone's page. Guessing gains nothing from
    that: it is the rate of misses that the limit holds (60 a minute against some 887 million codes).

    :raises _GuessingCodes: a miss over the limit (the code as typed, to show back).
    """
    live_session = _running(code)
    if live_session is None and live_http.network_over_limit("LIVE_CODE_MISS_RATE_LIMIT"):
        raise _GuessingCodes(code if typed is None else typed)
    return live_session


def _not_running(kept: str | None = None, title: str = NOT_RUNNING_TITLE, message: str = NOT_RUNNING,
                 status: int = 404):
    """The plain page of a session that is not running (or cannot be read); a question typed for it is shown."""
    return render_template("live/not_running.html", title=title, message=message, kept=kept), status


def _voted(live_session: LiveSession, shown: live_feed.Feed, secret: str) -> set[uuid.UUID]:
    """The questions on the page this browser said "me too" to: one IN query on their voter keys."""
    ring = keyring.current()
    items = [item for item in [shown.on_screen, *shown.queue, *shown.answered] if item is not None]
    return votes.voted(get_db(), [crypto.live_voter_key(ring, secret, item.submission_id) for item in items])


def _page(live_session: LiveSession, form: SubmissionForm, status: int = 200, notice: str | None = None):
    """The audience page, its ask form as given (filled in after a refusal), and the browser's voter cookie: a new
    one only while the network is under LIVE_VOTER_RATE_LIMIT (a script minting cookies to vote gets none)."""
    secret, new = live_http.voter_secret_or_new()
    if new and live_http.network_over_limit("LIVE_VOTER_RATE_LIMIT"):
        new = False  # the page all the same, without a cookie: pressing Me too says to try again later
    shown = live_feed.audience(get_db(), live_session)
    page = render_template("live/audience.html", live=shown, form=form, notice=notice,
                           voted=set() if new else _voted(live_session, shown, secret),
                           every=current_app.config["LIVE_POLL_SECONDS"], refresh=not form.comment.data)
    response = make_response(page, status)
    if new:
        live_http.set_voter_cookie(response, secret)
    return response


@bp.get("")
def join():
    typed = request.args.get("code")
    if typed is None:
        return render_template("live/join.html", typed="", message=None)
    code = sessions.normalise_code(typed)
    if code and _looked_up(code, typed) is not None:
        return redirect(url_for("live.audience", code=code))
    return render_template("live/join.html", typed=typed, message=UNKNOWN_CODE if code else NO_CODE), 404


@bp.get("/<code>")
def audience(code: str):
    if sessions.normalise_code(code) != code:
        if not sessions.normalise_code(code):
            return _not_running()
        return redirect(url_for("live.audience", code=sessions.normalise_code(code)))
    live_session = _looked_up(code)
    if live_session is None:
        return _not_running()
    return _page(live_session, _form())


def _again(code: str, form: SubmissionForm, status: int, notice: str | None = None):
    """The audience page with the question as typed after a refusal, or the not-running page that shows it."""
    try:
        live_session = _running(code)
        if live_session is not None:
            return _page(live_session, form, status, notice)
    except exc.DBAPIError:  # the database is down: the question comes back all the same
        get_db().rollback()
        return _not_running(form.comment.data, gettext("Your question was not sent"), notice or UNAVAILABLE, status)
    return _not_running(form.comment.data)


@bp.post("/<code>/ask")
def ask(code: str):
    form = _form()
    if form.leave_empty.data:
        form.leave_empty.data = ""  # almost always a bot; a person's form filler keeps the text
        return _again(code, form, 400, INCOMPLETE)
    if not form.validate():
        return _again(code, form, 422)
    try:
        # No read before the write: questions.ask finds the running session and stores the question at once.
        receipt = questions.ask(get_db(), keyring.current(), code, form.form_token.data,
                                public_views._new_submission(form), clock.today())
    except sessions.NoSuchLiveSession:
        return _not_running(form.comment.data)
    except submitting.IntakeUnavailable:
        return _again(code, form, 503, UNAVAILABLE)
    except submitting.FormTokenReused:
        form.form_token.data = crypto.new_form_token()
        return _again(code, form, 409, SENT_TWICE)
    return render_template("live/receipt.html", receipt=receipt, code=code)


def _vote_answer(message: str, status: int, code: str, submission_id: uuid.UUID, *, counted: bool = False):
    """A vote's answer: JSON to the page's script, else (no JavaScript) back to the question, or an error page."""
    message = str(message)  # in the reader's language now: a lazy string would be kept lazy in the flash cookie
    if request.accept_mimetypes.best == "application/json":
        return jsonify(message=message, counted=counted), status
    if status >= 400:
        return render_template("live/refused.html", message=message, code=code), status
    flash(message)
    return redirect(url_for("live.audience", code=code, _anchor=f"q-{submission_id}"), 303)


def _burst(submission_id: uuid.UUID) -> bool:
    """True when this vote is one too many for the question in LIVE_VOTE_BURST: the limiter's storage counts."""
    return live_http.over_limit(current_app.config["LIVE_VOTE_BURST"], "live-vote-burst", str(submission_id))


@bp.post("/<code>/q/<uuid:submission_id>/vote")
def vote(code: str, submission_id: uuid.UUID):
    live_session = _running(code)
    if live_session is None:
        return _vote_answer(NOT_RUNNING, 404, code, submission_id)
    secret = live_http.voter_secret()
    if secret is None:
        if live_http.network_over_limit("LIVE_VOTER_RATE_LIMIT", count=False):
            return _vote_answer(MANY_PHONES, 429, code, submission_id)  # the page came without a cookie
        return _vote_answer(REOPEN, 400, code, submission_id)
    key = crypto.live_voter_key(keyring.current(), secret, submission_id)
    try:
        votes.vote(get_db(), live_session.id, submission_id, key, burst=_burst)
    except sessions.NoSuchLiveSession:
        return _vote_answer(NOT_RUNNING, 404, code, submission_id)
    except sessions.LiveError as refused:
        return _vote_answer(explain(refused), 409, code, submission_id)
    # Counted or said before by this browser: the same answer, byte for byte, so its size tells the network nothing
    # (the page's count comes with the next poll of the feed).
    return _vote_answer(VOTED, 200, code, submission_id, counted=True)


def _render_feed(live_session: LiveSession) -> tuple[int, str]:
    shown = live_feed.audience(get_db(), live_session)
    return shown.version, render_template("live/_feed.html", live=shown, voted=set(), with_csrf=False)


@bp.get("/<code>/feed")
def feed(code: str):
    live_session = _looked_up(code)
    if live_session is None:
        return _not_running()
    return live_http.feed_response("audience", live_session.id, live_session.version,
                                   lambda: _render_feed(live_session), code=code)


@bp.get("/<code>/qr.svg")
def qr(code: str):
    live_session = _looked_up(code)
    if live_session is None:
        abort(404)
    out = io.BytesIO()
    address = url_for("live.audience", code=live_session.code, _external=True)
    segno.make(address, error="m").save(out, kind="svg", scale=8, border=2, xmldecl=False,
                                         title=gettext("QR code for %(url)s", url=address))
    return Response(out.getvalue(), mimetype="image/svg+xml")


def _question_refused(notice: str, status: int):
    """The audience page again, the question kept, after a refusal that came before the view ran."""
    form = _form()
    form.validate()  # runs the filters, so the text shown back is what would be stored
    for field in form:
        field.errors = []
    return _again((request.view_args or {}).get("code", ""), form, status, notice)


@bp.errorhandler(RateLimitExceeded)
def too_many(_error):
    if request.endpoint == "live.vote":
        submission_id = (request.view_args or {}).get("submission_id", uuid.UUID(int=0))
        return _vote_answer(MANY_VOTES, 429, (request.view_args or {}).get("code", ""), submission_id)
    return _question_refused(RATE, 429)


@bp.errorhandler(_GuessingCodes)
def guessing_codes(error: _GuessingCodes):
    return render_template("live/join.html", typed=error.typed, message=GUESSING), 429


@bp.errorhandler(CSRFError)
def form_expired(error: CSRFError):
    if request.endpoint == "live.vote":
        return _vote_answer(REOPEN, 400, (request.view_args or {}).get("code", ""),
                            (request.view_args or {}).get("submission_id", uuid.UUID(int=0)))
    if request.endpoint != "live.ask":
        return render_error(error)
    return _question_refused(EXPIRED, 400)
