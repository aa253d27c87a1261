"""Checking a submission's status with its receipt code (always by POST, never in a URL)."""

from __future__ import annotations

from flask import Blueprint, render_template

from feedback import keyring
from feedback.db import get_db
from feedback.forms import ReceiptForm
from feedback.services import receipts

bp = Blueprint("receipts", __name__)

NOT_FOUND = "We could not find a submission with that code. Check each character and try again."


@bp.route("/receipt", methods=["GET", "POST"])
def check():
    form = ReceiptForm()
    if not form.validate_on_submit():
        return render_template("receipts/check.html", form=form), 422 if form.is_submitted() else 200
    found = receipts.look_up(get_db(), keyring.current(), form.code.data)
    if found is None:
        form.code.errors = [NOT_FOUND]
        return render_template("receipts/check.html", form=form), 404
    return render_template("receipts/status.html", receipt=found)
