"""Choosing the language: a switch on every page, remembered in a cookie that holds only the language."""

from __future__ import annotations

import logging
import re
from datetime import date
from http.cookies import SimpleCookie

import pytest
import sqlalchemy as sa

from feedback.filters import format_date
from feedback.logs import DropSubmitterAccess, DropSubmitterLines
from feedback.models import StaffUser
from tests.browsing import check_receipt, csrf_for, post_form, receipt_code, send_concern, text
from tests.factories import make_town_hall, today
from tests.staff import log_in, staff_client

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


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/", "///evil.example/", "/\\evil.example",
                                    "evil", "javascript:alert(1)", "/\r\nSet-Cookie: x=1", ""])
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


def in_spanish(client) -> None:
    client.get("/language/es?next=/")


def test_the_town_hall_page_reads_in_spanish_with_its_dates(client, db_session):
    hall = make_town_hall(db_session, "Belonging on the wards", held_on=date(2026, 12, 1))
    in_spanish(client)
    page = text(client.get(f"/t/{hall.slug}"))
    for spanish in ("Fecha del foro: 1 de diciembre de 2026", "Recibe opiniones hasta el", "Su inquietud",
                    "Enviar de forma anónima o con su nombre", "Agregar mi nombre y correo electrónico",
                    "Hasta 5.000 caracteres.", ">Enviar</button>", "Ir al contenido", "Consultar un comprobante",
                    "Nunca registramos su dirección IP", ">Estudiante</label>", ">Prefiero no decirlo</label>"):
        assert spanish in page, spanish
    for english in ("Held ", "Input is open", "Your concern", "Send it anonymously", "Skip to content",
                    "We never record", ">Send</button>", ">Student</label>"):
        assert english not in page, english
    # The town hall's own title and description are the organisation's words, shown as written.
    assert "Belonging on the wards" in page


def test_the_home_page_reads_in_spanish(client, hall):
    in_spanish(client)
    page = text(client.get("/"))
    assert "Foros que reciben opiniones" in page and "recibe opiniones hasta el" in page
    assert "Town halls taking input" not in page and "input taken until" not in page


def test_form_errors_read_in_spanish_including_wtforms_own(client, hall):
    in_spanish(client)
    response = send_concern(client, hall.slug, comment="", identity_choice="named", affiliation="spy",
                            email="not-an-address")
    page = text(response)
    assert response.status_code == 422
    for spanish in ("Revise lo que escribió", "Escriba su inquietud antes de enviarla.",
                    "Escriba su nombre o elija enviarla de forma anónima.",
                    "Escriba un correo electrónico con el formato nombre@ejemplo.org.",
                    "Opción inválida."):  # WTForms' own message for a choice the form never offered
        assert spanish in page, spanish
    assert "Write your concern" not in page and "Not a valid choice" not in page
    long = text(send_concern(client, hall.slug, comment="x" * 5001))
    assert "Acorte su inquietud a 5.000 caracteres o menos." in long


def test_the_receipt_page_reads_in_spanish_and_its_switch_opens_a_new_tab(client, hall):
    in_spanish(client)
    page = send_concern(client, hall.slug).get_data(as_text=True)
    assert "Gracias. Recibimos su inquietud." in page and "Guarde este código en un lugar seguro" in page
    assert "Se envió de forma anónima." in page and "Thank you" not in page and "Keep this code" not in page
    assert 'data-copied="Copiado" hidden>Copiar el código</button>' in page  # what copy.js says once copied
    # Leaving the page would lose the code, shown only here: the switch keeps this page open.
    assert re.search(r'<a href="/language/en\?next=/t/[^"]+" hreflang="en" lang="en" target="_blank" '
                     r'rel="noopener">English<span class="visually-hidden" lang="es"> \(se abre en una pestaña nueva\)',
                     page)


def test_the_receipt_check_and_status_page_read_in_spanish_whatever_the_language_it_was_sent_in(client, hall):
    code = receipt_code(send_concern(client, hall.slug))  # sent in English
    in_spanish(client)
    check = text(client.get("/receipt"))
    assert "Consultar un comprobante" in check and "Su código de comprobante" in check
    assert "Enter the code" not in check
    status = check_receipt(client, code)
    page = text(status)
    assert status.status_code == 200
    with client.application.test_request_context(headers={"Cookie": "lang=es"}):
        received = format_date(today())
    for spanish in ("Su inquietud", "Lo que escribió", f"Recibida</dt><dd>{received}",
                    "Recibida. Ninguna persona facilitadora la ha revisado todavía.", "De forma anónima",
                    "Todavía no hay respuestas.", "Retirar su inquietud", "Enviar su respuesta"):
        assert spanish in page, spanish
    assert " de " in received  # "1 de diciembre de 2026"
    for english in ("Your submission", "What you wrote", "No replies yet", "Withdraw", "A facilitator has not"):
        assert english not in page, english
    assert "The call schedule is unfair." in page  # their own words, as they wrote them


def test_a_wrong_code_and_a_missing_page_are_told_in_spanish(client):
    in_spanish(client)
    page = text(check_receipt(client, "ABCD-2345-EFGH-6789-JKMN"))
    assert "No encontramos ninguna inquietud con ese código." in page and "We could not find" not in page
    missing = client.get("/no-such-page")
    assert missing.status_code == 404 and "No encontramos esta página" in text(missing)
    assert html_lang(missing) == "es"


def test_an_answer_and_a_withdrawal_are_confirmed_in_spanish(client, hall):
    code = receipt_code(send_concern(client, hall.slug))
    in_spanish(client)
    empty = post_form(client, "/receipt/reply", "/receipt", code=code, answer=" ")
    assert "Escriba su respuesta antes de enviarla." in text(empty)
    refused = post_form(client, "/receipt/withdraw", "/receipt", code=code)
    assert "Marque la casilla para confirmar que quiere retirar su inquietud." in text(refused)
    withdrawn = text(post_form(client, "/receipt/withdraw", "/receipt", code=code, confirm="y"))
    assert "Se retiró su inquietud" in withdrawn and "Your submission was withdrawn" not in withdrawn


# --- Staff: their stored language, set by the switch's form on staff pages ---

def stored_language(app, email: str) -> str | None:
    session = app.extensions["feedback_db"]()
    try:
        return session.scalar(sa.select(StaffUser.language).where(StaffUser.email == email))
    finally:
        session.close()


def choose_on_staff_page(client, code: str, next_path: str = "/staff", **overrides):
    fields = {"csrf_token": csrf_for(client, "/staff"), "next": next_path, **overrides}
    return client.post(f"/language/{code}", data=fields)


def test_a_staff_page_offers_the_switch_as_a_form_with_its_csrf_token_not_a_link(app):
    client = staff_client(app, "facilitator", "fay@example.org")
    page = client.get("/staff").get_data(as_text=True)
    switch = page[page.index('class="language-switch'):page.index("</ul>", page.index('class="language-switch'))]
    assert '<form method="post" action="/language/es"' in switch and 'name="csrf_token"' in switch
    assert 'name="next" value="/staff"' in switch and 'title="Español"' in switch
    assert 'href="/language/' not in switch


def test_the_staff_form_stores_the_language_and_sets_the_cookie(app):
    client = staff_client(app, "facilitator", "fay@example.org")
    response = choose_on_staff_page(client, "es")
    assert response.status_code == 302 and response.headers["Location"] == "/staff"
    assert set_cookie_header(response)["lang"].value == "es"
    assert stored_language(app, "fay@example.org") == "es"
    assert html_lang(client.get("/staff")) == "es"


def test_a_staff_members_stored_language_wins_over_the_cookie_and_the_browser_in_any_browser(app):
    staff_client(app, "admin", "ada@example.org")
    choose_on_staff_page(log_in_again(app, "ada@example.org"), "es")
    elsewhere = log_in_again(app, "ada@example.org")
    elsewhere.set_cookie("lang", "en")
    assert html_lang(elsewhere.get("/staff", headers={"Accept-Language": "en"})) == "es"


def log_in_again(app, email: str):
    client = app.test_client()
    assert log_in(client, email).status_code == 302
    return client


def test_without_a_stored_language_staff_pages_follow_the_cookie_then_the_browser(app):
    client = staff_client(app, "leader", "lee@example.org")
    assert stored_language(app, "lee@example.org") is None
    assert html_lang(client.get("/staff", headers={"Accept-Language": "es"})) == "es"
    client.get("/language/en?next=/staff")
    assert html_lang(client.get("/staff", headers={"Accept-Language": "es"})) == "en"


def test_a_link_from_another_site_never_changes_an_account(app):
    """The GET link sets only this browser's cookie; a POST without the page's CSRF token is refused."""
    client = staff_client(app, "facilitator", "fay@example.org")
    client.get("/language/es?next=/staff")
    assert stored_language(app, "fay@example.org") is None
    refused = client.post("/language/es", data={"next": "/staff"})
    assert refused.status_code == 400 and stored_language(app, "fay@example.org") is None


def test_an_unknown_language_posted_changes_nothing(app):
    client = staff_client(app, "facilitator", "fay@example.org")
    response = choose_on_staff_page(client, "fr", next_path="https://evil.example/")
    assert response.headers["Location"] == "/" and "Set-Cookie" not in response.headers
    assert stored_language(app, "fay@example.org") is None
