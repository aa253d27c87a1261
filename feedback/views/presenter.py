"""The presenter screen of a live session: opened by its link's token on the room's computer, no staff login.

Large type, the question on screen, the queue with its votes, the QR code; never an identity, never text
that was not approved. A revoked or replaced token, or an ended session, sees nothing.
"""

from __future__ import annotations

from flask import Blueprint, current_app, render_template
from flask_babel import lazy_gettext

from feedback import live_http
from feedback.db import get_db
from feedback.models import LiveSession
from feedback.services.live import feed as live_feed
from feedback.services.live import sessions

bp = Blueprint("presenter", __name__, url_prefix="/present")

GONE = lazy_gettext("This presenter link does not open a running live session: the session has ended, or the "
                    "link was replaced or revoked. Ask the moderator for the current link.")


def _gone():
    return render_template("presenter/gone.html", message=GONE), 404


@bp.after_request
def not_indexed(response):
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    return response


@bp.get("/<token>")
def screen(token: str):
    live_session = sessions.by_presenter_token(get_db(), token)
    if live_session is None:
        return _gone()
    shown = live_feed.presenter(get_db(), live_session)
    return render_template("presenter/screen.html", live=shown, token=token,
                           every=current_app.config["LIVE_POLL_SECONDS"])


def _render_feed(live_session: LiveSession) -> tuple[int, str]:
    shown = live_feed.presenter(get_db(), live_session)
    return shown.version, render_template("presenter/_feed.html", live=shown)


@bp.get("/<token>/feed")
def feed(token: str):
    live_session = sessions.by_presenter_token(get_db(), token)
    if live_session is None:
        return _gone()
    return live_http.feed_response("presenter", live_session.id, live_session.version,
                                   lambda: _render_feed(live_session))
