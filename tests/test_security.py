"""Headers, cookies, templates and error pages, as an attacker would probe them."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.browsing import hidden_fields, send_concern
from tests.factories import make_town_hall

ROOT = Path(__file__).resolve().parents[1]
TEMPLATES = sorted((ROOT / "templates").rglob("*.html"))
STATIC_TEXT = sorted(p for p in (ROOT / "static").rglob("*") if p.suffix in {".css", ".js", ".svg"})


def csp(response) -> dict[str, str]:
    policy = response.headers["Content-Security-Policy"]
    return {d.split()[0]: " ".join(d.split()[1:]) for d in policy.split("; ")}


@pytest.mark.parametrize("path", ["/", "/receipt", "/t/nope", "/static/css/site.css"])
def test_every_response_carries_the_security_headers(client, path):
    response = client.get(path)
    policy = csp(response)
    assert policy["default-src"] == "'none'"
    assert policy["script-src"] == "'self'" and policy["style-src"] == "'self'"
    assert policy["frame-ancestors"] == "'none'" and policy["form-action"] == "'self'"
    assert "unsafe-inline" not in response.headers["Content-Security-Policy"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert response.headers["X-Frame-Options"] == "DENY"


def test_the_session_cookie_is_httponly_and_strict(client, db_session):
    hall = make_town_hall(db_session)
    cookie = client.get(f"/t/{hall.slug}").headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie
    assert "Secure" not in cookie


def test_over_https_the_cookie_is_secure_and_a_post_without_referrer_works(make_app):
    app = make_app(SESSION_COOKIE_SECURE=True)
    hall = make_town_hall(app.extensions["feedback_db"]())
    client = app.test_client()
    form = client.get(f"/t/{hall.slug}", base_url="https://localhost")
    cookie = form.headers["Set-Cookie"]
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Strict" in cookie
    fields = {"comment": "Sent over HTTPS", "identity_choice": "anonymous",
              **hidden_fields(form.get_data(as_text=True))}
    response = client.post(f"/t/{hall.slug}", data=fields, base_url="https://localhost")  # no Referer, as we ask
    assert response.status_code == 200
    assert "We received your concern" in response.get_data(as_text=True)


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda p: str(p.relative_to(ROOT)))
def test_templates_have_no_inline_script_style_or_handlers(template):
    text = template.read_text()
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", text), "inline <script>"
    assert "<style" not in text
    assert not re.search(r"\sstyle=", text)
    assert not re.search(r"\son[a-z]+=", text, re.I)
    assert not re.search(r"\|\s*safe\b", text), "|safe in a template"


@pytest.mark.parametrize("path", TEMPLATES + STATIC_TEXT, ids=lambda p: str(p.relative_to(ROOT)))
def test_nothing_is_loaded_from_a_third_party(path):
    text = path.read_text()
    urls = (re.findall(r"""(?:src|href)\s*=\s*["']?(?:https?:)?//""", text)
            + re.findall(r"url\(\s*['\"]?(?:https?:)?//", text))
    assert urls == []
    assert "@import" not in text


@pytest.mark.parametrize("slug", ["%00", "x%00y", "A" * 300, "%E2%80%AE"])
def test_a_slug_we_could_not_have_made_is_simply_not_found(client, slug):
    assert client.get(f"/t/{slug}").status_code == 404


def test_a_page_not_found_leaks_nothing(client):
    response = client.get("/t/<script>")
    page = response.get_data(as_text=True)
    assert response.status_code == 404
    assert "Page not found" in page and "<script>" not in page


def test_a_wrong_method_gets_a_plain_page(client):
    response = client.delete("/receipt")
    assert response.status_code == 405
    assert "That did not work" in response.get_data(as_text=True)


def test_an_unexpected_error_shows_a_calm_page_without_details(make_app, monkeypatch):
    app = make_app()
    app.config["PROPAGATE_EXCEPTIONS"] = False

    def explode(*_args):
        raise RuntimeError("secret internal detail /srv/path")

    monkeypatch.setattr("feedback.services.intake.town_halls.open_town_halls", explode)
    response = app.test_client().get("/")
    page = response.get_data(as_text=True)
    assert response.status_code == 500
    assert "Something went wrong on our side" in page
    assert "secret internal detail" not in page and "Traceback" not in page


def test_an_oversized_post_is_refused_politely(client, db_session):
    hall = make_town_hall(db_session)
    response = send_concern(client, hall.slug, "x" * 300_000)
    assert response.status_code == 413
    assert "too large" in response.get_data(as_text=True)


def test_a_bad_csrf_token_on_the_receipt_form_is_a_plain_400(client):
    response = client.post("/receipt", data={"code": "ABCD", "csrf_token": "forged"})
    assert response.status_code == 400
    assert "Something went wrong with that request" in response.get_data(as_text=True)
