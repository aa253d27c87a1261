"""Public pages: the list of town halls (open, upcoming, recently closed) and each town hall's submission form."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, render_template, request
from flask_babel import gettext, lazy_gettext
from flask_limiter.errors import RateLimitExceeded
from flask_wtf.csrf import CSRFError
from sqlalchemy import exc
from werkzeug.exceptions import NotFound

from feedback import clock, crypto, keyring
from feedback.db import get_db
from feedback.errors import render_error
from feedback.forms.public import SubmissionForm
from feedback.i18n import current_language
from feedback.services.intake import submitting, town_halls

bp = Blueprint("public", __name__)

CLOSED_MESSAGES = {
    "upcoming": lazy_gettext("This town hall is not taking input yet. Your text is below; keep a copy and send it once "
                             "it opens."),
    "closed": lazy_gettext("This town hall has stopped taking input. Your text is below so you can keep a copy."),
}


@bp.get("/")
def index():
    return render_template("public/index.html", listing=town_halls.home_listing(get_db(), clock.today()))


def _form() -> SubmissionForm:
    return SubmissionForm(affiliations=current_app.config["AFFILIATIONS"])


def _new_submission(form: SubmissionForm) -> submitting.NewSubmission:
    """What the form sent, in the language of the page it was written on (the form's, a live question's and
    feedback on an action alike: live and plan make theirs here)."""
    identity = None
    if form.is_named:
        identity = crypto.Identity(name=form.name.data, email=form.email.data or "", contact_ok=form.contact_ok.data)
    return submitting.NewSubmission(body=form.comment.data, affiliation=form.affiliation.data or None,
                                    identity=identity, language=current_language())


def render_form(town_hall, form: SubmissionForm, status: int = 200, notice: str | None = None):
    """The town hall page with its form, keeping whatever the person typed; a fresh token if needed.

    town_hall is None when it could not be read (see _town_hall_if_reachable): the form comes back all the same.
    """
    if form.form_token.errors or not form.form_token.data:
        form.form_token.data = crypto.new_form_token()
    page = render_template(
        "public/town_hall.html",
        town_hall=town_hall,
        state=town_hall.intake_state(clock.today()) if town_hall else "open",
        form=form,
        notice=notice,
    )
    return page, status


def _town_hall_or_404(slug: str):
    return town_halls.find_town_hall(get_db(), slug) or abort(404)


def _town_hall_if_reachable(slug: str):
    """The town hall to show the kept text with after a refusal: None if it cannot be read (the database
    is down, or it was archived a moment ago), and the form comes back all the same."""
    try:
        return town_halls.find_town_hall(get_db(), slug)
    except exc.DBAPIError:
        get_db().rollback()
        return None


@bp.route("/t/<slug>", methods=["GET", "POST"])
def town_hall(slug: str):
    form = _form()
    if request.method == "GET" or not form.is_submitted():
        return render_form(_town_hall_or_404(slug), form)
    if form.leave_empty.data:
        # Almost always a bot; if a person's form filler did it, they still keep their text.
        form.leave_empty.data = ""
        return render_form(_town_hall_or_404(slug), form, 400,
                           gettext("Your concern could not be sent. Please check it and press Send again."))
    if not form.validate():
        return render_form(_town_hall_or_404(slug), form, 422)
    try:
        # One transaction finds the town hall and stores the submission: no read before the write.
        receipt = submitting.submit(get_db(), keyring.current(), slug, form.form_token.data, _new_submission(form),
                                clock.today())
    except submitting.NoSuchTownHall:
        abort(404)
    except submitting.IntakeClosed as closed:
        return render_form(_town_hall_if_reachable(slug), form, 403, CLOSED_MESSAGES[closed.state])
    except submitting.IntakeUnavailable:
        return render_form(_town_hall_if_reachable(slug), form, 503, gettext(
            "We could not save your concern just now, and nothing was stored. Your text is below: press Send again "
            "in a moment."))
    except submitting.FormTokenReused:
        form.form_token.data = crypto.new_form_token()
        return render_form(_town_hall_if_reachable(slug), form, 409, gettext(
            "This form was already used to send a concern. Your new text is below: press Send to send it as another "
            "concern."))
    return render_template("receipts/issued.html", receipt=receipt)


def _resubmit_page(notice: str, status: int):
    """Show the submission form again, filled in, after a refusal that happened before the view ran."""
    hall = town_halls.find_town_hall(get_db(), (request.view_args or {}).get("slug", ""))
    if hall is None:
        return render_error(NotFound())  # inside an error handler: return, don't raise
    form = _form()
    form.validate()  # runs the filters, so the text shown back is what would be stored
    for field in form:
        field.errors = []
    return render_form(hall, form, status, notice)


@bp.errorhandler(RateLimitExceeded)
def too_many_submissions(_error):
    return _resubmit_page(gettext("You have sent several concerns in a short time. Please wait a few minutes, "
                                  "then press Send again. Your text is kept below."), 429)


@bp.errorhandler(CSRFError)
def form_expired(error: CSRFError):
    if request.endpoint != "public.town_hall":
        return render_error(error)
    return _resubmit_page(gettext("This page had been open too long, so the form expired. Your text is kept "
                                  "below: press Send again."), 400)
