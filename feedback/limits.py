"""Rate limits with Flask-Limiter, keyed by daily keyed hashes of the client address, in clock-aligned windows.

The address is only ever held in memory for the request. Each limit (an endpoint and one of its windows)
keys its counter by a keyed hash of the address, the endpoint and the window under a key that changes
every day, so the storage (memory or Redis) never holds the address, and the counters of one client on
two endpoints (or in the minute and the day window of one endpoint) cannot be told to be the same client.

Every counter is a fixed window aligned to the clock (minutes on the minute, days at UTC midnight) and
expires at the end of its window, not one window length after its first hit: its expiry tells the
window, which anyone reading it already knows, and nothing about when in the window the first hit came.
"""

from __future__ import annotations

import math
import time
import urllib.parse
from collections.abc import Callable
from typing import TYPE_CHECKING

from flask import Flask, request
from flask_limiter import Limiter
from limits import parse_many
from limits.storage import MemoryStorage, RedisStorage
from limits.strategies import FixedWindowRateLimiter
from werkzeug.middleware.proxy_fix import ProxyFix

from feedback import clock, crypto, keyring
from feedback.sanitize import normalise_text

if TYPE_CHECKING:
    import redis  # only with the redis extra; the storage imports it itself when used

# The storage URIs we accept: the others (memcached, MongoDB ...) would keep each window's first hit.
_ALIGNED = "aligned+"
SCHEMES = ("memory", "redis", "rediss", "redis+unix")

# INCRBY, and on a window's first hit expire the key at the end of the window, by Redis's own clock
# (one clock for every worker and host). EXPIREAT takes whole seconds, and windows are whole seconds.
_INCR_EXPIRE_AT_WINDOW_END = b"""
local amount = tonumber(ARGV[2])
local current = redis.call("incrby", KEYS[1], amount)
if tonumber(current) == amount then
    local period = tonumber(ARGV[1])
    local now = tonumber(redis.call("time")[1])
    redis.call("expireat", KEYS[1], (math.floor(now / period) + 1) * period)
end
return current
"""


def window_end(now: float, period: float) -> float:
    """The end of the clock-aligned window of `period` seconds holding `now` (Unix time; days end at UTC midnight)."""
    return float((math.floor(now / period) + 1) * period)


class AlignedMemoryStorage(MemoryStorage):
    """Flask-Limiter's memory storage, with each counter expiring at the end of its aligned window."""

    STORAGE_SCHEME = [_ALIGNED + "memory"]

    def incr(self, key: str, expiry: float, amount: int = 1) -> int:
        with self.locks[key]:
            count = super().incr(key, expiry, amount)
            if count == amount:  # the window's first hit: the library set now + expiry
                self.expirations[key] = window_end(time.time(), expiry)
        return count


class AlignedRedisStorage(RedisStorage):
    """Flask-Limiter's Redis storage, with each counter expiring at the end of its aligned window."""

    STORAGE_SCHEME = [_ALIGNED + scheme for scheme in SCHEMES if scheme != "memory"]

    def __init__(self, uri: str, connection_pool: redis.ConnectionPool | None = None,
                 key_prefix: str = RedisStorage.PREFIX, wrap_exceptions: bool = False,
                 **options: float | str | bool) -> None:
        super().__init__(uri.removeprefix(_ALIGNED), connection_pool, key_prefix, wrap_exceptions, **options)

    def initialize_storage(self, _uri: str) -> None:
        super().initialize_storage(_uri)
        self.lua_incr_expire_at_window_end = self.get_connection().register_script(_INCR_EXPIRE_AT_WINDOW_END)

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        return int(self.lua_incr_expire_at_window_end([self.prefixed_key(key)], [expiry, amount]))


def _pseudonym(scope: str, value: str) -> str:
    """A keyed hash of value for one limit's counters: the same value under two scopes gives unrelated hashes."""
    return crypto.daily_pseudonym(keyring.current(), f"rate-limit:{scope}\x00{value}", clock.today())


def client_pseudonym(scope: str) -> str:
    """The current client's key for the limit `scope` (an endpoint and a window): never the address in clear."""
    return _pseudonym(scope, request.remote_addr or "unknown")


def account_pseudonym(scope: str) -> str:
    """The key of the account someone is trying to log in to (a keyed hash of its email), for the limit `scope`."""
    # Normalised exactly as the login form and the account lookup do, so no variant escapes the limit.
    email = crypto.normalise_email(normalise_text(request.form.get("email")))
    return "account:" + _pseudonym(scope, email)


def code_lookup_pseudonym(scope: str) -> str:
    """The client's key for a receipt-code limit on an endpoint that has a submission limit too.

    Its own scope, so the two limits never share a counter when they are written alike ("20 per minute").
    """
    return client_pseudonym("receipt-code:" + scope)


def _app_wide_pseudonym() -> str:
    # Only for _APP_WIDE limits, if configured: keyed by endpoint too, so those also count per endpoint.
    return client_pseudonym("app-wide:" + (request.endpoint or ""))


# (endpoint, config key holding its limits, key function given the limit's scope); applied to POST only.
LIMITS: list[tuple[str, str, Callable[[str], str]]] = [
    ("public.town_hall", "SUBMISSION_RATE_LIMIT", client_pseudonym),
    ("plan.feedback", "SUBMISSION_RATE_LIMIT", client_pseudonym),
    # "Did this help?" is limited as submissions are; from a receipt it also looks a code up, as checks do.
    ("plan.did_this_help", "SUBMISSION_RATE_LIMIT", client_pseudonym),
    ("receipts.did_this_help", "SUBMISSION_RATE_LIMIT", client_pseudonym),
    ("receipts.did_this_help", "RECEIPT_RATE_LIMIT", code_lookup_pseudonym),
    ("receipts.help_question", "RECEIPT_RATE_LIMIT", client_pseudonym),
    ("receipts.check", "RECEIPT_RATE_LIMIT", client_pseudonym),
    ("receipts.reply", "RECEIPT_RATE_LIMIT", client_pseudonym),
    ("receipts.withdraw", "RECEIPT_RATE_LIMIT", client_pseudonym),
    ("auth.login", "STAFF_LOGIN_RATE_LIMIT", client_pseudonym),
    ("auth.login", "ACCOUNT_LOGIN_RATE_LIMIT", account_pseudonym),
    # A whole lecture hall shares one address: generous per-network backstops only (a burst of votes on one
    # question is caught per question instead, in views/live.py).
    ("live.ask", "LIVE_QUESTION_RATE_LIMIT", client_pseudonym),
    ("live.vote", "LIVE_VOTE_RATE_LIMIT", client_pseudonym),
]


# Flask-Limiter settings for limits that apply beyond the decorated views.
_APP_WIDE = ("RATELIMIT_DEFAULT", "RATELIMIT_APPLICATION", "RATELIMIT_META")


def _keyed(key_func: Callable[[str], str], scope: str) -> Callable[[], str]:
    return lambda: key_func(scope)


def _aligned_storage_uri(uri: str) -> str:
    scheme = urllib.parse.urlparse(uri).scheme
    if scheme not in SCHEMES:
        raise ValueError(f"RATELIMIT_STORAGE_URI must be memory:// or redis://..., not {scheme}://")
    return _ALIGNED + uri


def init_app(app: Flask) -> None:
    """Attach a limiter to the app; call after the blueprints are registered."""
    if app.config["PROXY_FIX_X_FOR"]:
        # Behind N trusted proxies, take the client address from X-Forwarded-For (for the limiter).
        # Wrapping wsgi_app is how Flask's documentation applies middleware; mypy sees it as a method.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=app.config["PROXY_FIX_X_FOR"], x_proto=1)  # type: ignore[method-assign]
    storage_uri = _aligned_storage_uri(app.config["RATELIMIT_STORAGE_URI"])
    limiter = Limiter(key_func=_app_wide_pseudonym, app=app, key_prefix="thf", strategy="fixed-window",
                      storage_uri=storage_uri)
    if limiter._fallback_limiter is not None:
        # Flask-Limiter builds its in-memory fallback (used while Redis is down) from the plain memory
        # storage, with no option to choose another: give it the aligned one too.
        limiter._fallback_storage = AlignedMemoryStorage()
        limiter._fallback_limiter = FixedWindowRateLimiter(limiter._fallback_storage)
    app.extensions["feedback_limiter"] = limiter
    if not any(app.config.get(key) for key in _APP_WIDE):
        # Flask-Limiter also checks every request before any view, for app-wide and default limits.
        # There are none (every limit is on a view, below, and checked there), so that pass only cost
        # time on each request: drop it. Configure one of _APP_WIDE and it stays.
        app.before_request_funcs[None].remove(limiter._check_request_limit)
    for endpoint, config_key, key_func in LIMITS:
        view = app.view_functions[endpoint]
        # One decorator per window, each with a pseudonym of its own (so "20 per minute" and "300 per
        # day" on one endpoint are not tied to one client either).
        for item in parse_many(app.config[config_key]):
            scope = f"{endpoint}/{item}"
            limit = limiter.limit(str(item), key_func=_keyed(key_func, scope), methods=["POST"])
            # limit() keeps the view's type, but mypy joins Flask's sync and async view types into one.
            view = limit(view)  # type: ignore[assignment]
        app.view_functions[endpoint] = view
