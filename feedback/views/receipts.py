"""The submitter's side, with a receipt code: check the status, answer facilitators, "Did this help?", withdraw.

The code travels only in POST bodies (typed in, then a hidden field of the status page's forms),
never in a URL or a cookie; every wrong code gets the same answer, from whichever form it came.
"""

from __future__ import annotations

from flask import Blueprint, current_app, render_template, request
from flask_babel import gettext, lazy_gettext
from flask_limiter.errors import RateLimitExceeded
from flask_wtf.csrf import CSRFError

from feedback import clock, keyring
from feedback.db import get_db
from feedback.errors import render_error
from feedback.forms.answers import ReceiptHelpForm
from feedback.forms.escrow import AnswerForm, WithdrawForm
from feedback.forms.public import ReceiptForm
from feedback.sanitize import normalise_text
from feedback.services.actions import answers, progress, public
from feedback.services.intake import receipts
from feedback.services.moderation import replies
from feedback.services.privacy import erasure

bp = Blueprint("receipts", __name__)

NOT_FOUND = lazy_gettext("We could not find a submission with that code. Check each character and try again.")
ANSWER_SENT = lazy_gettext("Your answer was sent. A facilitator will see it.")
HELP_SENT = lazy_gettext("Thank you: your answer to “Did this help?” was stored, without your name, address or the "
                         "date.")
ALREADY_ANSWERED = lazy_gettext("You have already answered “Did this help?” about this action, so nothing was changed.")
NOT_ASKED = lazy_gettext("That action is not asking “Did this help?” of your concern, so nothing was stored.")
NO_LONGER_ASKED = lazy_gettext("That action is not, or no longer, asking “Did this help?” of your concern, so "
                               "nothing was stored. Your comment is below, so you can copy it.")
INCOMPLETE = lazy_gettext("This form was incomplete, so your answer was not stored. It is kept below: press Send "
                          "again.")
# The field each form's typed text is in, to show it back when the form was refused before its view ran.
TYPED = {"receipts.reply": "answer", "receipts.did_this_help": "help_comment"}


def _not_found(code: str | None):
    form = ReceiptForm(formdata=None, code=code)
    form.code.errors = [NOT_FOUND]
    return render_template("receipts/check.html", form=form), 404


def _being_done(found: receipts.ReceiptView) -> public.BeingDone:
    return public.being_done(get_db(), found.submission_id, clock.today(),
                             progress.statuses(current_app.config["ACTION_STATUSES"]))


def _status_page(found: receipts.ReceiptView, code: str, *, answer: AnswerForm | None = None,
                 withdraw: WithdrawForm | None = None, notice: str | None = None, status: int = 200):
    """The status page, its forms carrying the code; a form sent back with errors keeps its text."""
    answer = answer or AnswerForm(formdata=None, code=code)
    withdraw = withdraw or WithdrawForm(formdata=None, code=code)
    with_errors = withdraw if withdraw.errors else answer  # for the page title and error summary
    being_done = _being_done(found)
    asked = receipts.help_question(get_db(), keyring.current(), code, being_done.actions)
    helped = ReceiptHelpForm(formdata=None, code=code, action=str(asked.id) if asked else "")
    return render_template("receipts/status.html", receipt=found, answer_form=answer, withdraw_form=withdraw,
                           help_form=helped, asked=asked, form=with_errors, notice=notice,
                           being_done=being_done), status


def _question_page(found: receipts.ReceiptView, code: str, form: ReceiptHelpForm, status: int = 200,
                   notice: str | None = None, sent: bool = False):
    """"Did this help?" on a page of its own; back to the status page when it is not (or no longer) asked.

    sent: the form came back with what they chose and wrote; if the action is no longer asked, the comment
    is shown so it is not lost.
    """
    try:
        action = receipts.question(get_db(), keyring.current(), code, _being_done(found).actions, form.action.data)
    except answers.AlreadyAnswered:
        return _status_page(found, code, notice=ALREADY_ANSWERED, status=409)
    except answers.NotAskable:
        if sent:
            return _not_asked(form)
        return _status_page(found, code, notice=NOT_ASKED, status=404)
    form.fresh_token()
    return render_template("receipts/did_this_help.html", action=action, help_form=form, form=form,
                           code=code, notice=notice), status


def _not_asked(form: ReceiptHelpForm):
    """The action is not (or no longer) asked of this receipt: nothing stored, the comment shown to copy."""
    return render_template("receipts/not_sent.html", notice=NO_LONGER_ASKED, text=form.help_comment.data), 404


@bp.route("/receipt", methods=["GET", "POST"])
def check():
    form = ReceiptForm()
    if not form.validate_on_submit():
        return render_template("receipts/check.html", form=form), 422 if form.is_submitted() else 200
    found = receipts.look_up(get_db(), keyring.current(), form.code.data)
    if found is None:
        form.code.errors = [NOT_FOUND]
        return render_template("receipts/check.html", form=form), 404
    return _status_page(found, form.code.data)


def _receipt_of(form: AnswerForm | WithdrawForm | ReceiptHelpForm) -> tuple[str, receipts.ReceiptView | None]:
    """The code a status-page form carried, and the submission it belongs to (None for a wrong code)."""
    code = form.code.data or ""
    return code, receipts.look_up(get_db(), keyring.current(), code)


@bp.post("/receipt/reply")
def reply():
    form = AnswerForm()
    code, found = _receipt_of(form)
    if found is None:
        return _not_found(code)
    if not form.validate():
        return _status_page(found, code, answer=form, status=422)
    try:
        updated = receipts.answer(get_db(), keyring.current(), code, found, form.answer.data, clock.today())
    except replies.EmptyReply:
        form.answer.errors = [gettext("Write your answer before sending it.")]
        return _status_page(found, code, answer=form, status=422)
    if updated is None:
        return _not_found(code)
    return _status_page(updated, code, notice=ANSWER_SENT)


@bp.post("/receipt/did-this-help/question")
def help_question():
    sent = ReceiptHelpForm()
    code, found = _receipt_of(sent)
    if found is None:
        return _not_found(code)
    return _question_page(found, code, ReceiptHelpForm(formdata=None, code=code, action=str(sent.action.data)))


@bp.post("/receipt/did-this-help")
def did_this_help():
    form = ReceiptHelpForm()
    code, found = _receipt_of(form)
    if found is None:
        return _not_found(code)
    if not form.validate():
        return _question_page(found, code, form, 422, sent=True)
    if not form.form_token.data:  # not a form this app made: shown back with a token of its own
        return _question_page(found, code, form, 422, INCOMPLETE, sent=True)
    try:
        # A repeat of this form (a double click) stores nothing more and is thanked the same.
        receipts.answer_help(get_db(), keyring.current(), code, form.action.data, form.helped.data,
                             form.help_comment.data, clock.today(), form_token=form.form_token.data)
    except answers.AlreadyAnswered:
        return _status_page(found, code, notice=ALREADY_ANSWERED, status=409)
    except answers.NotAskable:
        return _not_asked(form)
    return _status_page(found, code, notice=HELP_SENT)


@bp.post("/receipt/withdraw")
def withdraw():
    form = WithdrawForm()
    code, found = _receipt_of(form)
    if found is None:
        return _not_found(code)
    if not form.validate():
        return _status_page(found, code, withdraw=form, status=422)
    if not erasure.withdraw(get_db(), keyring.current(), code):
        return _not_found(code)
    return render_template("receipts/withdrawn.html")


def _answer_not_sent(notice: str, status: int):
    """Refused before the view ran: show the answer back (without looking the code up) so nothing is lost."""
    text = normalise_text(request.form.get(TYPED.get(request.endpoint or "", "answer")))
    return render_template("receipts/not_sent.html", notice=notice, text=text), status


@bp.errorhandler(RateLimitExceeded)
def too_many_attempts(error: RateLimitExceeded):
    if request.endpoint not in TYPED:
        return render_error(error)
    return _answer_not_sent(gettext("Too many attempts came from your connection in a short time, so your answer "
                                    "was not sent. Wait a few minutes, then check your receipt again."), 429)


@bp.errorhandler(CSRFError)
def form_expired(error: CSRFError):
    if request.endpoint not in TYPED:
        return render_error(error)
    return _answer_not_sent(gettext("This page had been open too long, so your answer was not sent. Check your "
                                    "receipt again to send it."), 400)
