"""The form that releases a town hall's numbers: one button, and what the page showed when it was sent."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import HiddenField


def _number(value: str | None) -> int:
    """The hidden release number as a number; anything else is -1, which matches no release (a stale form)."""
    try:
        return int(value or "")
    except ValueError:
        return -1


class ReleaseForm(FlaskForm):
    # The town hall's latest release number when the page was shown (0: none yet). A second press of the same
    # page, or a page shown before someone else released, sends an older number: nothing is released again.
    seen = HiddenField(filters=[_number])
