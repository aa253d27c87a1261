"""Issue 12, item 3: submitter pages are padded to fixed sizes, so a response's length says nothing."""

from __future__ import annotations

import re
import uuid

import pytest

from feedback import clock
from feedback.forms.escrow import ANSWER_MAX
from feedback.forms.public import COMMENT_MAX
from feedback.padding import BUCKET
from feedback.services.live import sessions
from tests import live_pages
from tests.browsing import check_receipt, hidden_fields, receipt_code, send_concern

# What a text's length can cost on the page: plain letters, "&" (5 bytes as "&amp;"), emoji (4 bytes each).
TEXTS = ["x", "x" * 10, "x" * COMMENT_MAX, "&" * COMMENT_MAX, "\N{GRINNING FACE}" * COMMENT_MAX,
         "Plain words, a line break\nand more. " * (COMMENT_MAX // 36)]


def wire_size(response) -> int:
    """What an observer of the connection (or a log's size column) can measure: headers and body."""
    headers = sum(len(f"{name}: {value}\r\n") for name, value in response.headers.items())
    return headers + len(response.get_data())


def send_named(client, slug: str, comment: str = "x" * 10):
    return send_concern(client, slug, comment, identity_choice="named", name="Ngozi Abernathy-Cole",
                        email="ngozi@example.org", contact_ok="y")


def test_a_named_and_an_anonymous_receipt_page_have_the_same_size(client, hall):
    named, anonymous = send_named(client, hall.slug), send_concern(client, hall.slug, "x" * 10)
    assert named.status_code == anonymous.status_code == 200
    assert "encrypted" in named.get_data(as_text=True) and "anonymously" in anonymous.get_data(as_text=True)
    assert len(named.get_data()) == len(anonymous.get_data()) == BUCKET
    assert wire_size(named) == wire_size(anonymous)


def test_status_pages_have_one_size_whatever_the_length_of_the_text(client, hall):
    sizes = set()
    for text in TEXTS:
        status = check_receipt(client, receipt_code(send_concern(client, hall.slug, text)))
        assert status.status_code == 200
        sizes.add((len(status.get_data()), wire_size(status)))
    named = check_receipt(client, receipt_code(send_named(client, hall.slug, "x" * COMMENT_MAX)))
    sizes.add((len(named.get_data()), wire_size(named)))
    assert len(sizes) == 1 and sizes.pop()[0] == BUCKET


def test_answers_withdrawals_and_wrong_codes_answer_in_the_same_size(client, hall):
    sizes = set()
    for text in ["x", "&" * ANSWER_MAX]:
        code = receipt_code(send_concern(client, hall.slug, "x" * 10))
        status = check_receipt(client, code)
        answered = client.post("/receipt/reply", data={"code": code, "answer": text,
                                                       **hidden_fields(status.get_data(as_text=True))})
        assert text[:1] in answered.get_data(as_text=True)
        withdrawn = client.post("/receipt/withdraw", data={"code": code, "confirm": "y",
                                                           **hidden_fields(answered.get_data(as_text=True))})
        assert "was withdrawn" in withdrawn.get_data(as_text=True)
        sizes |= {len(answered.get_data()), len(withdrawn.get_data())}
    sizes.add(len(check_receipt(client, "ABCD-2345-EFGH-6789-JKMN").get_data()))  # no such receipt
    assert sizes == {BUCKET}


@pytest.mark.parametrize("path", ["/", "/receipt"])
def test_other_submitter_pages_are_padded_too(client, path):
    assert len(client.get(path).get_data()) == BUCKET


def test_a_refused_submission_keeps_its_text_in_a_page_of_the_same_size(client, hall):
    refused = send_concern(client, hall.slug, "x" * (COMMENT_MAX + 1))
    assert refused.status_code == 422 and "x" * (COMMENT_MAX + 1) in refused.get_data(as_text=True)
    assert len(refused.get_data()) == BUCKET


def test_staff_pages_and_static_files_are_not_padded(client):
    assert len(client.get("/login").get_data()) < BUCKET
    assert len(client.get("/static/js/copy.js").get_data()) < BUCKET


SCRIPT_SRC = re.compile(r'<script\b[^>]*\bsrc="([^"]+)"')


def test_every_submitter_page_loads_the_same_scripts(client, hall):
    """A script only the receipt page fetched (copy.js) told a network observer a submission was stored."""
    pages = {"town halls": client.get("/"), "form": client.get(f"/t/{hall.slug}")}
    pages["receipt"] = send_concern(client, hall.slug, "x" * 10)
    pages["refused"] = send_concern(client, hall.slug, "")
    pages["check"] = client.get("/receipt")
    code = receipt_code(pages["receipt"])
    pages["status"] = check_receipt(client, code)
    pages["wrong code"] = check_receipt(client, "ABCD-2345-EFGH-6789-JKMN")
    pages["withdrawn"] = client.post("/receipt/withdraw", data={
        "code": code, "confirm": "y", **hidden_fields(pages["status"].get_data(as_text=True))})
    pages["not found"] = client.get("/t/no-such-hall")
    assert pages["refused"].status_code == 422 and pages["not found"].status_code == 404
    assert "was withdrawn" in pages["withdrawn"].get_data(as_text=True)
    scripts = {name: SCRIPT_SRC.findall(page.get_data(as_text=True)) for name, page in pages.items()}
    assert len({tuple(found) for found in scripts.values()}) == 1, scripts
    assert any("copy.js" in src for src in scripts["form"]) and any("back-notice.js" in src for src in scripts["form"])
    assert any("pad-form.js" in src for src in scripts["form"])  # pads every form's request (issue 12, item 3)


def test_the_live_audience_page_loads_the_script_that_pads_its_ask_form(client, db_session, hall):
    live = live_pages.start(db_session, hall)
    scripts = SCRIPT_SRC.findall(client.get(f"/live/{live.code}").get_data(as_text=True))
    assert any("pad-form.js" in src for src in scripts) and any("live.js" in src for src in scripts)


# What pad-form.js adds to a form's request: filler the server ignores, never anyone's words.
PAD = {"pad": "Z" * (16 * 1024)}
FILLER = "Z" * 64


def assert_not_shown_back(response, status: int) -> str:
    page = response.get_data(as_text=True)
    assert response.status_code == status, (response.status_code, page[:300])
    assert FILLER not in page and 'name="pad"' not in page
    return page


def test_a_padded_concern_is_stored_and_the_pad_is_never_shown_back(client, hall):
    anonymous = send_concern(client, hall.slug, "x" * 10, **PAD)
    named = send_concern(client, hall.slug, "Named and padded.", identity_choice="named", name="Ngozi Abernathy-Cole",
                         email="ngozi@example.org", contact_ok="y", **PAD)
    assert "anonymously" in assert_not_shown_back(anonymous, 200)
    assert "encrypted" in assert_not_shown_back(named, 200)
    status = check_receipt(client, receipt_code(anonymous))
    assert "x" * 10 in assert_not_shown_back(status, 200)
    assert_not_shown_back(send_concern(client, hall.slug, "", **PAD), 422)  # refused: the form comes back
    expired = client.post(f"/t/{hall.slug}", data={"comment": "Kept after expiry", "identity_choice": "anonymous",
                                                   "csrf_token": "stale", **PAD})
    assert "Kept after expiry" in assert_not_shown_back(expired, 400)


def test_padded_receipt_forms_are_accepted_and_their_refusals_do_not_show_the_pad(client, hall):
    code = receipt_code(send_concern(client, hall.slug, "x" * 10))
    status = client.post("/receipt", data={"code": code, **hidden_fields(client.get("/receipt").get_data(as_text=True)),
                                           **PAD})
    status_page = assert_not_shown_back(status, 200)
    wrong = client.post("/receipt", data={"code": "ABCD-2345-EFGH-6789-JKMN", **hidden_fields(status_page), **PAD})
    assert_not_shown_back(wrong, 404)  # no such receipt
    too_long = client.post("/receipt/reply", data={"code": code, "answer": "y" * (ANSWER_MAX + 1),
                                                   **hidden_fields(status_page), **PAD})
    assert "y" * (ANSWER_MAX + 1) in assert_not_shown_back(too_long, 422)
    answered = client.post("/receipt/reply", data={"code": code, "answer": "A padded answer.",
                                                   **hidden_fields(status_page), **PAD})
    assert "A padded answer." in assert_not_shown_back(answered, 200)
    unconfirmed = client.post("/receipt/withdraw", data={"code": code, **hidden_fields(status_page), **PAD})
    assert_not_shown_back(unconfirmed, 422)
    withdrawn = client.post("/receipt/withdraw", data={"code": code, "confirm": "y", **hidden_fields(status_page),
                                                       **PAD})
    assert "was withdrawn" in assert_not_shown_back(withdrawn, 200)


def test_a_padded_live_question_is_stored_and_its_refusal_does_not_show_the_pad(client, db_session, hall):
    live = live_pages.start(db_session, hall)
    assert_not_shown_back(live_pages.ask(client, live.code, "Why are the rotas posted so late?", **PAD), 200)
    live_pages.asked(db_session, "Why are the rotas posted so late?")
    refused = live_pages.ask(client, live.code, "q" * (COMMENT_MAX + 1), **PAD)
    assert "q" * (COMMENT_MAX + 1) in assert_not_shown_back(refused, 422)


def test_a_padded_staff_post_after_the_session_ended_does_not_show_the_pad(client, hall):
    token = hidden_fields(client.get("/receipt").get_data(as_text=True))["csrf_token"]
    ended = client.post(f"/facilitate/s/{uuid.uuid4()}/reply",
                        data={"csrf_token": token, "body": "A careful reply", **PAD})
    assert "A careful reply</textarea>" in assert_not_shown_back(ended, 401)


def test_the_live_rooms_feeds_are_not_padded_and_its_pages_are(client, db_session, hall):
    """The feeds 1,000 phones poll hold only what the room's screen shows: padding them would cost 32 KiB a poll."""
    live = live_pages.start(db_session, hall)
    live_pages.ask_and_approve(db_session, client, live.code, "Why are the rotas posted so late?")
    token = sessions.new_presenter_link(db_session, live.id, by=live_pages.MODERATOR, now=clock.now())
    feed, screen_feed = client.get(f"/live/{live.code}/feed"), client.get(f"/present/{token}/feed")
    assert feed.status_code == screen_feed.status_code == 200
    assert "Why are the rotas posted so late?" in feed.get_data(as_text=True)
    assert len(feed.get_data()) < BUCKET and len(screen_feed.get_data()) < BUCKET
    assert len(client.get(f"/live/{live.code}").get_data()) == BUCKET
    assert len(client.get(f"/present/{token}").get_data()) == BUCKET
    assert len(live_pages.ask(client, live.code, "x" * 10).get_data()) == BUCKET  # the receipt
