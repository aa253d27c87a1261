"""The presenter screen as the room's computer sees it, by its link's token: the question on screen, the queue
with its votes, "raised by N" and the moderator's notes, the QR code and event code; never an identity or text
that was not approved; nothing at all for a wrong, revoked or replaced token, or once the session ended."""

from __future__ import annotations

import re

import pytest

from feedback import clock
from feedback.models import HIDDEN_REASONS
from feedback.services.live import questions, sessions
from tests.browsing import text
from tests.live_pages import MODERATOR, ask, ask_and_approve, asked, me_too, start


@pytest.fixture
def live(db_session, hall):
    return start(db_session, hall)


@pytest.fixture
def token(db_session, live) -> str:
    return sessions.new_presenter_link(db_session, live.id, by=MODERATOR, now=clock.now())


def region(page: str, element_id: str) -> str:
    """The HTML of the element with this id, up to the end of its <section>."""
    start = page.index(f'id="{element_id}"')
    return page[start:page.index("</section>", start)]


def test_the_presenter_sees_the_question_on_screen_and_the_queue_with_votes_and_notes(app, client, db_session,
                                                                                     live, token):
    shown = ask_and_approve(db_session, client, live.code, "Why are the rotas posted so late?")
    waiting = ask_and_approve(db_session, client, live.code, "Who decides the rota?")
    questions.show(db_session, shown, by=MODERATOR, now=clock.now())
    questions.set_note(db_session, waiting, "Ask the head of nursing", by=MODERATOR, now=clock.now())
    me_too(client, live.code, waiting)
    me_too(app.test_client(), live.code, waiting)
    screen = client.get(f"/present/{token}")
    assert screen.status_code == 200
    page = text(screen)
    assert "Why are the rotas posted so late?" in region(page, "presenter-on-screen")
    queue = region(page, "presenter-queue")
    assert "Who decides the rota?" in queue and "2 “me too”" in queue and "Ask the head of nursing" in queue
    assert "Why are the rotas posted so late?" not in queue


def test_a_merged_question_is_raised_by_two(client, db_session, live, token):
    kept = ask_and_approve(db_session, client, live.code, "Why are the rotas posted so late?")
    assert ask(client, live.code, "Why is the rota always late?").status_code == 200
    questions.merge(db_session, asked(db_session, "Why is the rota always late?"), kept, by=MODERATOR,
                    now=clock.now())
    queue = region(text(client.get(f"/present/{token}")), "presenter-queue")
    assert "raised by 2" in queue and "Why is the rota always late?" not in queue


def test_the_presenter_never_sees_pending_dismissed_or_named_text(client, db_session, live, token):
    assert ask(client, live.code, "Still pending").status_code == 200
    dismissed = ask_and_approve(db_session, client, live.code, "Dismissed one")
    questions.dismiss(db_session, dismissed, reason=HIDDEN_REASONS[0], by=MODERATOR, now=clock.now())
    assert ask(client, live.code, "Who signs off the rota?", identity_choice="named", name="Ada Lovelace",
               email="ada@example.org").status_code == 200
    questions.approve(db_session, asked(db_session, "Who signs off the rota?"), by=MODERATOR, now=clock.now())
    for path in (f"/present/{token}", f"/present/{token}/feed"):
        page = text(client.get(path))
        assert "Who signs off the rota?" in page, path
        for hidden in ("Still pending", "Dismissed one", "Ada", "Lovelace", "ada@example.org"):
            assert hidden not in page, (path, hidden)
        shown = page[page.index("<main"):page.index("</main>")] if "<main" in page else page  # not the footer
        assert not re.search(r"\bnamed\b", shown, re.I), path


def test_the_screen_shows_the_qr_code_and_the_event_code(client, live, token):
    page = text(client.get(f"/present/{token}"))
    assert f'src="/live/{live.code}/qr.svg"' in page
    assert f'<p class="presenter-code" id="presenter-code">{live.code}</p>' in page
    assert f'http://localhost/live/{live.code}' in page  # in the image's text alternative


def test_a_wrong_token_sees_nothing(client, live, token):
    for path in ("/present/not-the-token", "/present/not-the-token/feed", f"/present/{token}x"):
        response = client.get(path)
        assert response.status_code == 404, path
        assert live.code not in response.text


def test_a_revoked_token_sees_nothing_at_once(client, db_session, live, token):
    ask_and_approve(db_session, client, live.code, "Why are the rotas posted so late?")
    assert client.get(f"/present/{token}").status_code == 200
    sessions.revoke_presenter_link(db_session, live.id, by=MODERATOR, now=clock.now())
    for path in (f"/present/{token}", f"/present/{token}/feed"):
        response = client.get(path)
        assert response.status_code == 404 and "Why are the rotas posted so late?" not in response.text, path
        assert "Presenter screen not available" in text(response)


def test_a_replaced_token_sees_nothing_and_the_new_one_does(client, db_session, live, token):
    newer = sessions.new_presenter_link(db_session, live.id, by=MODERATOR, now=clock.now())
    assert client.get(f"/present/{token}").status_code == 404
    assert client.get(f"/present/{token}/feed").status_code == 404
    assert client.get(f"/present/{newer}").status_code == 200
    assert client.get(f"/present/{newer}/feed").status_code == 200


def test_an_ended_session_shows_nothing_on_the_presenter_screen(client, db_session, live, token):
    ask_and_approve(db_session, client, live.code, "Why are the rotas posted so late?")
    sessions.end(db_session, live.id, by=MODERATOR, now=clock.now())
    for path in (f"/present/{token}", f"/present/{token}/feed"):
        response = client.get(path)
        assert response.status_code == 404 and "Why are the rotas posted so late?" not in response.text, path


def test_the_presenter_feed_answers_304_until_a_note_changes(client, db_session, live, token):
    submission_id = ask_and_approve(db_session, client, live.code)
    path = f"/present/{token}/feed"
    first = client.get(path)
    assert first.status_code == 200 and re.fullmatch(r'"[0-9a-f]{32}"', first.headers["ETag"])
    assert client.get(path, headers={"If-None-Match": first.headers["ETag"]}).status_code == 304
    questions.set_note(db_session, submission_id, "Keep it short", by=MODERATOR, now=clock.now())
    changed = client.get(path, headers={"If-None-Match": first.headers["ETag"]})
    assert changed.status_code == 200 and "Keep it short" in changed.text
    # The audience's feed of the same version is another fragment: it never carries the note.
    assert "Keep it short" not in client.get(f"/live/{live.code}/feed").text


def test_the_presenter_page_is_not_indexed_sends_no_referrer_and_runs_no_inline_script(client, live, token):
    response = client.get(f"/present/{token}")
    assert response.headers["X-Robots-Tag"].startswith("noindex")
    assert response.headers["Referrer-Policy"] == "no-referrer"
    policy = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy
    page = response.text
    assert not re.search(r"<script(?![^>]*\bsrc=)", page) and " style=" not in page
    assert '<noscript><meta http-equiv="refresh" content="10"></noscript>' in page
    assert f'data-live-feed="/present/{token}/feed"' in page and 'src="/static/js/live.js"' in page
    for address in re.findall(r'(?:src|href|action|data-live-feed)="([^"]*)"', page):
        assert address.startswith(("/", "#")), address
    assert client.get("/present/not-the-token").headers["X-Robots-Tag"].startswith("noindex")
