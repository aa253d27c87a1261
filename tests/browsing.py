"""Use the public pages as a browser would: fetch a form, keep its hidden tokens, post it back."""

from __future__ import annotations

import re
from html import unescape

_HIDDEN = re.compile(r'<input[^>]* name="(csrf_token|form_token)"[^>]* value="([^"]*)"')
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
    return hidden_fields(client.get(path).get_data(as_text=True))["csrf_token"]
