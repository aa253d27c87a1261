"""The submission and receipt forms, validated as a POST would be."""

from __future__ import annotations

import pytest

from feedback.crypto import new_form_token
from feedback.forms.public import ReceiptForm, SubmissionForm

AFFILIATIONS = ["student", "faculty", "staff", "other", "prefer not to say"]


@pytest.fixture
def post_form(app):
    app.config["WTF_CSRF_ENABLED"] = False

    def post(form_class=SubmissionForm, **data):
        data.setdefault("form_token", new_form_token())
        data.setdefault("identity_choice", "anonymous")
        with app.test_request_context(method="POST", data=data):
            kwargs = {"affiliations": AFFILIATIONS} if form_class is SubmissionForm else {}
            form = form_class(**kwargs)
            form.validate()
            return form

    return post


def test_a_plain_concern_is_valid_and_normalised(post_form):
    form = post_form(comment="  Cafe\u0301 hours\r\nare short\x00  ")
    assert not form.errors
    assert form.comment.data == "Café hours\nare short"


@pytest.mark.parametrize("comment", ["", "   \n\t ", "\x00\x01"])
def test_an_empty_concern_is_refused_with_a_message(post_form, comment):
    form = post_form(comment=comment)
    assert form.comment.errors == ["Write your concern before sending it."]


def test_five_thousand_characters_are_allowed_after_normalisation(post_form):
    assert not post_form(comment="  " + "x" * 5000 + "\x00\x00  ").errors


def test_five_thousand_and_one_characters_are_refused(post_form):
    form = post_form(comment="x" * 5001)
    assert form.comment.errors == ["Shorten your concern to 5,000 characters or fewer."]


def test_an_affiliation_outside_the_list_is_refused(post_form):
    assert post_form(comment="ok", affiliation="dean").affiliation.errors
    assert not post_form(comment="ok", affiliation="staff").errors
    assert not post_form(comment="ok").errors  # optional


def test_choosing_to_add_a_name_requires_one(post_form):
    form = post_form(comment="ok", identity_choice="named")
    assert form.name.errors == ["Write your name, or choose to send it anonymously."]


def test_allowing_contact_requires_an_email(post_form):
    form = post_form(comment="ok", identity_choice="named", name="Amara", contact_ok="y")
    assert form.email.errors == ["Add your email so a facilitator can contact you, or untick the contact box."]


def test_a_malformed_email_is_refused(post_form):
    form = post_form(comment="ok", identity_choice="named", name="Amara", email="amara-at-example")
    assert form.email.errors == ["Enter an email address like name@example.org."]


def test_name_fields_are_ignored_when_sending_anonymously(post_form):
    form = post_form(comment="ok", identity_choice="anonymous", email="not an email", contact_ok="y")
    assert not form.errors


@pytest.mark.parametrize("token", ["", "short", "x" * 43 + "!", "<script>" * 6])
def test_a_missing_or_forged_form_token_is_refused(post_form, token):
    assert post_form(comment="ok", form_token=token).form_token.errors


def test_the_receipt_form_requires_a_code(post_form):
    assert post_form(ReceiptForm, code="  ").code.errors == ["Enter your receipt code."]
