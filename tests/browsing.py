"""Use the public pages as a browser would: fetch a form, keep its hidden tokens, post it back."""

from __future__ import annotations

import re
import urllib.parse
import urllib.request
from html import unescape
from http.cookiejar import CookieJar

from markupsafe import escape

_HIDDEN = re.compile(r'<input[^>]* name="(csrf_token|form_token|seen)"[^>]* value="([^"]*)"')
RECEIPT_CODE = re.compile(r'<p class="receipt-code" id="receipt-code">([0-9A-Z-]+)</p>')


def hidden_fields(html: str) -> dict[str, str]:
    found = {}
    for name, value in _HIDDEN.findall(html):
        found.setdefault(name, unescape(value))
    return found


def submission_form(client, slug: str) -> dict[str, str]:
    """The hidden fields of a fresh submission form for a town hall."""
    response = client.get(f"/t/{slug}")
    assert response.status_code == 200, response.status_code
    return hidden_fields(response.get_data(as_text=True))


def send_concern(client, slug: str, comment: str = "The call schedule is unfair.", **fields):
    """Fill in and post the submission form; returns the response."""
    data = {"comment": comment, "identity_choice": "anonymous", **submission_form(client, slug), **fields}
    return client.post(f"/t/{slug}", data=data)


def receipt_code(response) -> str:
    match = RECEIPT_CODE.search(response.get_data(as_text=True))
    assert match, "no receipt code on the page"
    return match.group(1)


def csrf_for(client, path: str) -> str:
    """The CSRF token of the form on the page at path."""
    return hidden_fields(client.get(path).get_data(as_text=True))["csrf_token"]


def post_form(client, path: str, page: str, **fields):
    """Post a form found on page (its CSRF token comes from there)."""
    return client.post(path, data={"csrf_token": csrf_for(client, page), **fields})


def text(response) -> str:
    """The response's page as a reader sees it (entities decoded)."""
    return unescape(response.get_data(as_text=True))


def check_receipt(client, code: str):
    """Type a receipt code into "Check a receipt" and send it."""
    return post_form(client, "/receipt", "/receipt", code=code)


def without_csrf(page: str) -> str:
    """The page with its CSRF tokens blanked: a token carries the second it was made, so two renders differ by it."""
    return re.sub(r'name="csrf_token" type="hidden" value="[^"]*"', "CSRF", page)


def normalised(page: str, code: str) -> str:
    """The page with its CSRF token, the code typed and its padding blanked, so answers to different codes compare."""
    page = without_csrf(page)
    return page.replace(f'value="{escape(code)}"', "CODE").rstrip()


def send_concern_over_http(base_url: str, slug: str, comment: str, name: str, email: str, query: str = "",
                           headers: dict[str, str] | None = None) -> str:
    """Fetch the form and post it back, named, over real HTTP with a cookie jar; returns the receipt code shown."""
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))
    form = opener.open(f"{base_url}/t/{slug}{query}", timeout=10).read().decode()
    data = {"comment": comment, "identity_choice": "named", "name": name, "email": email, **hidden_fields(form)}
    request = urllib.request.Request(f"{base_url}/t/{slug}", data=urllib.parse.urlencode(data).encode(),
                                     headers=headers or {})
    page = opener.open(request, timeout=10)
    assert page.status == 200
    match = RECEIPT_CODE.search(page.read().decode())
    assert match, "no receipt on the page"
    return match.group(1)
