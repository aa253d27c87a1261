"""Rate limits with Flask-Limiter, keyed by a daily keyed hash of the client address.

The address is only ever held in memory for the request: the limiter's key is a keyed hash of it
under a key that changes every day, so the rate-limit storage (memory or Redis) never holds it.
"""

from __future__ import annotations

from flask import Flask, current_app, request
from flask_limiter import Limiter
from werkzeug.middleware.proxy_fix import ProxyFix

from feedback import clock, crypto, keyring
from feedback.sanitize import normalise_text


def account_pseudonym() -> str:
    """The rate-limit key of the account someone is trying to log in to (a keyed hash of its email)."""
    # Normalised exactly as the login form and the account lookup do, so no variant escapes the limit.
    email = crypto.normalise_email(normalise_text(request.form.get("email")))
    return "account:" + crypto.daily_pseudonym(keyring.current(), email, clock.today())


# (endpoint, config key holding its limit, key function); applied to POST only.
LIMITS = [
    ("public.town_hall", "SUBMISSION_RATE_LIMIT", None),
    ("receipts.check", "RECEIPT_RATE_LIMIT", None),
    ("receipts.reply", "RECEIPT_RATE_LIMIT", None),
    ("receipts.withdraw", "RECEIPT_RATE_LIMIT", None),
    ("auth.login", "STAFF_LOGIN_RATE_LIMIT", None),
    ("auth.login", "ACCOUNT_LOGIN_RATE_LIMIT", account_pseudonym),
]


# Flask-Limiter settings for limits that apply beyond the decorated views.
_APP_WIDE = ("RATELIMIT_DEFAULT", "RATELIMIT_APPLICATION", "RATELIMIT_META")


def client_pseudonym() -> str:
    """The rate-limit key of the current client: never the address in clear."""
    return crypto.daily_pseudonym(keyring.current(), request.remote_addr or "unknown", clock.today())


def _limit_from(config_key: str):
    return lambda: current_app.config[config_key]


def init_app(app: Flask) -> None:
    """Attach a limiter to the app; call after the blueprints are registered."""
    if app.config["PROXY_FIX_X_FOR"]:
        # Behind N trusted proxies, take the client address from X-Forwarded-For (for the limiter).
        # Wrapping wsgi_app is how Flask's documentation applies middleware; mypy sees it as a method.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=app.config["PROXY_FIX_X_FOR"], x_proto=1)  # type: ignore[method-assign]
    limiter = Limiter(key_func=client_pseudonym, app=app, key_prefix="thf")
    app.extensions["feedback_limiter"] = limiter
    if not any(app.config.get(key) for key in _APP_WIDE):
        # Flask-Limiter also checks every request before any view, for app-wide and default limits.
        # There are none (every limit is on a view, below, and checked there), so that pass only cost
        # time on each request: drop it. Configure one of _APP_WIDE and it stays.
        app.before_request_funcs[None].remove(limiter._check_request_limit)
    for endpoint, config_key, key_func in LIMITS:
        view = app.view_functions[endpoint]
        limit = limiter.limit(_limit_from(config_key), key_func=key_func, methods=["POST"])
        # limit() keeps the view's type, but mypy joins Flask's sync and async view types into one.
        app.view_functions[endpoint] = limit(view)  # type: ignore[assignment]
