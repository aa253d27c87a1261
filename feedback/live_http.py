"""The HTTP side of a live session's public pages: the browser's "me too" cookie, the feeds' ETags and their
rendered fragments, shared by the audience's and the presenter's views.

The voter cookie carries one random secret, signed so that a forged or altered cookie is refused; it is set
only by the audience page, never by a vote, so a cross-site POST (which carries no cookie of ours on its
first visit) cannot vote. A shared feed's tag is a hash of its fragment, so it moves only with what the room
sees; the fragment and its tag are kept per (kind, session, version) in each process, so a poll of an unchanged
version answers 304 without a render: it is derived data, the database holds the signal.

A thousand phones poll the audience feed every LIVE_POLL_SECONDS, and in a busy room the votes change it between
nearly any two polls. So the answer is given before Flask (PollShortcut, a WSGI middleware): when this process
answered the same feed, for the same language cookie and Accept-Language, less than LIVE_FEED_REUSE_SECONDS ago,
it gives that answer again at once (304 to a browser holding its tag, else the fragment), with the same headers.
That is the staleness the fragment reuse already allows: a page is at most that much older than the database.
Every other poll goes through the view and the database.
"""

from __future__ import annotations

import hashlib
import re
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable
from typing import Any

from flask import Flask, Response, current_app, request
from flask_login import current_user
from itsdangerous import BadSignature, URLSafeSerializer
from limits import RateLimitItem, parse_many
from werkzeug.datastructures import LanguageAccept
from werkzeug.http import parse_accept_header, parse_cookie

from feedback import crypto, headers, i18n
from feedback import limits as rate_limits
from feedback.services.live.sessions import normalise_code

VOTER_COOKIE = "live_voter"
VOTER_COOKIE_PATH = "/live"
VOTER_COOKIE_MAX_AGE = 24 * 3600
_SALT = "live-voter"
FRAGMENTS_KEPT = 64  # (kind, session, version) renders kept per process: a few per running session
TAG_HEX = 32  # hex digits of a shared feed's tag: 128 bits of its fragment's SHA-256
RECENT_KEPT = 256  # (event code, language) answers remembered per process for PollShortcut: running codes x languages
AUDIENCE_FEED = re.compile(r"/live/(?P<code>[^/]+)/feed")


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=_SALT)


def voter_secret() -> str | None:
    """This browser's voter secret from its signed cookie, or None when it has none, or a forged one."""
    cookie = request.cookies.get(VOTER_COOKIE)
    if not cookie:
        return None
    try:
        secret = _serializer().loads(cookie)
    except BadSignature:
        return None
    return secret if isinstance(secret, str) and secret else None


def voter_secret_or_new() -> tuple[str, bool]:
    """The browser's voter secret, or a new one; True when it is new and set_voter_cookie must send it."""
    secret = voter_secret()
    return (secret, False) if secret else (crypto.new_voter_secret(), True)


def set_voter_cookie(response: Response, secret: str) -> None:
    response.set_cookie(VOTER_COOKIE, _serializer().dumps(secret), max_age=VOTER_COOKIE_MAX_AGE,
                        path=VOTER_COOKIE_PATH, httponly=True, samesite="Lax",
                        secure=bool(current_app.config["SESSION_COOKIE_SECURE"]))


def _limited(item: RateLimitItem, key: tuple[str, ...], *, count: bool) -> bool:
    """Whether this hit (count) or the next one (not count) goes over item, in the limiter's storage; in memory
    while the storage (Redis) fails, as Flask-Limiter's own checks do."""
    limiter = current_app.extensions["feedback_limiter"]
    try:
        return not (limiter.limiter.hit(item, *key) if count else limiter.limiter.test(item, *key))
    except Exception:  # noqa: BLE001 - the storage failed: the fallback (None without Redis) counts in memory
        fallback = limiter._fallback_limiter
        return fallback is not None and not (fallback.hit(item, *key) if count else fallback.test(item, *key))


def over_limit(limits: str, *key: str) -> bool:
    """Count one hit on a shared counter (e.g. one question's votes) against the limits given ("60 per 10 seconds");
    True when it is one too many in any of their windows."""
    return any([_limited(item, key, count=True) for item in parse_many(limits)])


def network_over_limit(config_key: str, *, count: bool = True) -> bool:
    """The client network's counter for the limits in config_key (keyed by a daily keyed hash of the address, one
    per window, as limits.py does): count one hit, or (not count) only say whether the next would be refused."""
    over = False
    for item in parse_many(current_app.config[config_key]):
        key = ("live-network", rate_limits.client_pseudonym(f"{config_key}/{item}"))
        over = _limited(item, key, count=count) or over
    return over


def etag(kind: str, live_session_id: int, version: int) -> str:
    """The moderator queue's entity tag, quoted: "<kind>-<live id>-<version>" (its page shows every change anyway)."""
    return f'"{kind}-{live_session_id}-{version}"'


def content_tag(body: str) -> str:
    """A shared feed's entity tag, quoted: a truncated SHA-256 of the fragment, so it moves only when what the page
    shows moves (not on a question asked and still pending, which the room cannot see), and carries no id or version."""
    return '"' + hashlib.sha256(body.encode()).hexdigest()[:TAG_HEX] + '"'


def held_tags(if_none_match: str) -> set[str]:
    """The tags a browser says it holds (If-None-Match), weak or strong alike."""
    return {held.strip().removeprefix("W/") for held in if_none_match.split(",")}


def not_modified(tag: str) -> Response | None:
    """A 304 when the browser already holds this version of the feed, else None."""
    if tag not in held_tags(request.headers.get("If-None-Match", "")):
        return None
    response = Response(status=304)
    response.headers["ETag"] = tag
    return response


class FragmentCache:
    """Rendered feed fragments and their tags by (kind, live id, version), the oldest going first once
    FRAGMENTS_KEPT are held; and, for each (kind, live id), the newest one rendered and when."""

    def __init__(self, kept: int = FRAGMENTS_KEPT) -> None:
        self._kept = kept
        self._fragments: OrderedDict[tuple[str, int, int], tuple[str, str]] = OrderedDict()
        self._newest: dict[tuple[str, int], tuple[int, float, tuple[str, str]]] = {}
        self._lock = threading.Lock()

    def get(self, key: tuple[str, int, int]) -> tuple[str, str] | None:
        with self._lock:
            return self._fragments.get(key)

    def newest(self, kind: str, live_session_id: int) -> tuple[int, float, tuple[str, str]] | None:
        """The version, the time (time.monotonic) and the fragment of the newest render of this feed here."""
        with self._lock:
            return self._newest.get((kind, live_session_id))

    def put(self, key: tuple[str, int, int], fragment: tuple[str, str], *, at: float) -> None:
        kind, live_session_id, version = key
        with self._lock:
            self._fragments[key] = fragment
            while len(self._fragments) > self._kept:
                self._fragments.popitem(last=False)
            newest = self._newest.get((kind, live_session_id))
            if newest is None or newest[0] <= version:
                self._newest[(kind, live_session_id)] = (version, at, fragment)


def _cache() -> FragmentCache:
    return current_app.extensions.setdefault("feedback_live_fragments", FragmentCache())


def feed_response(kind: str, live_session_id: int, version: int, render: Callable[[], tuple[int, str]], *,
                  code: str | None = None) -> Response:
    """A polled feed: the fragment (rendered once per version and language in this process) under its content tag,
    or 304 if the browser holds that tag (no render when the version has not moved since it was rendered here).

    render() reads the feed and renders it, returning the version it read with the fragment: a change
    between the version read first and the feed's read is kept under the feed's own (newer) version.
    code: the audience feed's event code as in its path, for PollShortcut to answer its next polls.
    """
    cache = _cache()
    kind = f"{kind}:{i18n.current_language()}"
    held = cache.get((kind, live_session_id, version))
    current_since = time.monotonic()  # when the fragment served was last known to be the database's
    if held is None:
        # Votes change the counts ten times a second in a busy room, and each change would be rendered again by
        # every worker: a render younger than LIVE_FEED_REUSE_SECONDS is served for the newer version instead,
        # so a page is at most that much older than the database (and renders are at most so many a second).
        now, newest = time.monotonic(), cache.newest(kind, live_session_id)
        if newest is not None and newest[0] < version and now - newest[1] < current_app.config[
                "LIVE_FEED_REUSE_SECONDS"]:
            held, current_since = newest[2], newest[1]
        else:
            version, body = render()
            held = (body, content_tag(body))
            cache.put((kind, live_session_id, version), held, at=now)
    body, tag = held
    # A staff member's page may be in their stored language, which no cookie or header says: not for the room's polls.
    if code is not None and not current_user.is_authenticated:
        _shortcut(current_app).remember(code, i18n.current_language(), tag, body, current_since)
    unchanged = not_modified(tag)
    if unchanged is not None:
        return unchanged
    response = Response(body, mimetype="text/html")
    response.headers["ETag"] = tag
    return response


class PollShortcut:
    """WSGI middleware: a poll of the audience feed that the view answered in this process, for the same code,
    language cookie and Accept-Language, less than `reuse` seconds ago gets the same answer here (304 if the browser
    holds its tag, else the fragment under its tag), with the headers the view sends (security headers, no-store,
    Vary: Cookie), without Flask, a session or the database."""

    def __init__(self, app: Any, reuse: float, answered_headers: Iterable[tuple[str, str]]) -> None:
        self.app = app
        self.reuse = reuse
        self._headers = list(answered_headers)
        self._recent: dict[tuple[str, str], tuple[str, bytes, float]] = {}
        self._lock = threading.Lock()

    def remember(self, code: str, language: str, tag: str, body: str, current_since: float) -> None:
        """Give this answer again until `reuse` seconds after current_since (time.monotonic), when it was last known
        to be current: a reused fragment is not kept longer than the reuse allows."""
        if self.reuse <= 0:
            return
        with self._lock:
            if len(self._recent) >= RECENT_KEPT:
                self._recent.clear()
            # Keyed by the code as stored and the language rendered: only running codes reach here, so the entries
            # are bounded whatever cookies and headers a script sends.
            self._recent[(normalise_code(code), language)] = (tag, body.encode(), current_since)

    def _recent_answer(self, environ: dict[str, Any], code: str) -> tuple[str, bytes] | None:
        with self._lock:
            recent = self._recent.get((normalise_code(code), room_language(environ)))
        if recent is None or time.monotonic() - recent[2] >= self.reuse:
            return None
        return recent[0], recent[1]

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if environ.get("REQUEST_METHOD") == "GET" and not environ.get("QUERY_STRING"):
            match = AUDIENCE_FEED.fullmatch(environ.get("PATH_INFO", ""))
            recent = self._recent_answer(environ, match["code"]) if match else None
            if recent is not None:
                tag, body = recent
                if tag in held_tags(environ.get("HTTP_IF_NONE_MATCH", "")):
                    start_response("304 NOT MODIFIED", [("ETag", tag), *self._headers])
                    return [b""]
                start_response("200 OK", [("Content-Type", "text/html; charset=utf-8"),
                                          ("Content-Length", str(len(body))), ("ETag", tag), *self._headers])
                return [body]
        return self.app(environ, start_response)


def room_language(environ: dict[str, Any]) -> str:
    """The language i18n.select_locale gives a browser not signed in: the cookie's if ours, else Accept-Language's."""
    return i18n.without_account(parse_cookie(environ).get(i18n.COOKIE),
                                parse_accept_header(environ.get("HTTP_ACCEPT_LANGUAGE"), LanguageAccept))


def _shortcut(app: Flask) -> PollShortcut:
    return app.extensions["feedback_poll_shortcut"]


def init_app(app: Flask) -> None:
    """Put PollShortcut in front of the app (before limits.init_app adds ProxyFix, which it does not need)."""
    answered = [*headers.HEADERS.items(), ("Cache-Control", "no-store"), ("Vary", "Cookie")]
    shortcut = PollShortcut(app.wsgi_app, app.config["LIVE_FEED_REUSE_SECONDS"], answered)
    app.extensions["feedback_poll_shortcut"] = shortcut
    # Wrapping wsgi_app is how Flask's documentation applies middleware; mypy sees it as a method.
    app.wsgi_app = shortcut  # type: ignore[method-assign]
