"""The reader's language: a signed-in staff member's stored choice, else a `lang` cookie set by the switch on every
page, else Accept-Language, else English.

The cookie carries the language's code and nothing else. On public pages the switch is a link (GET: the cookie
only); for a signed-in staff member it is a small POST form (CSRF-checked, so a link from another site cannot change
an account) that stores their choice too: their pages and their mail then follow it in any browser.

Catalogs live in feedback/translations (scripts/i18n extracts, updates and compiles them). Lazy strings render
unescaped (Flask-Babel's LazyString is Markup-like): use lazy_gettext only for our own messages, never with a
person's text in its variables.
"""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import Blueprint, Flask, current_app, has_request_context, redirect, request, url_for
from flask_babel import Babel, format_number, get_locale, gettext, ngettext
from flask_login import current_user
from sqlalchemy import exc
from werkzeug.exceptions import HTTPException, MethodNotAllowed
from werkzeug.wrappers import Response

from feedback.db import get_db, writing
from feedback.models import StaffUser
from feedback.sentences import PluralSentence, Sentence, is_count

LANGUAGES = ("en", "es")
DEFAULT = "en"
# Each language named in itself, as a reader looking for theirs would recognise it.
NAMES = {"en": "English", "es": "Español"}
COOKIE = "lang"
COOKIE_MAX_AGE = 365 * 24 * 3600

bp = Blueprint("language", __name__)


def select_locale() -> str:
    """A signed-in staff member's stored language, else the cookie's if it is one of ours, else the best match for
    Accept-Language, else English."""
    if not has_request_context():
        return DEFAULT
    stored = _staff_language()
    if stored in LANGUAGES:
        return stored
    return without_account(request.cookies.get(COOKIE), request.accept_languages)


def without_account(cookie: str | None, accepted: Iterable[tuple[str, float]]) -> str:
    """The language of a reader not signed in: the cookie's if it is one of ours, else Accept-Language's."""
    return cookie if cookie in LANGUAGES else best_match(accepted)


def best_match(accepted: Iterable[tuple[str, float]]) -> str:
    """The first of the reader's languages, by preference, that we have ("en-GB" is English).

    Werkzeug's best_match would take an exact "es;q=0.5" over a regional "en-GB" the reader prefers.
    """
    for value, quality in accepted:  # highest quality first
        primary = value.replace("_", "-").split("-")[0].lower()
        if quality > 0 and primary in LANGUAGES:
            return primary
    return DEFAULT


def _signed_in_staff_id() -> int | None:
    return current_user.staff.id if current_user and current_user.is_authenticated else None


def _staff_language() -> str | None:
    """The signed-in staff member's stored language (read once a request: Flask-Babel keeps the locale it chose)."""
    staff_id = _signed_in_staff_id()
    if staff_id is None:
        return None
    db = get_db()
    try:
        return db.scalar(sa.select(StaffUser.language).where(StaffUser.id == staff_id))
    except exc.SQLAlchemyError:  # an error page while the database is down still renders, in the cookie's language
        db.rollback()
        return None


def _store_staff_language(staff_id: int, code: str) -> None:
    """Remember a staff member's language for their pages and their mail."""
    db = get_db()
    with writing(db):
        db.execute(sa.update(StaffUser).where(StaffUser.id == staff_id).values(language=code))


def current_language() -> str:
    """The language of the page being rendered ("en" outside a request)."""
    locale = get_locale()
    return locale.language if locale is not None else DEFAULT


def explain(said: object) -> str:
    """What a service said, in the reader's language: a Sentence or PluralSentence, or an error whose first
    argument is one; anything else as its str() (already translated, or a person's own text)."""
    if isinstance(said, BaseException) and said.args and isinstance(said.args[0], Sentence | PluralSentence):
        said = said.args[0]
    if isinstance(said, Sentence):
        return gettext(said.id, **_numbers_written(said.values))
    if isinstance(said, PluralSentence):
        return ngettext(said.singular, said.plural, said.n, **_numbers_written(said.values))  # it writes num
    return str(said)


def _numbers_written(values: dict[str, object]) -> dict[str, object]:
    """The values with whole numbers written by the reader's locale (Babel)."""
    return {name: format_number(value) if is_count(value) else value for name, value in values.items()}


def translated(label: str) -> str:
    """A default label (a status of ACTION_STATUSES, an answer of answers.ANSWERS, an affiliation) in the reader's
    language: they are in the catalogs (N_ where they are defined); a label of the instance's own stays as written.

    gettext, not Jinja's _(): that returns Markup, and a configured label is data, escaped like any."""
    return gettext(label) if label else label


def local_path(target: str | None) -> str:
    """target if it is a path on this site ("/t/x"), else "/": the switch never sends anyone elsewhere."""
    if not target or "\\" in target or any(ord(c) < 32 for c in target):
        return "/"
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return "/"
    return target


def _here() -> str:
    """The page to come back to after switching: this path, or, for a form's POST address, the nearest path above
    it that a GET can fetch (/receipt/reply: /receipt, so every receipt form's answer links alike). The query is
    left out: a staff search stays out of the switch's URL."""
    path = request.path
    adapter = current_app.url_map.bind("localhost")
    while path not in ("", "/"):
        try:
            adapter.match(path, method="GET")
            return path
        except MethodNotAllowed:
            path = path.rsplit("/", 1)[0]
        except HTTPException:  # not found (an error page), or redirected: come back to it as it is
            return path
    return "/"


def switch_links() -> list[dict[str, str]]:
    """The other languages, each with its name, the page to come back to, and the URL that switches to it (the
    link's; the staff form posts next to the same address without it)."""
    here = _here()
    return [{"code": code, "name": NAMES[code], "next": here,
             "url": url_for("language.switch", code=code, next=here),
             "action": url_for("language.switch", code=code)}
            for code in LANGUAGES if code != current_language()]


@bp.route("/language/<code>", methods=["GET", "POST"])
def switch(code: str) -> Response:
    """Remember the language in a cookie and go back to the page; an unknown code changes nothing.

    A POST (the staff form, its CSRF token checked by CSRFProtect before this runs) by a signed-in staff member
    stores it on their account too; a GET never changes an account, whoever follows the link.
    """
    target = request.form.get("next") if request.method == "POST" else request.args.get("next")
    response = redirect(local_path(target))
    # No body: its length would vary with the page gone back to (padding.py pads only what it must).
    response.set_data(b"")
    if code not in LANGUAGES:
        return response
    response.set_cookie(COOKIE, code, max_age=COOKIE_MAX_AGE, httponly=True, samesite="Lax", secure=request.is_secure)
    if request.method == "POST" and (staff_id := _signed_in_staff_id()) is not None:
        _store_staff_language(staff_id, code)
    return response


def init_app(app: Flask) -> None:
    Babel(app, locale_selector=select_locale, default_locale=DEFAULT)
    app.jinja_env.policies["ext.i18n.trimmed"] = True  # a {% trans %} block's line breaks are not in its msgid
    app.jinja_env.globals.update(current_language=current_language, language_switch=switch_links,
                                 language_names=NAMES)  # e.g. the language a submission was written in
    app.add_template_filter(explain, "explain")  # what a service said, in the reader's language
    app.add_template_filter(translated, "translated")
    app.register_blueprint(bp)
