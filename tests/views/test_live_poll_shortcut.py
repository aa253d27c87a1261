"""The audience feed before Flask (live_http.PollShortcut): a poll answered by the view a moment ago, for the same
language, is answered again (304 or the fragment) without the database, with the same headers; anything else
reaches the view."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from feedback import live_http
from feedback.clock import now as clock_now
from feedback.models import StaffUser
from feedback.services.live import sessions
from tests.factories import make_town_hall
from tests.live_pages import MODERATOR, ask_and_approve, start
from tests.staff import staff_client


@pytest.fixture
def room(make_app, monkeypatch):
    """An app reusing polls for 0.5 s, a running session, a clock the test moves, and a count of the view's
    look-ups of the session (each poll that reaches the view looks it up once)."""
    app = make_app(LIVE_FEED_REUSE_SECONDS=0.5)
    session = app.extensions["feedback_db"]()
    live = start(session, make_town_hall(session))
    clock = [1000.0]
    monkeypatch.setattr(live_http.time, "monotonic", lambda: clock[0])
    looked_up = []
    real_running = sessions.running

    def counted(db, code):
        looked_up.append(code)
        return real_running(db, code)

    monkeypatch.setattr(sessions, "running", counted)
    yield app, session, live, clock, looked_up
    session.close()


def poll(client, code, tag=None, **headers):
    return client.get(f"/live/{code}/feed", headers={**({"If-None-Match": tag} if tag else {}), **headers})


def test_a_poll_answered_a_moment_ago_is_answered_304_again_without_the_view(room):
    app, _, live, clock, looked_up = room
    client = app.test_client()
    first = poll(client, live.code)
    assert first.status_code == 200 and looked_up == [live.code]
    clock[0] += 0.4
    again = poll(client, live.code, first.headers["ETag"])
    assert again.status_code == 304 and again.headers["ETag"] == first.headers["ETag"]
    assert looked_up == [live.code]  # not looked up again: answered before Flask


def test_the_shortcut_answers_with_the_headers_the_view_sends(room):
    app, _, live, clock, looked_up = room
    client = app.test_client()
    tag = poll(client, live.code).headers["ETag"]
    clock[0] += 0.6  # the answer is too old to give again: through the view
    by_view = poll(client, live.code, tag)
    by_shortcut = poll(client, live.code, tag)
    assert len(looked_up) == 2 and by_view.status_code == by_shortcut.status_code == 304
    assert sorted(by_shortcut.headers.items()) == sorted(by_view.headers.items())
    assert "no-store" in by_shortcut.headers["Cache-Control"]
    assert "default-src 'none'" in by_shortcut.headers["Content-Security-Policy"]
    assert by_shortcut.data == b""


def test_a_poll_after_the_reuse_time_reaches_the_view_and_sees_what_changed(room):
    app, session, live, clock, looked_up = room
    client = app.test_client()
    tag = poll(client, live.code).headers["ETag"]
    ask_and_approve(session, client, live.code, "Why are the rotas posted so late?")
    clock[0] += 0.6
    fresh = poll(client, live.code, tag)
    assert fresh.status_code == 200 and "Why are the rotas posted so late?" in fresh.get_data(as_text=True)


def test_a_browser_without_the_current_tag_gets_the_views_fragment_and_headers_without_the_view(room):
    app, _, live, clock, looked_up = room
    client = app.test_client()
    by_view = poll(client, live.code)
    for held in ('"0123456789abcdef0123456789abcdef"', None):  # an older tag, or a first poll
        by_shortcut = poll(client, live.code, held)
        assert by_shortcut.status_code == 200 and by_shortcut.data == by_view.data
        assert sorted(by_shortcut.headers.items()) == sorted(by_view.headers.items())
    assert len(looked_up) == 1


def test_a_reused_fragment_is_given_again_only_until_the_reuse_time_after_its_render(room):
    """The view may serve a fragment rendered up to LIVE_FEED_REUSE_SECONDS ago; the shortcut counts from the
    render, not from that answer, so the room is never more than the reuse time behind the database."""
    app, session, live, clock, looked_up = room
    client = app.test_client()
    poll(client, live.code)  # rendered at 1000.0
    ask_and_approve(session, client, live.code, "Why are the rotas posted so late?")
    clock[0] += 0.4
    app.extensions["feedback_poll_shortcut"]._recent.clear()  # as when its entries were dropped
    other = poll(client, live.code)  # the view reuses the 1000.0 render, and the shortcut remembers it
    assert "Why are the rotas posted so late?" not in other.get_data(as_text=True)
    clock[0] += 0.15  # 0.55 s after the render: its answer is not given again
    fresh = poll(client, live.code)
    assert "Why are the rotas posted so late?" in fresh.get_data(as_text=True)


@pytest.mark.parametrize("switch", ["cookie", "header"])
def test_another_language_is_not_answered_from_this_ones_poll(room, switch):
    app, _, live, clock, looked_up = room
    client = app.test_client()
    tag = poll(client, live.code).headers["ETag"]
    if switch == "cookie":
        client.set_cookie("lang", "es")
        poll(client, live.code, tag)
    else:
        poll(client, live.code, tag, **{"Accept-Language": "es"})
    assert len(looked_up) == 2


def test_an_ended_session_is_gone_once_the_reuse_time_has_passed(room):
    app, session, live, clock, looked_up = room
    client = app.test_client()
    tag = poll(client, live.code).headers["ETag"]
    sessions.end(session, live.id, by=MODERATOR, now=clock_now())
    clock[0] += 0.5
    assert poll(client, live.code, tag).status_code == 404


def test_without_reuse_every_poll_reaches_the_view(make_app):
    app = make_app(LIVE_FEED_REUSE_SECONDS=0)
    session = app.extensions["feedback_db"]()
    live = start(session, make_town_hall(session))
    client = app.test_client()
    tag = poll(client, live.code).headers["ETag"]
    sessions.end(session, live.id, by=MODERATOR, now=clock_now())
    assert poll(client, live.code, tag).status_code == 404
    session.close()


def test_a_staff_members_poll_in_their_stored_language_is_not_given_to_the_room(room):
    """Their page follows their account's language, which no cookie or header of the room's phones says."""
    app, session, live, clock, looked_up = room
    staff = staff_client(app, "facilitator")
    session.execute(sa.update(StaffUser).values(language="es"))
    session.commit()
    assert "On screen now" not in poll(staff, live.code).get_data(as_text=True)  # theirs is in Spanish
    phone = poll(app.test_client(), live.code)
    assert len(looked_up) == 2 and "On screen now" in phone.get_data(as_text=True)


def test_cookies_headers_and_the_codes_spelling_cannot_grow_what_the_shortcut_keeps(room):
    """Keyed by the code as stored and the language the page is in, not by the raw cookie or header: a script
    sending a thousand different ones keeps one answer per language, and every spelling of the code shares it."""
    app, _, live, clock, looked_up = room
    client = app.test_client()
    for n in range(60):
        poll(client, live.code, **{"Accept-Language": f"en;q=0.{n % 10}, x-{n}" + "x" * 2000})
    client.set_cookie("lang", "not-ours")
    poll(client, live.code.lower())
    assert len(app.extensions["feedback_poll_shortcut"]._recent) == 1 and len(looked_up) == 1
