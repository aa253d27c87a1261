"""The form where a facilitator or admin chooses which messages to be sent by email."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField


class ChoicesForm(FlaskForm):
    escalations = BooleanField("A submission was escalated by a colleague",
                               description="Sent soon after, with how many and a link to the desk.")
    answers = BooleanField("Submitters' answers are waiting for a reply",
                           description="At most once an hour, with how many are waiting and links to the desk.")
    reveal_requests = BooleanField("A reveal request is waiting for a decision",
                                   description="Sent when two-person approval is on and a colleague asks to "
                                               "reveal an identity.")
    daily_digest = BooleanField("A daily digest of new submissions",
                                description="Once a day, how many submissions each town hall received the day "
                                            "before.")
