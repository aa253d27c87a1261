"""The action plan in public, no login: the plan, each action with its timeline, the feed, response pages."""

from __future__ import annotations

from dataclasses import replace

from flask import Blueprint, Response, abort, current_app, render_template, request, url_for
from flask_babel import lazy_gettext
from flask_limiter.errors import RateLimitExceeded
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import NotFound

from feedback import clock, crypto, keyring
from feedback.db import get_db
from feedback.errors import render_error
from feedback.forms.answers import HelpForm
from feedback.forms.public import SubmissionForm
from feedback.i18n import current_language, explain, translated
from feedback.services.actions import answers, progress, public
from feedback.services.intake import submitting
from feedback.views import public as public_views

bp = Blueprint("plan", __name__)

FEED_TITLE = lazy_gettext("Town Hall Feedback: updates on the action plan")
FEEDBACK_LABEL = lazy_gettext("What do you think of this action?")
HELP_SENT = lazy_gettext("Thank you: your answer was stored, without your name, address or the date.")
ALREADY_SENT = lazy_gettext("This form had already sent an answer, so nothing was changed. Thank you for it.")
INCOMPLETE = lazy_gettext("This form was incomplete, so your answer was not stored. It is kept below: press Send "
                          "again.")
NOT_SENT = lazy_gettext("Your feedback could not be sent. Please check it and press Send again.")
UNAVAILABLE = lazy_gettext("We could not save your feedback just now, and nothing was stored. Your text is below: "
                           "press Send again in a moment.")
TOKEN_REUSED = lazy_gettext("This form was already used to send feedback. Your new text is below: press Send to "
                            "send it as new feedback.")
ANSWERS_TOO_FAST = lazy_gettext("You have sent several answers in a short time. Please wait a few minutes, then "
                                "press Send again. Your answer is kept below.")
FEEDBACK_TOO_FAST = lazy_gettext("You have sent several concerns in a short time. Please wait a few minutes, then "
                                 "press Send again. Your text is kept below.")
ANSWER_EXPIRED = lazy_gettext("This page had been open too long, so the form expired. Your answer is kept below: "
                              "press Send again.")
FEEDBACK_EXPIRED = lazy_gettext("This page had been open too long, so the form expired. Your text is kept below: "
                                "press Send again.")


def _known() -> dict[str, progress.Status]:
    return progress.statuses(current_app.config["ACTION_STATUSES"])


@bp.get("/plan")
def index():
    return render_template("plan/index.html", groups=public.plan(get_db(), clock.today(), _known()))


def _form() -> SubmissionForm:
    form = public_views._form()  # the town hall's own form: same fields, same validation
    form.comment.label.text = FEEDBACK_LABEL
    if form.form_token.errors or not form.form_token.data:
        form.form_token.data = crypto.new_form_token()
    return form


@bp.get("/plan/<int:action_id>")
def action(action_id: int):
    page = public.action_page(get_db(), action_id, clock.today(), _known()) or abort(404)
    help_form = HelpForm(formdata=None)
    help_form.fresh_token()
    return render_template("plan/action.html", page=page, form=_form(), help_form=help_form)


def _help_page(action: public.PublicAction, form: HelpForm | None, status: int, notice: str | None = None):
    """A short page: the question again with what they chose and wrote, or (form None) the thanks."""
    if form is not None:
        form.fresh_token()  # a form sent without one (not this app's) gets one; sent back, it keeps its own
    return render_template("plan/helped.html", action=action, help_form=form, notice=notice), status


NO_LONGER_ASKED = lazy_gettext("This action is not, or no longer, asking “Did this help?”, so nothing was stored. "
                               "Your comment is below, so you can copy it.")


def _not_asked(action_id: int, comment: str | None):
    """The action stopped being done (or was unpublished) while the question was open: keep what they wrote."""
    back = url_for("plan.action", action_id=action_id) if public.action_page(
        get_db(), action_id, clock.today(), _known()) else url_for("plan.index")
    return render_template("receipts/not_sent.html", notice=NO_LONGER_ASKED, text=comment, back=back), 404


@bp.post("/plan/<int:action_id>/did-this-help")
def did_this_help(action_id: int):
    form = HelpForm()
    page = public.action_page(get_db(), action_id, clock.today(), _known())
    if page is None or page.action.status != progress.DONE:
        return _not_asked(action_id, form.help_comment.data)
    done = page.action
    if not form.validate():
        return _help_page(done, form, 422)
    if not form.form_token.data:  # not a form this app made: shown back with a token of its own
        return _help_page(done, form, 422, INCOMPLETE)
    try:
        # A repeat of this form (a double click) stores nothing more and is thanked the same.
        answers.give(get_db(), action_id, form.helped.data, form.help_comment.data, today=clock.today(),
                     form_token=form.form_token.data)
    except answers.NotAskable:
        return _not_asked(action_id, form.help_comment.data)
    except answers.AlreadyAnswered:  # this form sent a different answer before (the back button, then Send)
        return _help_page(done, None, 409, ALREADY_SENT)
    return _help_page(done, None, 200, HELP_SENT)


def _refused(action_id: int, form: SubmissionForm, status: int, notice: str | None = None):
    """A short page with the feedback form and what they typed (not the whole action: its size is fixed)."""
    page = public.action_page(get_db(), action_id, clock.today(), _known()) or abort(404)
    if form.form_token.errors or not form.form_token.data:
        form.form_token.data = crypto.new_form_token()
    return render_template("plan/feedback.html", action=page.action, form=form, notice=notice), status


@bp.post("/plan/<int:action_id>/feedback")
def feedback(action_id: int):
    hall = public.feedback_town_hall(get_db(), action_id) or abort(404)
    form = _form()
    if form.leave_empty.data:
        form.leave_empty.data = ""
        return _refused(action_id, form, 400, NOT_SENT)
    if not form.validate():
        return _refused(action_id, form, 422)
    new = replace(public_views._new_submission(form), action_id=action_id)
    try:
        receipt = submitting.submit(get_db(), keyring.current(), hall.slug, form.form_token.data, new, clock.today())
    except (submitting.NoSuchTownHall, submitting.NoSuchAction):
        abort(404)
    except submitting.IntakeUnavailable:
        return _refused(action_id, form, 503, UNAVAILABLE)
    except submitting.FormTokenReused:
        form.form_token.data = crypto.new_form_token()
        return _refused(action_id, form, 409, TOKEN_REUSED)
    return render_template("receipts/issued.html", receipt=receipt)


def _kept(notice: str, status: int):
    """Refused before the view ran (rate limit, expired form): the feedback form again, with the text."""
    action_id = (request.view_args or {}).get("action_id", 0)
    if public.action_page(get_db(), action_id, clock.today(), _known()) is None:
        return render_error(NotFound())  # inside an error handler: return, don't raise
    form = _form()
    form.validate()  # runs the filters, so the text shown back is what would be stored
    for field in form:
        field.errors = []
    return _refused(action_id, form, status, notice)


def _help_kept(notice: str, status: int):
    """Refused before the view ran: the question again, with what they chose and wrote."""
    page = public.action_page(get_db(), (request.view_args or {}).get("action_id", 0), clock.today(), _known())
    if page is None or page.action.status != progress.DONE:
        return render_error(NotFound())  # inside an error handler: return, don't raise
    form = HelpForm()
    form.validate()  # runs the filters, so the comment shown back is what would be stored
    for field in form:
        field.errors = []
    return _help_page(page.action, form, status, notice)


@bp.errorhandler(RateLimitExceeded)
def too_many(error: RateLimitExceeded):
    if request.endpoint == "plan.did_this_help":
        return _help_kept(ANSWERS_TOO_FAST, 429)
    if request.endpoint != "plan.feedback":
        return render_error(error)
    return _kept(FEEDBACK_TOO_FAST, 429)


@bp.errorhandler(CSRFError)
def form_expired(error: CSRFError):
    if request.endpoint == "plan.did_this_help":
        return _help_kept(ANSWER_EXPIRED, 400)
    if request.endpoint != "plan.feedback":
        return render_error(error)
    return _kept(FEEDBACK_EXPIRED, 400)


@bp.get("/plan/feed.atom")
def feed():
    """The feed in the reader's language: its title, fixed words and status labels (the updates as written)."""
    updates = [replace(u, status_label=translated(u.status_label)) if u.status_label else u
               for u in public.published_updates(get_db(), clock.today(), _known())]
    body = public.atom(updates, title=str(FEED_TITLE), feed_url=url_for(".feed", _external=True),
                       plan_url=url_for(".index", _external=True),
                       action_url=lambda i: url_for(".action", action_id=i, _external=True), today=clock.today(),
                       say=explain, language=current_language())
    return Response(body, mimetype="application/atom+xml")


@bp.get("/t/<slug>/response")
def response(slug: str):
    config = current_app.config
    page = public.response(get_db(), slug, clock.today(), _known(), k=config["SUMMARY_K"],
                           affiliations=list(config["AFFILIATIONS"])) or abort(404)
    return render_template("plan/response.html", page=page)
