"""Public pages: the list of open town halls and each town hall's submission form."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, render_template, request
from flask_limiter.errors import RateLimitExceeded
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import NotFound

from feedback import clock, crypto, keyring
from feedback.errors import render_error
from feedback.db import get_db
from feedback.forms.public import SubmissionForm
from feedback.services import intake, town_halls

bp = Blueprint("public", __name__)

CLOSED_MESSAGES = {
    "upcoming": "This town hall is not taking input yet. Your text is below; keep a copy and send it once it opens.",
    "closed": "This town hall has stopped taking input. Your text is below so you can keep a copy.",
}


@bp.get("/")
def index():
    return render_template("public/index.html", town_halls=town_halls.open_town_halls(get_db(), clock.today()))


def _form() -> SubmissionForm:
    return SubmissionForm(affiliations=current_app.config["AFFILIATIONS"])


def _new_submission(form: SubmissionForm) -> intake.NewSubmission:
    identity = None
    if form.is_named:
        identity = crypto.Identity(name=form.name.data, email=form.email.data or "", contact_ok=form.contact_ok.data)
    return intake.NewSubmission(body=form.comment.data, affiliation=form.affiliation.data or None, identity=identity)


def render_form(town_hall, form: SubmissionForm, status: int = 200, notice: str | None = None):
    """The town hall page with its form, keeping whatever the person typed; a fresh token if needed."""
    if form.form_token.errors or not form.form_token.data:
        form.form_token.data = crypto.new_form_token()
    page = render_template(
        "public/town_hall.html",
        town_hall=town_hall,
        state=town_hall.intake_state(clock.today()),
        form=form,
        notice=notice,
    )
    return page, status


@bp.route("/t/<slug>", methods=["GET", "POST"])
def town_hall(slug: str):
    hall = town_halls.find_town_hall(get_db(), slug) or abort(404)
    form = _form()
    if request.method == "GET" or not form.is_submitted():
        return render_form(hall, form)
    if form.leave_empty.data:
        # Almost always a bot; if a person's form filler did it, they still keep their text.
        form.leave_empty.data = ""
        return render_form(hall, form, 400, "Your concern could not be sent. Please check it and press Send again.")
    if not form.validate():
        return render_form(hall, form, 422)
    # Keep the hall as read: the write below ends this transaction, which would expire it and cost
    # another connection and SELECT just to print its title on the receipt page.
    get_db().expunge(hall)
    try:
        receipt = intake.submit(get_db(), keyring.current(), hall, form.form_token.data, _new_submission(form), clock.today())
    except intake.IntakeClosed as closed:
        return render_form(hall, form, 403, CLOSED_MESSAGES[closed.state])
    except intake.IntakeUnavailable:
        return render_form(hall, form, 503, "We could not save your concern just now, and nothing was "
                           "stored. Your text is below: press Send again in a moment.")
    except intake.FormTokenReused:
        form.form_token.data = crypto.new_form_token()
        return render_form(hall, form, 409, "This form was already used to send a concern. Your new text "
                           "is below: press Send to send it as another concern.")
    return render_template("receipts/issued.html", receipt=receipt, town_hall=hall)


def _resubmit_page(notice: str, status: int):
    """Show the submission form again, filled in, after a refusal that happened before the view ran."""
    hall = town_halls.find_town_hall(get_db(), request.view_args.get("slug", ""))
    if hall is None:
        return render_error(NotFound())  # inside an error handler: return, don't raise
    form = _form()
    form.validate()  # runs the filters, so the text shown back is what would be stored
    for field in form:
        field.errors = []
    return render_form(hall, form, status, notice)


@bp.errorhandler(RateLimitExceeded)
def too_many_submissions(_error):
    return _resubmit_page("You have sent several concerns in a short time. Please wait a few minutes, "
                          "then press Send again. Your text is kept below.", 429)


@bp.errorhandler(CSRFError)
def form_expired(error: CSRFError):
    if request.endpoint != "public.town_hall":
        return render_error(error)
    return _resubmit_page("This page had been open too long, so the form expired. Your text is kept "
                          "below: press Send again.", 400)
