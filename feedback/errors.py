"""Error pages that say what happened in plain words and leak nothing."""

from __future__ import annotations

from flask import Flask, render_template
from flask_babel import lazy_gettext as _
from werkzeug.exceptions import HTTPException

MESSAGES = {
    400: (_("Something went wrong with that request"),
          _("The page could not use what was sent. Go back, reload the page and try again.")),
    403: (_("You cannot do that here"), _("This page or action is not available to you.")),
    404: (_("Page not found"), _("There is nothing at this address. Check it, or start from the home page.")),
    405: (_("That did not work"), _("This page cannot be used that way. Start again from the home page.")),
    413: (_("That was too much to send"), _("What you sent is too large. Shorten it and try again.")),
    429: (_("Please wait a little"), _("Too many attempts came from your connection in a short time. "
                                       "Wait a few minutes, then try again.")),
    500: (_("Something went wrong on our side"),
          _("We could not complete this. Nothing you see here was stored by mistake. Try again later.")),
}


def render_error(error: HTTPException):
    code = error.code if error.code in MESSAGES else 500
    title, message = MESSAGES[code]
    return render_template("errors/error.html", code=code, title=title, message=message), code


def init_app(app: Flask) -> None:
    for code in MESSAGES:
        app.register_error_handler(code, render_error)
