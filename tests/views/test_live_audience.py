"""A live session's audience pages as a phone in the room sees them: join, ask, the approved questions, "me too",
the polled feed and the QR code; and what an attacker gets from them (no votes without the page's cookie, no
address in the vote table, nothing pending or named shown)."""

from __future__ import annotations

import re

import pytest
import segno
import sqlalchemy as sa

from feedback import clock, live_http
from feedback.models import HIDDEN_REASONS, LiveQuestion, LiveVote
from feedback.services.live import questions, sessions
from tests.browsing import hidden_fields, text
from tests.factories import make_town_hall
from tests.live_pages import MODERATOR, ask, ask_and_approve, asked, me_too, start


@pytest.fixture
def live(db_session, hall):
    return start(db_session, hall)


def question_item(page: str, submission_id) -> str | None:
    """The <li> of a question on a page, or None."""
    found = re.search(rf'<li id="q-{submission_id}"[^>]*>.*?</li>', page, re.S)
    return found.group(0) if found else None


def votes_shown(client, code: str, submission_id) -> int:
    found = re.search(rf'<li id="q-{submission_id}" data-votes="(\d+)"', client.get(f"/live/{code}/feed").text)
    assert found, "the question is not in the feed"
    return int(found.group(1))


# --- joining --------------------------------------------------------------------------------------------------

def test_the_join_page_takes_an_event_code_as_typed_and_opens_its_live_page(client, live):
    assert 'name="code"' in text(client.get("/live"))
    typed = f"{live.code[:3].lower()}-{live.code[3:].lower()}"
    response = client.get("/live", query_string={"code": typed})
    assert response.status_code == 302 and response.headers["Location"] == f"/live/{live.code}"


def test_an_unknown_code_gets_the_join_form_again_with_a_message_and_the_code_kept(client, live):
    response = client.get("/live", query_string={"code": "ZZZ 999"})
    assert response.status_code == 404
    page = text(response)
    assert "No live session is running with that code" in page and 'value="ZZZ 999"' in page


def test_guessing_event_codes_is_refused_after_so_many_misses_a_network_and_running_codes_never_count(make_app):
    app = make_app(LIVE_CODE_MISS_RATE_LIMIT="4 per day")
    session = app.extensions["feedback_db"]()
    live = start(session, make_town_hall(session))
    guesser, room = app.test_client(), app.test_client()
    for _ in range(5):  # the room's own lookups, many: not one counts
        for path in (f"/live/{live.code}", f"/live/{live.code}/feed", f"/live/{live.code}/qr.svg",
                     f"/live?code={live.code}"):
            assert room.get(path).status_code in (200, 302), path
    misses = ["/live/ZZZZZ2", "/live/ZZZZZ3/feed", "/live/ZZZZZ4/qr.svg", "/live?code=zzz-zz5"]
    assert [guesser.get(path).status_code for path in misses] == [404] * 4

    refused = guesser.get("/live?code=zzz-zz6")
    assert refused.status_code == 429
    page = text(refused)
    assert "Wait a minute" in page and 'value="zzz-zz6"' in page and 'name="code"' in page
    assert guesser.get("/live/ZZZZZ7").status_code == 429
    # Over the limit the room (one network with the guesser) still gets its running session: one guesser in the
    # hall must not stop every phone; the guesses stay held to the limit's rate all the same.
    for path in (f"/live/{live.code}", f"/live/{live.code}/feed", f"/live/{live.code}/qr.svg",
                 f"/live?code={live.code}"):
        assert room.get(path).status_code in (200, 302), path
    assert guesser.get("/live/ZZZZZ8/feed").status_code == 429
    session.close()


def test_a_code_typed_into_the_address_in_another_form_opens_its_page(client, live):
    response = client.get(f"/live/{live.code.lower()}")
    assert response.status_code == 302 and response.headers["Location"] == f"/live/{live.code}"


def test_an_ended_or_unknown_session_is_not_running_on_any_of_its_pages(client, db_session, live):
    submission_id = ask_and_approve(db_session, client, live.code)
    code = live.code
    tokens = hidden_fields(client.get(f"/live/{code}").text)
    sessions.end(db_session, live.id, by=MODERATOR, now=clock.now())
    for path in (f"/live/{code}", f"/live/{code}/feed", "/live/ZZZZZZ"):
        response = client.get(path)
        assert response.status_code == 404, path
        assert "This live session is not running" in text(response)
    assert client.get(f"/live/{code}/qr.svg").status_code == 404
    vote = client.post(f"/live/{code}/q/{submission_id}/vote", data=tokens)
    assert vote.status_code == 404 and "not running" in text(vote)


def test_a_question_sent_after_the_session_ended_is_shown_back_to_copy(client, db_session, live):
    page = client.get(f"/live/{live.code}").text
    sessions.end(db_session, live.id, by=MODERATOR, now=clock.now())
    data = {"comment": "Who decides the rota?", "identity_choice": "anonymous", **hidden_fields(page)}
    response = client.post(f"/live/{live.code}/ask", data=data)
    assert response.status_code == 404
    assert "not running" in text(response) and "Who decides the rota?" in text(response)


# --- asking ---------------------------------------------------------------------------------------------------

def test_the_audience_page_says_questions_are_moderated_and_has_the_ask_form(client, live, hall):
    page = text(client.get(f"/live/{live.code}"))
    assert hall.title in page
    assert "Questions are read by a moderator before they appear here" in page
    assert '<form id="ask"' in page and 'id="live-questions"' in page and 'id="on-screen"' in page
    assert re.search(r'<input checked id="identity_choice-0"[^>]* value="anonymous">', page)  # the default


def test_a_question_gets_the_town_halls_receipt_with_a_way_back_to_the_room(client, db_session, live):
    response = ask(client, live.code, "Why are the rotas posted so late?")
    assert response.status_code == 200
    page = text(response)
    assert 'id="receipt-code"' in page and "It was sent anonymously" in page
    assert f'href="/live/{live.code}"' in page
    question = db_session.get(LiveQuestion, asked(db_session, "Why are the rotas posted so late?"))
    assert question is not None and question.state == "pending" and question.live_session_id == live.id


def test_a_named_question_says_so_on_its_receipt(client, live):
    page = text(ask(client, live.code, "Who signs off the rota?", identity_choice="named", name="Ada Lovelace",
                    email="ada@example.org"))
    assert "Your name and email are encrypted" in page


def test_a_question_too_long_comes_back_with_its_text_and_the_message(client, live):
    long = "Why " + "so " * 2600 + "late?"
    response = ask(client, live.code, long)
    assert response.status_code == 422
    page = text(response)
    assert "Shorten your concern to 5,000 characters" in page and long in page
    assert 'http-equiv="refresh"' not in page  # a refresh would lose the text


def test_a_named_question_without_a_name_comes_back_filled_in(client, live):
    response = ask(client, live.code, "Who signs off the rota?", identity_choice="named", name="")
    assert response.status_code == 422
    assert "Write your name" in text(response) and "Who signs off the rota?" in text(response)


def test_a_question_from_an_expired_page_keeps_its_text(client, live):
    page = client.get(f"/live/{live.code}").text
    data = {**hidden_fields(page), "csrf_token": "expired", "comment": "Who decides the rota?",
            "identity_choice": "anonymous"}
    response = client.post(f"/live/{live.code}/ask", data=data)
    assert response.status_code == 400
    assert "the form expired" in text(response) and "Who decides the rota?" in text(response)


def test_too_many_questions_from_one_network_keep_the_text(make_app):
    app = make_app(LIVE_QUESTION_RATE_LIMIT="1 per day")
    client, session = app.test_client(), app.extensions["feedback_db"]()
    live = start(session, make_town_hall(session))
    assert ask(client, live.code, "First question").status_code == 200
    response = ask(client, live.code, "Second question")
    assert response.status_code == 429
    assert "Second question" in text(response) and "Please wait a minute" in text(response)
    session.close()


# --- what the room sees ---------------------------------------------------------------------------------------

def test_a_pending_question_is_not_shown_until_approved_then_a_dismissed_one_goes(client, db_session, live):
    assert ask(client, live.code, "Why are the rotas posted so late?").status_code == 200
    submission_id = asked(db_session, "Why are the rotas posted so late?")
    for path in (f"/live/{live.code}", f"/live/{live.code}/feed"):
        assert "Why are the rotas posted so late?" not in text(client.get(path)), path
    questions.approve(db_session, submission_id, by=MODERATOR, now=clock.now())
    for path in (f"/live/{live.code}", f"/live/{live.code}/feed"):
        item = question_item(text(client.get(path)), submission_id)
        assert item and 'data-votes="0"' in item and "Why are the rotas posted so late?" in item, path
    questions.dismiss(db_session, submission_id, reason=HIDDEN_REASONS[0], by=MODERATOR, now=clock.now())
    for path in (f"/live/{live.code}", f"/live/{live.code}/feed"):
        page = text(client.get(path))
        assert "Why are the rotas posted so late?" not in page and question_item(page, submission_id) is None


def test_the_question_on_screen_is_shown_as_such(client, db_session, live):
    submission_id = ask_and_approve(db_session, client, live.code)
    questions.show(db_session, submission_id, by=MODERATOR, now=clock.now())
    page = text(client.get(f"/live/{live.code}"))
    on_screen = page[page.index('id="on-screen"'):page.index('id="queue-title"')]
    assert question_item(on_screen, submission_id) is not None


def test_a_named_question_shows_no_name_or_email_to_the_room(client, db_session, live):
    response = ask(client, live.code, "Who signs off the rota?", identity_choice="named", name="Ada Lovelace",
                   email="ada@example.org")
    assert response.status_code == 200
    submission_id = asked(db_session, "Who signs off the rota?")
    questions.approve(db_session, submission_id, by=MODERATOR, now=clock.now())
    for path in (f"/live/{live.code}", f"/live/{live.code}/feed"):
        page = text(client.get(path))
        assert "Who signs off the rota?" in page
        assert "Ada" not in page and "Lovelace" not in page and "ada@example.org" not in page
        assert "named" not in question_item(page, submission_id).lower()


def test_the_moderators_redaction_is_what_the_room_reads(client, db_session, live):
    assert ask(client, live.code, "Dr Smith on ward 4 posts the rota late.").status_code == 200
    submission_id = asked(db_session, "Dr Smith on ward 4 posts the rota late.")
    questions.approve(db_session, submission_id, redacted_body="[name] posts the rota late.", by=MODERATOR,
                      now=clock.now())
    page = text(client.get(f"/live/{live.code}/feed"))
    assert "[name] posts the rota late." in page and "Smith" not in page


# --- "me too" -------------------------------------------------------------------------------------------------

def test_me_too_counts_once_per_browser(app, client, db_session, live):
    submission_id = ask_and_approve(db_session, client, live.code)
    first = me_too(client, live.code, submission_id)
    assert first.status_code == 303 and first.headers["Location"] == f"/live/{live.code}#q-{submission_id}"
    assert me_too(client, live.code, submission_id).status_code == 303
    assert votes_shown(client, live.code, submission_id) == 1
    other = app.test_client()
    assert me_too(other, live.code, submission_id, script=True).json == {
        "counted": True, "message": "You said “me too”."}
    assert votes_shown(client, live.code, submission_id) == 2
    again = me_too(other, live.code, submission_id, script=True)
    assert again.status_code == 200 and again.json == {"counted": True, "message": "You said “me too”."}
    assert votes_shown(client, live.code, submission_id) == 2


def test_a_counted_vote_and_a_repeated_one_answer_the_same_bytes(app, client, db_session, live):
    """Someone watching the network learns nothing from the answer's size about whether a vote counted."""
    submission_id = ask_and_approve(db_session, client, live.code)
    counted, repeated = (me_too(client, live.code, submission_id, script=True) for _ in range(2))
    assert (counted.status_code, counted.get_data()) == (repeated.status_code, repeated.get_data())
    other = app.test_client()
    first, again = me_too(other, live.code, submission_id), me_too(other, live.code, submission_id)
    assert (first.status_code, first.headers["Location"], first.get_data()) == (
        again.status_code, again.headers["Location"], again.get_data())
    cookies = [[len(c) for c in answer.headers.getlist("Set-Cookie")] for answer in (first, again)]
    assert cookies[0] == cookies[1]  # the session cookie carries the same message
    assert votes_shown(client, live.code, submission_id) == 2


def test_the_page_marks_the_questions_this_browser_said_me_too_to(app, client, db_session, live):
    voted = ask_and_approve(db_session, client, live.code, "Why are the rotas posted so late?")
    not_voted = ask_and_approve(db_session, client, live.code, "Who decides the rota?")
    me_too(client, live.code, voted)
    page = client.get(f"/live/{live.code}").text
    assert "You said me too" in question_item(page, voted) and "disabled" in question_item(page, voted)
    assert "disabled" not in question_item(page, not_voted)
    other = app.test_client().get(f"/live/{live.code}").text
    assert "disabled" not in question_item(other, voted)


def test_a_vote_without_the_pages_cookie_or_with_a_forged_one_is_refused(app, client, db_session, live):
    submission_id = ask_and_approve(db_session, client, live.code)
    page = client.get(f"/live/{live.code}").text
    client.delete_cookie("live_voter", path="/live")
    response = client.post(f"/live/{live.code}/q/{submission_id}/vote", data=hidden_fields(page))
    assert response.status_code == 400 and "open the page again" in text(response)
    client.set_cookie("live_voter", "a-forged-secret.signature", path="/live")
    response = client.post(f"/live/{live.code}/q/{submission_id}/vote", data=hidden_fields(page),
                           headers={"Accept": "application/json"})
    assert response.status_code == 400 and "open the page again" in response.json["message"]
    assert votes_shown(client, live.code, submission_id) == 0


def test_a_cross_site_vote_carries_no_cookie_and_counts_nothing(app, client, db_session, live):
    submission_id = ask_and_approve(db_session, client, live.code)
    attacker = app.test_client()  # a form on another site: none of our cookies, no CSRF token
    response = attacker.post(f"/live/{live.code}/q/{submission_id}/vote", headers={"Origin": "https://evil.example"})
    assert response.status_code == 400 and "open the page again" in text(response)
    assert votes_shown(client, live.code, submission_id) == 0
    assert "live_voter" not in response.headers.get("Set-Cookie", "")


def test_the_voter_cookie_is_signed_http_only_lax_and_for_the_live_pages_only(client, live):
    cookie = [c for c in client.get(f"/live/{live.code}").headers.getlist("Set-Cookie") if c.startswith("live_voter=")]
    assert len(cookie) == 1
    attributes = cookie[0].lower()
    assert "httponly" in attributes and "samesite=lax" in attributes and "path=/live" in attributes
    assert "max-age=86400" in attributes


def test_the_voter_cookie_is_secure_when_the_session_cookie_is(make_app):
    app = make_app(SESSION_COOKIE_SECURE=True)
    session = app.extensions["feedback_db"]()
    live = start(session, make_town_hall(session))
    cookies = app.test_client().get(f"/live/{live.code}", base_url="https://localhost").headers.getlist("Set-Cookie")
    assert any(c.startswith("live_voter=") and "; Secure" in c for c in cookies)
    session.close()


def test_without_javascript_me_too_comes_back_to_the_question_with_a_message(client, db_session, live):
    submission_id = ask_and_approve(db_session, client, live.code)
    page = text(client.get(me_too(client, live.code, submission_id).headers["Location"]))
    assert "You said “me too”." in page and "You said me too" in question_item(page, submission_id)


def test_a_vote_for_a_question_the_room_cannot_see_is_refused(client, db_session, live):
    assert ask(client, live.code, "Still pending").status_code == 200
    pending = asked(db_session, "Still pending")
    response = me_too(client, live.code, pending)
    assert response.status_code == 409 and "not open for votes" in text(response)
    assert db_session.scalar(sa.select(sa.func.count()).select_from(LiveVote)) == 0


def test_a_burst_of_votes_on_one_question_freezes_its_count_and_flags_it(make_app):
    app = make_app(LIVE_VOTE_BURST="2 per day")
    session = app.extensions["feedback_db"]()
    live = start(session, make_town_hall(session))
    first = app.test_client()
    busy = ask_and_approve(session, first, live.code, "Why are the rotas posted so late?")
    calm = ask_and_approve(session, first, live.code, "Who decides the rota?")
    for _ in range(4):
        assert me_too(app.test_client(), live.code, busy).status_code == 303
    assert me_too(first, live.code, calm).status_code == 303
    assert votes_shown(first, live.code, busy) == 2 and votes_shown(first, live.code, calm) == 1
    session.rollback()
    assert session.get(LiveQuestion, busy).flagged and not session.get(LiveQuestion, calm).flagged
    session.close()


def voter_cookie(response) -> list[str]:
    return [c for c in response.headers.getlist("Set-Cookie") if c.startswith("live_voter=")]


@pytest.mark.parametrize("storage", ["up", "down"])
def test_a_network_gets_so_many_new_voter_cookies_then_pages_without_one_whose_me_too_says_wait(
        make_app, monkeypatch, storage):
    app = make_app(LIVE_VOTER_RATE_LIMIT="2 per 10 minutes")
    limiter = app.extensions["feedback_limiter"]
    if storage == "down":  # Redis down: the memory fallback counts (the test app has none without Redis: give one)
        from limits.storage import MemoryStorage
        from limits.strategies import FixedWindowRateLimiter

        def storage_down(*_args, **_kwargs):
            raise ConnectionError("Redis is restarting")

        monkeypatch.setattr(limiter, "_fallback_limiter", FixedWindowRateLimiter(MemoryStorage()))
        monkeypatch.setattr(limiter._limiter, "hit", storage_down)
        monkeypatch.setattr(limiter._limiter, "test", storage_down)
    session = app.extensions["feedback_db"]()
    live = start(session, make_town_hall(session))
    first = app.test_client()
    submission_id = ask_and_approve(session, first, live.code)  # its page handed out one cookie
    second = app.test_client()
    assert voter_cookie(second.get(f"/live/{live.code}")) and voter_cookie(second.get(f"/live/{live.code}")) == []

    script = app.test_client()
    page = script.get(f"/live/{live.code}")
    assert page.status_code == 200 and "Me too" in page.text and voter_cookie(page) == []
    response = me_too(script, live.code, submission_id)
    assert response.status_code == 429 and "wait a few minutes" in text(response)
    answer = me_too(script, live.code, submission_id, script=True)
    assert answer.status_code == 429 and "Nothing is lost" in answer.json["message"]
    assert me_too(second, live.code, submission_id).status_code == 303  # a phone with its cookie still votes
    assert votes_shown(first, live.code, submission_id) == 1
    session.close()


def test_a_vote_counts_while_the_limiters_storage_is_down(app, client, db_session, live, monkeypatch):
    submission_id = ask_and_approve(db_session, client, live.code)

    def storage_down(*_args, **_kwargs):
        raise ConnectionError("Redis is restarting")

    monkeypatch.setattr(app.extensions["feedback_limiter"]._limiter, "hit", storage_down)
    assert me_too(client, live.code, submission_id).status_code == 303
    assert votes_shown(client, live.code, submission_id) == 1


def test_too_many_votes_from_one_network_are_refused_with_a_message(make_app):
    app = make_app(LIVE_VOTE_RATE_LIMIT="1 per day")
    session = app.extensions["feedback_db"]()
    live = start(session, make_town_hall(session))
    client = app.test_client()
    first = ask_and_approve(session, client, live.code, "Why are the rotas posted so late?")
    second = ask_and_approve(session, client, live.code, "Who decides the rota?")
    assert me_too(client, live.code, first).status_code == 303
    response = me_too(client, live.code, second, script=True)
    assert response.status_code == 429 and "Wait a minute" in response.json["message"]
    session.close()


def test_the_vote_table_holds_no_address(app, db_session, live):
    address = "203.0.113.77"
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    ids = [ask_and_approve(db_session, client, live.code, f"Question {n}") for n in range(3)]
    for submission_id in ids:
        assert me_too(client, live.code, submission_id).status_code == 303
    db_session.rollback()
    rows = db_session.execute(sa.select(LiveVote.__table__)).all()
    assert len(rows) == 3
    for row in rows:
        for value in row:
            raw = value.bytes if hasattr(value, "bytes") else value
            assert address not in str(value)
            assert address.encode() not in (raw if isinstance(raw, bytes) else str(raw).encode())
    assert len({row.voter_key for row in rows}) == 3  # one browser's keys are unrelated across questions


# --- the feed -------------------------------------------------------------------------------------------------

def test_the_feed_answers_304_until_something_changes(client, db_session, live):
    path = f"/live/{live.code}/feed"
    first = client.get(path)
    assert first.status_code == 200 and re.fullmatch(r'"[0-9a-f]{32}"', first.headers["ETag"])
    unchanged = client.get(path, headers={"If-None-Match": first.headers["ETag"]})
    assert unchanged.status_code == 304 and unchanged.data == b""
    submission_id = ask_and_approve(db_session, client, live.code)
    changed = client.get(path, headers={"If-None-Match": first.headers["ETag"]})
    assert changed.status_code == 200 and changed.headers["ETag"] != first.headers["ETag"]
    assert question_item(changed.text, submission_id) is not None
    assert client.get(path, headers={"If-None-Match": changed.headers["ETag"]}).status_code == 304
    both = f'{first.headers["ETag"]},W/{changed.headers["ETag"]}'  # a list, a weak tag: still the same version
    assert client.get(path, headers={"If-None-Match": both}).status_code == 304


def test_the_feeds_tag_moves_with_what_the_room_sees_only_and_tells_no_id_or_version(client, db_session, live):
    """Polling the feed does not tell when a question was asked (pending) or dismissed unseen."""
    path = f"/live/{live.code}/feed"
    shown = ask_and_approve(db_session, client, live.code, "Why are the rotas posted so late?")
    tag = client.get(path).headers["ETag"]
    assert re.fullmatch(r'"[0-9a-f]{32}"', tag)  # a hash of the fragment: no kind, session id or version in it
    db_session.expire_all()
    assert f"-{live.id}-" not in tag and not tag.endswith(f'-{sessions.version(db_session, live.id)}"')
    assert ask(client, live.code, "Who decides the rota?").status_code == 200  # pending: the room sees nothing
    unseen = asked(db_session, "Who decides the rota?")
    unchanged = client.get(path, headers={"If-None-Match": tag})
    assert unchanged.status_code == 304 and unchanged.headers["ETag"] == tag
    questions.dismiss(db_session, unseen, reason="spam", by=MODERATOR, now=clock.now())
    assert client.get(path, headers={"If-None-Match": tag}).status_code == 304
    questions.mark_answered(db_session, shown, by=MODERATOR, now=clock.now())
    changed = client.get(path, headers={"If-None-Match": tag})
    assert changed.status_code == 200 and changed.headers["ETag"] != tag
    approved_now = ask_and_approve(db_session, client, live.code, "Who signs off the rota?")
    again = client.get(path, headers={"If-None-Match": changed.headers["ETag"]})
    assert again.status_code == 200 and question_item(again.text, approved_now) is not None


def test_the_shared_feed_carries_no_csrf_token_and_no_browsers_marks(client, db_session, live):
    submission_id = ask_and_approve(db_session, client, live.code)
    me_too(client, live.code, submission_id)
    fragment = client.get(f"/live/{live.code}/feed").text
    assert "csrf_token" not in fragment and "disabled" not in fragment and "<script" not in fragment
    assert 'data-live-vote' in fragment


# --- the QR code and the page's safety ------------------------------------------------------------------------

def test_the_qr_code_is_our_own_svg_of_the_audience_address(client, live):
    response = client.get(f"/live/{live.code}/qr.svg")
    assert response.status_code == 200 and response.mimetype == "image/svg+xml"
    svg = response.text
    assert svg.startswith("<svg") and 'class="segno"' in svg
    address = f"http://localhost/live/{live.code}"
    expected = segno.make(address, error="m")
    assert f"QR code for {address}" in svg
    assert svg.count("<path") == 1 and _path(svg) == _path(expected.svg_inline(scale=8, border=2))
    other = segno.make(f"http://localhost/live/{live.code}X", error="m")
    assert _path(svg) != _path(other.svg_inline(scale=8, border=2))


def _path(svg: str) -> str:
    found = re.search(r' d="([^"]+)"', svg)
    assert found, "no path in the SVG"
    return found.group(1)


def live_pages(client, db_session, live) -> dict[str, str]:
    submission_id = ask_and_approve(db_session, client, live.code)
    questions.show(db_session, submission_id, by=MODERATOR, now=clock.now())
    return {
        "join": client.get("/live").text,
        "audience": client.get(f"/live/{live.code}").text,
        "feed": client.get(f"/live/{live.code}/feed").text,
        "receipt": ask(client, live.code, "Another question").text,
        "not running": client.get("/live/ZZZZZZ").text,
    }


def test_no_live_page_loads_or_links_anything_from_another_site_or_runs_inline_script(client, db_session, live):
    for name, page in live_pages(client, db_session, live).items():
        for address in re.findall(r'(?:src|href|action|data-live-feed)="([^"]*)"', page):
            assert address.startswith(("/", "#")), (name, address)
        assert not re.search(r"<script(?![^>]*\bsrc=)", page), name
        assert " style=" not in page, name
        assert not re.search(r"<[^>]+\son[a-z]+=", page), name


def test_the_audience_page_has_a_strict_csp_and_a_refresh_link_without_javascript(client, live):
    response = client.get(f"/live/{live.code}")
    policy = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy and "unsafe-eval" not in policy
    page = response.text
    # No refresh by itself: on a phone without JavaScript it would empty a question half typed.
    assert 'http-equiv="refresh"' not in page
    assert f'<noscript><p class="live-refresh"><a href="/live/{live.code}">Show the latest questions</a>' in page
    assert 'src="/static/js/live.js"' in page and 'href="/static/css/live.css"' in page
    assert '<meta name="csrf-token"' in page
    assert 'data-live-feed="/live/' + live.code + '/feed"' in page


def test_a_feed_rendered_a_moment_ago_is_served_again_and_the_change_follows_within_the_reuse_time(make_app,
                                                                                                   monkeypatch):
    """Votes at ten a second would have every worker render the room's feed for each one: a render younger than
    LIVE_FEED_REUSE_SECONDS is served for the newer version, and the change shows once it is older."""
    app = make_app(LIVE_FEED_REUSE_SECONDS=0.5)
    session = app.extensions["feedback_db"]()
    live = start(session, make_town_hall(session))
    client = app.test_client()
    ticking = [1000.0]
    monkeypatch.setattr(live_http.time, "monotonic", lambda: ticking[0])
    first = client.get(f"/live/{live.code}/feed")
    ask_and_approve(session, client, live.code, "Why are the rotas posted so late?")

    ticking[0] += 0.4  # the render is 0.4 s old: served again, under its own tag
    again = client.get(f"/live/{live.code}/feed", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and again.headers["ETag"] == first.headers["ETag"]

    ticking[0] += 0.2  # 0.6 s: rendered again, with the approved question
    fresh = client.get(f"/live/{live.code}/feed", headers={"If-None-Match": first.headers["ETag"]})
    assert fresh.status_code == 200 and "Why are the rotas posted so late?" in fresh.get_data(as_text=True)
    session.close()
