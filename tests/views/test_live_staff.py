"""The moderator's side of a live session over HTTP: start and end it, the presenter link, and every button of the
queue (approve, redact, dismiss, merge, reorder, show, answered, notes, votes), as a facilitator would press them."""

from __future__ import annotations

import json
import re
import uuid

import pytest
import sqlalchemy as sa

from feedback import clock, crypto
from feedback.demo import live as demo_live
from feedback.demo import loader
from feedback.models import AuditEvent, DuplicateLink, LiveQuestion, LiveSession, LiveVote, Submission, TownHall
from feedback.services.intake import submitting
from feedback.services.live import questions, votes
from tests.browsing import hidden_fields, post_form, text
from tests.staff import staff_client

ASKED = "Why are the rotas for the night shift posted so late?"


def page_of(hall) -> str:
    return f"/facilitate/live/{hall.slug}"


def start(client, hall):
    return post_form(client, f"/facilitate/live/{hall.slug}/start", page_of(hall))


def running(db_session, hall) -> LiveSession:
    db_session.rollback()  # a fresh read: the app wrote in its own sessions
    live = db_session.scalar(sa.select(LiveSession).where(LiveSession.town_hall_id == hall.id,
                                                          LiveSession.state == "running"))
    assert live is not None
    return live


@pytest.fixture
def live(facilitator, db_session, hall) -> LiveSession:
    assert start(facilitator, hall).status_code == 302
    return running(db_session, hall)


def ask(db_session, ring, live: LiveSession, body: str = ASKED, name: str | None = None) -> uuid.UUID:
    """A question from the room (through the service the audience page calls); its submission's id."""
    identity = crypto.Identity(name=name, email="", contact_ok=False) if name else None
    new = submitting.NewSubmission(body=body, identity=identity)
    return questions.ask(db_session, ring, live.code, crypto.new_form_token(), new, clock.today()).submission_id


def press(client, hall, submission_id: uuid.UUID, action: str, **fields):
    """Press a button of the queue (its CSRF token from the live page)."""
    return post_form(client, f"/facilitate/live/q/{submission_id}/{action}", page_of(hall), **fields)


def approve(client, hall, submission_id: uuid.UUID, as_asked: str = ASKED, redacted: str | None = None):
    return press(client, hall, submission_id, "approve", shown=as_asked,
                 redacted=as_asked if redacted is None else redacted)


def approved(client, db_session, ring, hall, live, body: str) -> uuid.UUID:
    submission_id = ask(db_session, ring, live, body)
    assert approve(client, hall, submission_id, body).status_code == 302
    return submission_id


def flashed(client, hall) -> str:
    """The live page after a redirect, as a reader sees it (with the message the action left)."""
    return text(client.get(page_of(hall)))


def region(page: str, region_id: str) -> str:
    """One section of a page, by its id (the sections of these pages do not nest)."""
    match = re.search(rf'<section id="{region_id}".*?</section>', page, re.S)
    assert match, f"no #{region_id}"
    return match.group(0)


def audience_feed(client, live: LiveSession) -> str:
    response = client.get(f"/live/{live.code}/feed")
    assert response.status_code == 200
    return text(response)


def make_presenter_link(client, live: LiveSession, hall) -> str:
    response = post_form(client, f"/facilitate/live/{live.id}/presenter-link", page_of(hall))
    assert response.status_code == 200
    match = re.search(r'<p class="presenter-url" id="presenter-url">([^<]+)</p>', response.get_data(as_text=True))
    assert match, "no presenter link on the page"
    return match.group(1)


def stored_question(db_session, submission_id: uuid.UUID) -> tuple[LiveQuestion, Submission]:
    db_session.rollback()  # a fresh read: the app wrote in its own sessions
    return db_session.get_one(LiveQuestion, submission_id), db_session.get_one(Submission, submission_id)


def audit_of(db_session, submission_id: uuid.UUID | None = None) -> list[AuditEvent]:
    db_session.rollback()  # a fresh read: the app wrote in its own sessions
    query = sa.select(AuditEvent).order_by(AuditEvent.id)
    if submission_id is not None:
        query = query.where(AuditEvent.submission_id == submission_id)
    return list(db_session.scalars(query))


# --- starting, ending, the code -------------------------------------------------------------------------------------


def test_a_town_hall_without_a_live_session_offers_to_start_one(facilitator, hall):
    page = text(facilitator.get(page_of(hall)))
    assert "No live session is running for this town hall." in page
    assert "Start live session" in page


def test_starting_shows_the_code_the_audience_link_the_qr_code_and_an_empty_queue(facilitator, hall, db_session):
    response = start(facilitator, hall)
    assert response.status_code == 302 and response.headers["Location"].endswith(page_of(hall))
    live = running(db_session, hall)
    page = flashed(facilitator, hall)
    assert f"The live session has started. The event code is {live.code}" in page
    assert f'<p class="live-code" id="live-code">{live.code}</p>' in page
    assert f"http://localhost/live/{live.code}" in page
    assert f'src="/live/{live.code}/qr.svg"' in page
    assert f'data-live-feed="/facilitate/live/{live.id}/feed"' in page
    assert "No questions waiting." in region(page, "pending")
    assert "Start live session" not in page


def test_starting_twice_says_one_is_already_running(facilitator, hall, live):
    response = start(facilitator, hall)
    assert response.status_code == 302
    assert "This town hall already has a live session running." in flashed(facilitator, hall)


def test_an_unknown_town_hall_has_no_live_page(facilitator):
    assert facilitator.get("/facilitate/live/no-such-hall").status_code == 404


def test_ending_closes_the_audience_and_presenter_pages_and_leaves_the_questions_on_the_desk(
        facilitator, client, db_session, ring, hall, live):
    presenter_url = make_presenter_link(facilitator, live, hall)
    shown = approved(facilitator, db_session, ring, hall, live, "Will the night rota be posted a month ahead?")
    waiting = ask(db_session, ring, live, "Who decides the on-call pay?")
    response = post_form(facilitator, f"/facilitate/live/{live.id}/end", page_of(hall))
    assert response.status_code == 302
    page = flashed(facilitator, hall)
    assert "The live session has ended" in page and "Start live session" in page
    assert client.get(f"/live/{live.code}").status_code == 404
    assert client.get(presenter_url).status_code == 404
    assert client.get(presenter_url + "/feed").status_code == 404
    assert stored_question(db_session, shown)[1].status == "published"
    assert stored_question(db_session, waiting)[1].status == "pending"
    desk = text(facilitator.get(f"/facilitate/{hall.slug}"))
    assert "Will the night rota be posted a month ahead?" in desk and "Who decides the on-call pay?" in desk
    assert facilitator.get(f"/facilitate/live/{live.id}/print").status_code == 404
    assert "This live session has ended." in text(facilitator.get(f"/facilitate/live/{live.id}/feed"))


def test_ending_twice_says_it_has_ended(facilitator, hall, live):
    token = hidden_fields(facilitator.get(page_of(hall)).get_data(as_text=True))["csrf_token"]
    assert facilitator.post(f"/facilitate/live/{live.id}/end", data={"csrf_token": token}).status_code == 302
    assert facilitator.post(f"/facilitate/live/{live.id}/end", data={"csrf_token": token}).status_code == 302
    assert "This live session has already ended." in flashed(facilitator, hall)


def test_the_printable_page_has_the_title_the_code_in_large_type_the_qr_code_and_the_address(facilitator, hall,
                                                                                              live):
    page = text(facilitator.get(f"/facilitate/live/{live.id}/print"))
    assert hall.title in page
    assert f'<p class="live-print__code" id="live-code">{live.code}</p>' in page
    assert f'src="/live/{live.code}/qr.svg"' in page
    assert f"http://localhost/live/{live.code}" in page
    assert 'href="/static/css/print.css" media="print"' in page


# --- the queue ------------------------------------------------------------------------------------------------------


def test_a_question_waits_in_pending_with_a_named_marker_and_nothing_of_who_asked(facilitator, db_session, ring,
                                                                                 hall, live):
    ask(db_session, ring, live, "Can the rota go up before the tenth?", name="Dr Amara Okafor")
    pending = region(text(facilitator.get(page_of(hall))), "pending")
    assert "Can the rota go up before the tenth?" in pending
    assert "Named" in pending
    assert "Amara" not in pending


def test_approving_puts_the_question_on_the_audience_feed(facilitator, client, db_session, ring, hall, live):
    submission_id = ask(db_session, ring, live)
    assert ASKED not in audience_feed(client, live)
    response = approve(facilitator, hall, submission_id)
    assert response.status_code == 302
    page = flashed(facilitator, hall)
    assert "Approved: the question is at the end of the queue" in page
    assert ASKED in region(page, "approved") and ASKED not in region(page, "pending")
    assert ASKED in audience_feed(client, live)
    assert stored_question(db_session, submission_id)[1].status == "published"


def test_approving_with_a_redaction_shows_the_room_only_the_redacted_text(facilitator, client, db_session, ring,
                                                                          hall, live):
    submission_id = ask(db_session, ring, live, "Why does Dr Patel post the rota late?")
    response = approve(facilitator, hall, submission_id, "Why does Dr Patel post the rota late?",
                       redacted="Why does [a consultant] post the rota late?")
    assert response.status_code == 302
    assert "Approved with your redaction" in flashed(facilitator, hall)
    shown = audience_feed(client, live)
    assert "Why does [a consultant] post the rota late?" in shown and "Patel" not in shown
    assert "redacted" in [event.action for event in audit_of(db_session, submission_id)]
    desk = text(facilitator.get(f"/facilitate/{hall.slug}"))
    assert '<span class="tag">Redacted</span> <span dir="auto">Why does [a consultant]' in desk


def test_a_refused_redaction_comes_back_as_typed_with_a_message(facilitator, db_session, ring, hall, live):
    submission_id = ask(db_session, ring, live)
    typed = "Why are the rotas late? " + "x" * 6000
    response = approve(facilitator, hall, submission_id, redacted=typed)
    assert response.status_code == 422
    page = text(response)
    assert "Shorten the redacted text to 6,000 characters or fewer." in page
    assert typed in region(page, "question")
    assert stored_question(db_session, submission_id)[0].state == "pending"


def test_approving_an_emptied_text_is_refused(facilitator, db_session, ring, hall, live):
    submission_id = ask(db_session, ring, live)
    response = approve(facilitator, hall, submission_id, redacted="   ")
    assert response.status_code == 422
    assert "Write the text the room will see" in text(response)


def test_approving_a_question_a_colleague_approved_already_says_so(facilitator, app, db_session, ring, hall, live):
    submission_id = ask(db_session, ring, live)
    colleague = staff_client(app, "facilitator", "second@example.org")
    assert approve(colleague, hall, submission_id).status_code == 302
    response = approve(facilitator, hall, submission_id)
    assert response.status_code == 409
    assert "This question is not waiting for approval any more." in text(response)


def test_dismissing_needs_a_reason_and_hides_the_question(facilitator, client, db_session, ring, hall, live):
    submission_id = approved(facilitator, db_session, ring, hall, live, ASKED)
    refused = press(facilitator, hall, submission_id, "dismiss", reason="")
    assert refused.status_code == 422
    assert "Choose why the question is dismissed." in text(refused)
    assert stored_question(db_session, submission_id)[0].state == "approved"
    assert press(facilitator, hall, submission_id, "dismiss", reason="off-topic").status_code == 302
    page = flashed(facilitator, hall)
    assert "Dismissed (off topic)" in page
    assert ASKED in region(page, "dismissed") and ASKED not in region(page, "approved")
    assert ASKED not in audience_feed(client, live)
    submission = stored_question(db_session, submission_id)[1]
    assert (submission.status, submission.hidden_reason) == ("hidden", "off-topic")


def question_panel(client, hall, submission_id: uuid.UUID) -> str:
    """The question's panel, opened by its link in the queue."""
    page = text(client.get(page_of(hall), query_string={"q": str(submission_id)}))
    assert f"{page_of(hall)}?q={submission_id}#question" in region(page, "pending") + region(page, "approved")
    return region(page, "question")


def test_the_dismiss_reasons_are_the_desks(facilitator, db_session, ring, hall, live):
    submission_id = ask(db_session, ring, live)
    panel = question_panel(facilitator, hall, submission_id)
    for value, label in (("off-topic", "Off topic"), ("abusive", "Abusive"), ("identifying", "Identifying")):
        assert f'<option value="{value}">{label}</option>' in panel


def test_the_polled_queue_holds_buttons_only_and_the_panel_the_forms_that_need_typing(facilitator, db_session,
                                                                                     ring, hall, live):
    waiting = ask(db_session, ring, live, "Who writes the rota?")
    approved(facilitator, db_session, ring, hall, live, ASKED)
    queue = facilitator.get(f"/facilitate/live/{live.id}/feed").get_data(as_text=True)
    assert "<textarea" not in queue and "<select" not in queue and "Approve as asked" in queue
    page = facilitator.get(page_of(hall), query_string={"q": str(waiting)}).get_data(as_text=True)
    panel = region(page, "question")
    assert page.index('id="question"') < page.index('id="live-queue"')
    assert 'name="redacted"' in panel and "Who writes the rota?</textarea>" in panel
    assert 'name="reason"' in panel and 'name="into"' in panel and "noscript" not in page
    assert '<noscript><meta http-equiv="refresh" content="10"></noscript>' in facilitator.get(page_of(hall)).get_data(
        as_text=True)


def test_a_question_no_longer_in_the_session_says_so_in_its_panel(facilitator, hall, live):
    page = text(facilitator.get(page_of(hall), query_string={"q": str(uuid.uuid4())}))
    assert "This question is not in this session's queue any more." in page


def test_merging_groups_the_question_under_the_other_raised_by_two(facilitator, client, db_session, ring, hall,
                                                                   live):
    first = approved(facilitator, db_session, ring, hall, live, "When will the night rota be posted earlier?")
    again = ask(db_session, ring, live, "When will the night rota be posted earlier, please?")
    pending = region(text(facilitator.get(page_of(hall))), "pending")
    assert f'<input type="hidden" name="into" value="{first}">' in pending and "Merge into this one" in pending
    panel = question_panel(facilitator, hall, again)
    assert f'<option value="{first}">Near-duplicate: When will the night rota be posted earlier?' in panel
    assert press(facilitator, hall, again, "merge", into=str(first)).status_code == 302
    page = flashed(facilitator, hall)
    assert "Merged: the question it was merged into is now raised by 2." in page
    assert "please?" not in region(page, "pending") and "please?" in region(page, "merged")
    assert "raised by 2" in region(page, "approved")
    assert "raised by 2" in audience_feed(client, live)
    db_session.rollback()  # a fresh read: the app wrote in its own sessions
    assert db_session.get_one(DuplicateLink, again).representative_id == first
    assert "Raised by 2 people." in text(facilitator.get(f"/facilitate/s/{first}"))


def test_merging_needs_a_question_to_merge_into(facilitator, db_session, ring, hall, live):
    approved(facilitator, db_session, ring, hall, live, "Is the rota fair?")
    again = ask(db_session, ring, live, "Who writes the rota?")
    response = press(facilitator, hall, again, "merge", into="")
    assert response.status_code == 422
    assert "Choose the question to merge this one into." in text(response)
    response = press(facilitator, hall, again, "merge", into=str(again))
    assert response.status_code == 409
    assert "A question cannot be merged into itself." in text(response)


def queue_order(client, live) -> list[str]:
    return re.findall(r"Rota question (\d)", audience_feed(client, live))


def test_up_and_down_reorder_the_queue_for_everyone(facilitator, client, db_session, ring, hall, live):
    one, _two, three = (approved(facilitator, db_session, ring, hall, live, f"Rota question {n}") for n in (1, 2, 3))
    assert queue_order(client, live) == ["1", "2", "3"]
    assert press(facilitator, hall, three, "up").status_code == 302
    assert "Moved up the queue." in flashed(facilitator, hall)
    assert queue_order(client, live) == ["1", "3", "2"]
    assert press(facilitator, hall, one, "down").status_code == 302
    assert queue_order(client, live) == ["3", "1", "2"]
    assert re.findall(r"Rota question (\d)", region(text(facilitator.get(page_of(hall))), "approved")) == \
        ["3", "1", "2"]


def test_show_puts_a_question_on_screen_and_the_one_before_becomes_answered(facilitator, client, db_session, ring,
                                                                            hall, live):
    first = approved(facilitator, db_session, ring, hall, live, "Rota question 1")
    second = approved(facilitator, db_session, ring, hall, live, "Rota question 2")
    assert press(facilitator, hall, first, "show").status_code == 302
    page = flashed(facilitator, hall)
    assert "On screen now." in page and "Rota question 1" in region(page, "on-screen")
    assert "Rota question 1" in region(audience_feed(client, live), "on-screen")
    press(facilitator, hall, second, "show")
    page = text(facilitator.get(page_of(hall)))
    assert "Rota question 2" in region(page, "on-screen") and "Rota question 1" in region(page, "answered")
    assert stored_question(db_session, first)[0].state == "answered"
    assert press(facilitator, hall, second, "answered").status_code == 302
    page = flashed(facilitator, hall)
    assert "Marked answered" in page and "Rota question 2" in region(page, "answered")


def test_a_pending_question_cannot_go_on_screen(facilitator, db_session, ring, hall, live):
    submission_id = ask(db_session, ring, live)
    response = press(facilitator, hall, submission_id, "show")
    assert response.status_code == 409
    assert "Only an approved or answered question can go on screen." in text(response)


def test_a_note_shows_on_the_presenter_screen_only(facilitator, client, db_session, ring, hall, live):
    presenter_url = make_presenter_link(facilitator, live, hall)
    submission_id = approved(facilitator, db_session, ring, hall, live, ASKED)
    assert press(facilitator, hall, submission_id, "note", note="Ask the rota lead to answer this").status_code == 302
    assert "Note saved: the presenter sees it." in flashed(facilitator, hall)
    assert "Ask the rota lead to answer this" in text(client.get(presenter_url))
    assert "Ask the rota lead" not in audience_feed(client, live)
    assert "Ask the rota lead" not in text(client.get(f"/live/{live.code}"))
    press(facilitator, hall, submission_id, "note", note="")
    assert "Note removed." in flashed(facilitator, hall)
    assert stored_question(db_session, submission_id)[0].presenter_note == ""


def test_a_note_too_long_comes_back_as_typed(facilitator, db_session, ring, hall, live):
    submission_id = approved(facilitator, db_session, ring, hall, live, ASKED)
    typed = "Keep it short " + "n" * 300
    response = press(facilitator, hall, submission_id, "note", note=typed)
    assert response.status_code == 422
    page = text(response)
    assert "Shorten the note to 300 characters or fewer." in page and typed in page


def burst_of_votes(db_session, ring, live, submission_id, *, before: int, during: int) -> None:
    for n in range(before + during):
        key = crypto.live_voter_key(ring, crypto.new_voter_secret(), submission_id)
        votes.vote(db_session, live.id, submission_id, key, burst=lambda _id, n=n: n >= before)


def test_counting_the_held_votes_clears_a_burst_flag(facilitator, db_session, ring, hall, live):
    submission_id = approved(facilitator, db_session, ring, hall, live, ASKED)
    burst_of_votes(db_session, ring, live, submission_id, before=1, during=3)
    page = text(facilitator.get(page_of(hall)))
    assert "Burst of votes: check" in region(page, "approved") and "1 “me too”" in region(page, "approved")
    assert "Count the held votes" in region(page, "approved") and "Discard the held votes" in region(page, "approved")
    assert press(facilitator, hall, submission_id, "check-votes").status_code == 302
    page = flashed(facilitator, hall)
    assert "Held votes counted" in page and "Burst of votes" not in page
    assert "4 “me too”" in region(page, "approved")
    assert stored_question(db_session, submission_id)[0].flagged is False


def test_discarding_the_held_votes_keeps_the_ones_from_before_the_burst(facilitator, db_session, ring, hall, live):
    submission_id = approved(facilitator, db_session, ring, hall, live, ASKED)
    burst_of_votes(db_session, ring, live, submission_id, before=2, during=5)
    assert press(facilitator, hall, submission_id, "discard-votes").status_code == 302
    page = flashed(facilitator, hall)
    assert "Held votes discarded" in page and "Burst of votes" not in page
    assert "2 “me too”" in region(page, "approved")
    db_session.rollback()
    assert db_session.scalar(sa.select(sa.func.count()).select_from(LiveVote)) == 2
    assert press(facilitator, hall, submission_id, "discard-votes").status_code == 409  # not flagged any more
    assert json.loads(audit_of(db_session)[-1].details) == {"held": 5, "kept": False}


def test_a_question_of_no_live_session_is_not_found(facilitator, hall, live):
    assert press(facilitator, hall, uuid.uuid4(), "approve", redacted="x", shown="x").status_code == 404


# --- the polled region ----------------------------------------------------------------------------------------------


def test_the_queue_feed_answers_304_until_something_changes(facilitator, db_session, ring, hall, live):
    feed_url = f"/facilitate/live/{live.id}/feed"
    first = facilitator.get(feed_url)
    assert first.status_code == 200
    tag = first.headers["ETag"]
    assert tag == f'"queue-{live.id}-{live.version}"'
    assert "<html" not in first.get_data(as_text=True) and 'id="pending"' in first.get_data(as_text=True)
    unchanged = facilitator.get(feed_url, headers={"If-None-Match": tag})
    assert unchanged.status_code == 304 and unchanged.get_data() == b""
    ask(db_session, ring, live)
    changed = facilitator.get(feed_url, headers={"If-None-Match": tag})
    assert changed.status_code == 200 and changed.headers["ETag"] != tag
    assert ASKED in text(changed)


def test_the_queue_feed_is_each_moderators_own(facilitator, app, db_session, ring, hall, live):
    ask(db_session, ring, live)
    colleague = staff_client(app, "facilitator", "second@example.org")
    feed_url = f"/facilitate/live/{live.id}/feed"
    mine, theirs = (hidden_fields(c.get(feed_url).get_data(as_text=True))["csrf_token"]
                    for c in (facilitator, colleague))
    assert mine != theirs
    assert facilitator.get(feed_url).headers["Cache-Control"] == "no-store"


# --- the presenter link ---------------------------------------------------------------------------------------------


def test_the_presenter_link_is_shown_once_and_opens_the_screen(facilitator, client, db_session, ring, hall, live):
    response = post_form(facilitator, f"/facilitate/live/{live.id}/presenter-link", page_of(hall))
    assert response.status_code == 200 and "Location" not in response.headers
    assert response.headers["Cache-Control"] == "no-store"
    presenter_url = re.search(r'id="presenter-url">([^<]+)<', response.get_data(as_text=True)).group(1)
    token = presenter_url.rsplit("/", 1)[1]
    assert presenter_url == f"http://localhost/present/{token}" and len(token) >= 40
    assert 'data-copy-target="presenter-url"' in response.get_data(as_text=True)
    assert "/static/js/copy.js" in response.get_data(as_text=True)
    again = facilitator.get(page_of(hall)).get_data(as_text=True)
    assert token not in again and "A presenter link is open." in again
    assert token not in facilitator.get(f"/facilitate/live/{live.id}/feed").get_data(as_text=True)
    approved(facilitator, db_session, ring, hall, live, ASKED)
    assert ASKED in text(client.get(presenter_url))


def test_revoking_the_presenter_link_makes_it_404(facilitator, client, hall, live):
    presenter_url = make_presenter_link(facilitator, live, hall)
    response = post_form(facilitator, f"/facilitate/live/{live.id}/presenter-link/revoke", page_of(hall))
    assert response.status_code == 302
    page = flashed(facilitator, hall)
    assert "The presenter link no longer works." in page and "No presenter link is open." in page
    assert client.get(presenter_url).status_code == 404


def test_a_new_presenter_link_replaces_the_old_one(facilitator, client, hall, live):
    old = make_presenter_link(facilitator, live, hall)
    new = make_presenter_link(facilitator, live, hall)
    assert old != new
    assert client.get(old).status_code == 404
    assert client.get(new).status_code == 200


# --- who may, CSRF, the audit log -----------------------------------------------------------------------------------


def test_a_leader_is_refused_and_anonymous_is_sent_to_log_in_or_told_the_session_ended(leader, client, db_session,
                                                                                        ring, hall, live):
    submission_id = ask(db_session, ring, live)
    paths = [("get", page_of(hall)), ("get", f"/facilitate/live/{live.id}/feed"),
             ("get", f"/facilitate/live/{live.id}/print"), ("post", f"/facilitate/live/{hall.slug}/start"),
             ("post", f"/facilitate/live/{live.id}/end"), ("post", f"/facilitate/live/{live.id}/presenter-link"),
             ("post", f"/facilitate/live/q/{submission_id}/approve")]
    for method, path in paths:
        assert getattr(leader, method)(path).status_code == 403, path
        answer = getattr(client, method)(path)
        if method == "get":
            assert answer.status_code == 302 and "/login" in answer.headers["Location"], path
        else:
            assert answer.status_code == 401, path
    assert ASKED not in leader.get(page_of(hall)).get_data(as_text=True)


def test_every_post_needs_its_csrf_token(facilitator, db_session, ring, hall, live):
    submission_id = ask(db_session, ring, live)
    posts = [f"/facilitate/live/{hall.slug}/start", f"/facilitate/live/{live.id}/end",
             f"/facilitate/live/{live.id}/presenter-link", f"/facilitate/live/{live.id}/presenter-link/revoke",
             *(f"/facilitate/live/q/{submission_id}/{action}" for action in ("approve", "dismiss", "show", "up"))]
    for path in posts:
        assert facilitator.post(path, data={"redacted": ASKED, "shown": ASKED, "reason": "spam"}).status_code == 400
    assert stored_question(db_session, submission_id)[0].state == "pending"
    assert running(db_session, hall).presenter_token_hash is None


def test_every_action_is_audited_without_the_text(facilitator, db_session, ring, hall, live):
    make_presenter_link(facilitator, live, hall)
    words = ["Secretword1 about the rota", "Secretword2 about the rota", "Secretword3 about the rota"]
    first, second, third = (ask(db_session, ring, live, body) for body in words)
    approve(facilitator, hall, first, words[0], redacted="Secretword4 about the rota")
    approve(facilitator, hall, second, words[1])
    press(facilitator, hall, third, "merge", into=str(first))
    press(facilitator, hall, second, "up")
    press(facilitator, hall, first, "show")
    press(facilitator, hall, second, "note", note="Secretword5 note")
    press(facilitator, hall, first, "answered")
    votes.vote(db_session, live.id, second, crypto.live_voter_key(ring, crypto.new_voter_secret(), second),
               burst=lambda _id: True)
    press(facilitator, hall, second, "check-votes")
    press(facilitator, hall, second, "dismiss", reason="spam")
    post_form(facilitator, f"/facilitate/live/{live.id}/presenter-link/revoke", page_of(hall))
    post_form(facilitator, f"/facilitate/live/{live.id}/end", page_of(hall))
    events = audit_of(db_session)
    actions = {event.action for event in events}
    assert {"live.started", "live.presenter_link_made", "redacted", "status_changed", "duplicate_grouped",
            "live.moved", "live.shown", "live.note", "live.answered", "live.votes_checked",
            "live.presenter_link_revoked", "live.ended"} <= actions
    stored = json.dumps([(event.reason, event.details) for event in events])
    assert "Secretword" not in stored
    assert all(event.actor_id is not None for event in events if event.action.startswith("live."))


def test_the_desk_links_to_the_town_halls_live_page(facilitator, hall):
    desk = facilitator.get(f"/facilitate/{hall.slug}").get_data(as_text=True)
    assert f'href="/facilitate/live/{hall.slug}"' in desk


def test_the_demo_runs_a_live_session_with_questions_in_every_state(app, facilitator, client, db_session, ring):
    loader.load_demo(db_session, ring, clock.today())
    hall = db_session.scalar(sa.select(TownHall).where(TownHall.title == demo_live.LIVE_TOWN_HALL))
    page = text(facilitator.get(page_of(hall)))
    assert "Can the dean say when the pay bands" in region(page, "pending") and "Named" in region(page, "pending")
    assert "Merge into this one" in region(page, "pending")
    assert "How will the promotion committee" in region(page, "on-screen")
    assert "14 “me too”" in region(page, "on-screen")
    assert "Will service on diversity committees count towards promotion?" in region(page, "approved")
    assert "When will the admissions figures" in region(page, "answered")
    live = running(db_session, hall)
    shown = audience_feed(client, live)
    assert "How will the promotion committee" in shown and "part-time staff" not in shown


def test_a_button_pressed_after_the_session_ended_says_it_ended(facilitator, db_session, ring, hall, live):
    submission_id = ask(db_session, ring, live)
    token = hidden_fields(facilitator.get(page_of(hall)).get_data(as_text=True))["csrf_token"]
    post_form(facilitator, f"/facilitate/live/{live.id}/end", page_of(hall))
    response = facilitator.post(f"/facilitate/live/q/{submission_id}/approve",
                                data={"csrf_token": token, "redacted": ASKED, "shown": ASKED})
    assert response.status_code == 409
    assert "This live session has ended: its questions are on the desk." in text(response)
    assert stored_question(db_session, submission_id)[1].status == "pending"


def test_a_question_is_text_not_markup_in_the_queue_and_its_panel(facilitator, db_session, ring, hall, live):
    body = '<script>alert("q")</script><img src=x onerror=alert(1)> "quoted"'
    submission_id = ask(db_session, ring, live, body)
    for page in (facilitator.get(page_of(hall), query_string={"q": str(submission_id)}).get_data(as_text=True),
                 facilitator.get(f"/facilitate/live/{live.id}/feed").get_data(as_text=True)):
        assert "<script>alert" not in page and "<img src=x" not in page
        assert "&lt;script&gt;alert(&#34;q&#34;)&lt;/script&gt;" in page
