"""Choosing the language: a switch on every page, remembered in a cookie that holds only the language."""

from __future__ import annotations

import logging
import re
from http.cookies import SimpleCookie

import pytest

from feedback.logs import DropSubmitterAccess, DropSubmitterLines
from tests.browsing import text

HTML_LANG = re.compile(r'<html lang="([a-z]+)">')


def html_lang(response) -> str:
    match = HTML_LANG.search(response.get_data(as_text=True))
    assert match, "no <html lang> on the page"
    return match.group(1)


def set_cookie_header(response) -> SimpleCookie:
    cookie: SimpleCookie = SimpleCookie()
    for header in response.headers.getlist("Set-Cookie"):
        cookie.load(header)
    return cookie


def test_every_page_links_to_the_other_language_and_comes_back_to_it(client, hall):
    for path in ("/", f"/t/{hall.slug}", "/receipt", "/login", "/no-such-page"):
        page = client.get(path).get_data(as_text=True)
        assert f'href="/language/es?next={path}" hreflang="es" lang="es">Español</a>' in page, path


def test_the_switch_sets_the_cookie_and_the_page_comes_back_in_spanish(client, hall):
    response = client.get(f"/language/es?next=/t/{hall.slug}")
    assert response.status_code == 302 and response.headers["Location"] == f"/t/{hall.slug}"
    assert response.get_data() == b""  # nothing whose length would tell which page it goes back to
    page = client.get(f"/t/{hall.slug}")
    assert html_lang(page) == "es"
    assert 'href="/language/en?next=/t/' in page.get_data(as_text=True) and ">English</a>" in text(page)


def test_the_cookie_holds_the_language_and_nothing_else(client):
    cookie = set_cookie_header(client.get("/language/es?next=/"))
    assert list(cookie) == ["lang"] and cookie["lang"].value == "es"
    assert cookie["lang"]["httponly"] and cookie["lang"]["samesite"] == "Lax"


def test_an_unknown_language_sets_no_cookie_and_changes_nothing(client):
    response = client.get("/language/fr?next=/receipt")
    assert response.status_code == 302 and response.headers["Location"] == "/receipt"
    assert "Set-Cookie" not in response.headers
    assert html_lang(client.get("/")) == "en"


def test_a_tampered_cookie_is_ignored(client):
    client.set_cookie("lang", "es<script>")
    assert html_lang(client.get("/")) == "en"


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/", "/\\evil.example", "evil",
                                    "javascript:alert(1)", "/\r\nSet-Cookie: x=1", ""])
def test_the_switch_goes_back_only_to_a_page_of_this_site(client, target):
    assert client.get("/language/es", query_string={"next": target}).headers["Location"] == "/"


@pytest.mark.parametrize(("header", "lang"), [("es", "es"), ("es-MX,es;q=0.9,en;q=0.5", "es"), ("fr-FR,de", "en"),
                                              ("en-GB,es;q=0.5", "en"), ("", "en")])
def test_accept_language_picks_the_best_match_and_english_otherwise(client, header, lang):
    assert html_lang(client.get("/", headers={"Accept-Language": header})) == lang


def test_the_cookie_wins_over_accept_language(client):
    client.get("/language/en?next=/")
    assert html_lang(client.get("/", headers={"Accept-Language": "es"})) == "en"


def test_a_page_answering_a_form_switches_back_to_a_page_not_to_the_forms_address(client):
    for path in ("/receipt/reply", "/receipt/did-this-help/question", "/receipt/withdraw"):
        page = client.post(path, data={}).get_data(as_text=True)
        assert 'href="/language/es?next=/receipt"' in page, path


def test_the_switch_leaves_no_access_line_in_either_server():
    line = '"GET /language/es?next=/t/belonging HTTP/1.1" 302 -'
    werkzeug = logging.LogRecord("werkzeug", logging.INFO, __file__, 1, '%s - - [%s] %s',
                                 ("203.0.113.9", "23/Nov/2026 17:01:02", line), None)
    assert not DropSubmitterLines().filter(werkzeug)
    gunicorn = logging.LogRecord("gunicorn.access", logging.INFO, __file__, 1, "%(r)s", None, None)
    gunicorn.args = {"U": "/language/es", "r": line}
    assert not DropSubmitterAccess().filter(gunicorn)
