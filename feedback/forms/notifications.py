"""The form where a facilitator or admin chooses which messages to be sent by email."""

from __future__ import annotations

from flask_babel import lazy_gettext
from flask_wtf import FlaskForm
from wtforms import BooleanField


class ChoicesForm(FlaskForm):
    escalations = BooleanField(lazy_gettext("A submission was escalated by a colleague"),
                               description=lazy_gettext("Sent soon after, with how many and a link to the desk."))
    answers = BooleanField(lazy_gettext("Submitters' answers are waiting for a reply"),
                           description=lazy_gettext("At most once an hour, with how many are waiting and links to "
                                                    "the desk."))
    reveal_requests = BooleanField(lazy_gettext("A reveal request is waiting for a decision"),
                                   description=lazy_gettext("Sent when two-person approval is on and a colleague "
                                                            "asks to reveal an identity."))
    daily_digest = BooleanField(lazy_gettext("A daily digest of new submissions"),
                                description=lazy_gettext("Once a day, how many submissions each town hall received "
                                                         "the day before."))
