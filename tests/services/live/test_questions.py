"""Questions from the room: each one a submission of the town hall, moderated into the room's queue."""

from __future__ import annotations

import json
import uuid

import pytest
import sqlalchemy as sa

from feedback import audit, clock, crypto
from feedback.models import AuditEvent, DuplicateLink, LiveQuestion, LiveVote, Submission
from feedback.services.intake import receipts, submitting
from feedback.services.live import feed, questions, sessions
from feedback.services.live.sessions import LiveError, NoSuchLiveSession
from feedback.services.moderation import desk
from feedback.services.privacy import erasure
from feedback.services.themes import tagging
from tests.factories import make_submission, make_theme, make_town_hall
from tests.services.live.conftest import MODERATOR, approved, ask, browser, version, vote


def audience(session, live):
    session.expire_all()
    return feed.audience(session, session.get_one(type(live), live.id))


def presenter(session, live):
    session.expire_all()
    return feed.presenter(session, session.get_one(type(live), live.id))


def queue_ids(found) -> list:
    return [item.submission_id for item in found.queue]


def test_a_question_is_a_pending_submission_of_the_town_hall_with_a_receipt(db_session, ring, hall, live):
    new = submitting.NewSubmission(body="Who decides the weekend rota?", affiliation="Nursing")
    receipt = questions.ask(db_session, ring, live.code.lower(), crypto.new_form_token(), new, clock.today())

    submission = db_session.get_one(Submission, receipt.submission_id)
    assert (submission.town_hall_id, submission.status, submission.affiliation) == (hall.id, "pending", "Nursing")
    assert receipt.town_hall_slug == hall.slug and not receipt.repeated
    assert receipts.look_up(db_session, ring, receipt.code).status == "pending"
    assert db_session.get_one(LiveQuestion, receipt.submission_id).state == "pending"
    assert audience(db_session, live).queue == []


def test_a_question_is_taken_while_the_session_runs_whatever_the_intake_window(db_session, ring):
    closed = make_town_hall(db_session, "Closed hall", state="closed")
    live = sessions.start(db_session, closed.id, by=MODERATOR, now=clock.now())
    submission_id = ask(db_session, ring, live, "Asked in the room after intake closed")
    assert db_session.get_one(Submission, submission_id).town_hall_id == closed.id
    with pytest.raises(submitting.IntakeClosed):  # the town hall's own form stays closed
        submitting.submit(db_session, ring, closed.slug, crypto.new_form_token(),
                          submitting.NewSubmission(body="By the form"), clock.today())


def test_a_retried_question_gets_the_same_receipt_and_is_stored_once(db_session, ring, live):
    token = crypto.new_form_token()
    new = submitting.NewSubmission(body="Why are breaks cut short?")
    first = questions.ask(db_session, ring, live.code, token, new, clock.today())
    again = questions.ask(db_session, ring, live.code, token, new, clock.today())

    assert (again.code, again.submission_id, again.repeated) == (first.code, first.submission_id, True)
    assert db_session.scalar(sa.select(sa.func.count()).select_from(LiveQuestion)) == 1
    with pytest.raises(submitting.FormTokenReused):
        questions.ask(db_session, ring, live.code, token, submitting.NewSubmission(body="Something else"),
                      clock.today())


def test_a_retry_after_the_end_still_gets_its_receipt(db_session, ring, live):
    token = crypto.new_form_token()
    new = submitting.NewSubmission(body="Sent as the session ended")
    first = questions.ask(db_session, ring, live.code, token, new, clock.today())
    hall_slug = first.town_hall_slug
    sessions.end(db_session, live.id, by=MODERATOR, now=clock.now())
    again = submitting.submit(db_session, ring, hall_slug, token,
                              submitting.NewSubmission(body=new.body, live_session_id=live.id), clock.today())
    assert again.submission_id == first.submission_id and again.repeated


def test_an_unknown_code_or_another_town_hall_s_slug_takes_no_question(db_session, ring, live):
    with pytest.raises(NoSuchLiveSession):
        questions.ask(db_session, ring, "ZZZZZZ" if live.code != "ZZZZZZ" else "YYYYYY", crypto.new_form_token(),
                      submitting.NewSubmission(body="Hello?"), clock.today())
    other = make_town_hall(db_session, "Other hall")
    with pytest.raises(NoSuchLiveSession):
        submitting.submit(db_session, ring, other.slug, crypto.new_form_token(),
                          submitting.NewSubmission(body="Wrong hall", live_session_id=live.id), clock.today())
    assert db_session.scalar(sa.select(sa.func.count()).select_from(Submission)) == 0


def test_approving_publishes_it_as_the_desk_would_and_puts_it_at_the_end_of_the_queue(db_session, ring, live):
    first, second = ask(db_session, ring, live, "First?"), ask(db_session, ring, live, "Second?")
    questions.approve(db_session, second, by=MODERATOR, now=clock.now())
    questions.approve(db_session, first, by=MODERATOR, now=clock.now())

    assert db_session.get_one(Submission, first).status == "published"
    assert queue_ids(audience(db_session, live)) == [second, first]
    event = db_session.scalar(sa.select(AuditEvent).where(AuditEvent.submission_id == first,
                                                          AuditEvent.action == audit.Action.STATUS_CHANGED))
    assert event.actor == MODERATOR.label and "First?" not in event.details
    with pytest.raises(LiveError, match="not waiting"):
        questions.approve(db_session, first, by=MODERATOR, now=clock.now())


def test_a_redacted_question_shows_its_redacted_text_only(db_session, ring, live):
    submission_id = ask(db_session, ring, live, "Dr Smith on ward 7 shouts at the juniors")
    questions.approve(db_session, submission_id, redacted_body="A consultant shouts at the juniors", by=MODERATOR,
                      now=clock.now())

    for found in (audience(db_session, live), presenter(db_session, live)):
        assert [item.text for item in found.queue] == ["A consultant shouts at the juniors"]
        assert "Smith" not in repr(found)
    assert db_session.scalar(sa.select(sa.func.count()).select_from(AuditEvent)
                             .where(AuditEvent.action == audit.Action.REDACTED)) == 1
    with pytest.raises(LiveError, match="Shorten"):
        questions.approve(db_session, ask(db_session, ring, live, "Long"), redacted_body="x" * (desk.REDACTED_MAX + 1),
                          by=MODERATOR, now=clock.now())


def test_a_redaction_on_the_desk_reaches_the_room_at_once(db_session, ring, hall, live):
    submission_id = approved(db_session, ring, live, "Dr Smith on ward 7 shouts at the juniors")
    elsewhere = make_submission(db_session, ring, hall, "Not asked in the room").submission_id
    before = version(db_session, live)
    desk.redact(db_session, elsewhere, "Not asked here", by=MODERATOR, now=clock.now())
    assert version(db_session, live) == before

    desk.redact(db_session, submission_id, "A consultant shouts at the juniors", by=MODERATOR, now=clock.now())

    assert version(db_session, live) > before
    assert [item.text for item in audience(db_session, live).queue] == ["A consultant shouts at the juniors"]


def test_a_dismissed_question_is_hidden_with_its_reason_and_leaves_the_room(db_session, ring, live):
    shown = approved(db_session, ring, live, "On screen, then dismissed")
    questions.show(db_session, shown, by=MODERATOR, now=clock.now())
    with pytest.raises(LiveError, match="why"):
        questions.dismiss(db_session, shown, reason="", by=MODERATOR, now=clock.now())

    questions.dismiss(db_session, shown, reason="abusive", by=MODERATOR, now=clock.now())

    submission = db_session.get_one(Submission, shown)
    assert (submission.status, submission.hidden_reason) == ("hidden", "abusive")
    found = presenter(db_session, live)
    assert found.on_screen is None and found.queue == [] and found.answered == []
    with pytest.raises(LiveError, match="already dismissed"):
        questions.dismiss(db_session, shown, reason="abusive", by=MODERATOR, now=clock.now())


def test_a_question_hidden_on_the_desk_leaves_the_room_at_once(db_session, ring, live):
    submission_id = approved(db_session, ring, live, "Hidden on the desk")
    assert queue_ids(audience(db_session, live)) == [submission_id]
    before = version(db_session, live)

    desk.change_status(db_session, [submission_id], "hidden", hidden_reason="identifying", by=MODERATOR,
                       now=clock.now())

    assert version(db_session, live) > before  # pages polling the session fetch it again
    assert audience(db_session, live).queue == [] and presenter(db_session, live).queue == []
    with pytest.raises(LiveError, match="no longer published"):
        questions.show(db_session, submission_id, by=MODERATOR, now=clock.now())


def test_moving_swaps_with_the_neighbour_and_does_nothing_at_an_end(db_session, ring, live):
    a, b, c = (approved(db_session, ring, live, f"Question {n}") for n in "abc")
    questions.move(db_session, c, up=True, by=MODERATOR, now=clock.now())
    assert queue_ids(audience(db_session, live)) == [a, c, b]
    questions.move(db_session, a, up=False, by=MODERATOR, now=clock.now())
    assert queue_ids(audience(db_session, live)) == [c, a, b]

    before = version(db_session, live)
    questions.move(db_session, c, up=True, by=MODERATOR, now=clock.now())
    questions.move(db_session, b, up=False, by=MODERATOR, now=clock.now())
    assert queue_ids(audience(db_session, live)) == [c, a, b] and version(db_session, live) == before
    pending = ask(db_session, ring, live, "Not in the queue")
    with pytest.raises(LiveError, match="not in the queue"):
        questions.move(db_session, pending, up=True, by=MODERATOR, now=clock.now())


def test_one_question_is_on_screen_at_a_time_and_the_one_before_counts_as_answered(db_session, ring, live):
    first, second = approved(db_session, ring, live, "First"), approved(db_session, ring, live, "Second")
    questions.show(db_session, first, by=MODERATOR, now=clock.now())
    found = presenter(db_session, live)
    assert found.on_screen.submission_id == first and queue_ids(found) == [second]

    questions.show(db_session, second, by=MODERATOR, now=clock.now())

    found = presenter(db_session, live)
    assert found.on_screen.submission_id == second and found.queue == []
    assert [item.submission_id for item in found.answered] == [first]
    with pytest.raises(LiveError, match="Only an approved or answered"):
        questions.show(db_session, ask(db_session, ring, live, "Pending"), by=MODERATOR, now=clock.now())
    questions.show(db_session, first, by=MODERATOR, now=clock.now())  # back on screen, asked again
    assert presenter(db_session, live).on_screen.submission_id == first


def test_an_answered_question_leaves_the_queue_for_the_answered_list(db_session, ring, live):
    waiting, shown = approved(db_session, ring, live, "Waiting"), approved(db_session, ring, live, "Shown")
    questions.show(db_session, shown, by=MODERATOR, now=clock.now())
    questions.mark_answered(db_session, shown, by=MODERATOR, now=clock.now())
    questions.mark_answered(db_session, waiting, by=MODERATOR, now=clock.now())

    found = audience(db_session, live)
    assert found.on_screen is None and found.queue == []
    assert {item.submission_id for item in found.answered} == {waiting, shown}
    with pytest.raises(LiveError, match="marked answered"):
        questions.mark_answered(db_session, shown, by=MODERATOR, now=clock.now())


def test_the_presenter_note_reaches_the_presenter_only_and_its_text_is_not_audited(db_session, ring, live):
    submission_id = approved(db_session, ring, live)
    questions.set_note(db_session, submission_id, "Ask the chief nurse to answer", by=MODERATOR, now=clock.now())

    assert presenter(db_session, live).queue[0].note == "Ask the chief nurse to answer"
    assert audience(db_session, live).queue[0].note == ""
    assert all("chief nurse" not in event.details + event.reason for event in db_session.scalars(sa.select(AuditEvent)))
    with pytest.raises(LiveError, match="Shorten"):
        questions.set_note(db_session, submission_id, "x" * (questions.NOTE_MAX + 1), by=MODERATOR, now=clock.now())
    questions.set_note(db_session, submission_id, "", by=MODERATOR, now=clock.now())
    assert presenter(db_session, live).queue[0].note == ""


def test_a_merged_question_leaves_the_queue_and_the_other_is_raised_by_two(db_session, ring, live):
    kept = approved(db_session, ring, live, "Why is the night rota posted late?")
    repeat = ask(db_session, ring, live, "Why is the night rota always posted late?")

    questions.merge(db_session, repeat, kept, by=MODERATOR, now=clock.now())

    found = audience(db_session, live)
    assert queue_ids(found) == [kept] and found.queue[0].raised_by == 2
    assert db_session.get_one(DuplicateLink, repeat).representative_id == kept  # the desk's grouping
    db_session.expire_all()
    queue = feed.moderator(db_session, db_session.get_one(type(live), live.id))
    assert [(item.submission_id, into) for item, into in queue.merged] == [(repeat, kept)]
    with pytest.raises(LiveError, match="already merged"):
        questions.merge(db_session, repeat, kept, by=MODERATOR, now=clock.now())
    with pytest.raises(LiveError, match="itself"):
        questions.merge(db_session, kept, kept, by=MODERATOR, now=clock.now())


def test_questions_of_two_sessions_are_not_merged(db_session, ring, live):
    mine = ask(db_session, ring, live, "Mine")
    other_hall = make_town_hall(db_session, "Other hall")
    other = sessions.start(db_session, other_hall.id, by=MODERATOR, now=clock.now())
    theirs = ask(db_session, ring, other, "Theirs")
    with pytest.raises(LiveError, match="same live session"):
        questions.merge(db_session, mine, theirs, by=MODERATOR, now=clock.now())
    assert db_session.get(DuplicateLink, mine) is None


def test_checking_a_burst_of_votes_unfreezes_the_count(db_session, ring, live):
    submission_id = approved(db_session, ring, live)
    vote(db_session, ring, live, submission_id, browser())
    vote(db_session, ring, live, submission_id, browser(), burst=True)
    vote(db_session, ring, live, submission_id, browser())
    assert audience(db_session, live).queue[0].votes == 1

    questions.check_votes(db_session, submission_id, keep=True, by=MODERATOR, now=clock.now())

    item = audience(db_session, live).queue[0]
    assert (item.votes, item.flagged) == (3, False)
    with pytest.raises(LiveError, match="not flagged"):
        questions.check_votes(db_session, submission_id, keep=True, by=MODERATOR, now=clock.now())
    assert audited_checks(db_session) == [{"held": 2, "kept": True}]


def audited_checks(session) -> list[dict]:
    session.rollback()
    events = session.scalars(sa.select(AuditEvent).where(AuditEvent.action == audit.Action.LIVE_VOTES_CHECKED))
    return [json.loads(event.details) for event in events]


def test_discarding_a_burst_s_held_votes_deletes_them_and_keeps_the_ones_before(db_session, ring, live):
    submission_id = approved(db_session, ring, live)
    before = browser()
    vote(db_session, ring, live, submission_id, before)
    vote(db_session, ring, live, submission_id, browser(), burst=True)
    for _ in range(3):
        vote(db_session, ring, live, submission_id, browser())
    flagged_at = version(db_session, live)

    questions.check_votes(db_session, submission_id, keep=False, by=MODERATOR, now=clock.now())

    item = audience(db_session, live).queue[0]
    assert (item.votes, item.flagged) == (1, False)
    db_session.rollback()
    assert db_session.scalars(sa.select(LiveVote.voter_key)).all() == [crypto.live_voter_key(ring, before,
                                                                                              submission_id)]
    assert version(db_session, live) > flagged_at
    assert audited_checks(db_session) == [{"held": 4, "kept": False}]
    assert vote(db_session, ring, live, submission_id, browser()) == "counted"  # counting as before the burst
    assert audience(db_session, live).queue[0].votes == 2


def test_a_gone_question_says_so(db_session, ring, live):
    for change in (lambda i: questions.approve(db_session, i, by=MODERATOR, now=clock.now()),
                   lambda i: questions.show(db_session, i, by=MODERATOR, now=clock.now()),
                   lambda i: questions.dismiss(db_session, i, reason="spam", by=MODERATOR, now=clock.now())):
        with pytest.raises(LiveError, match="not here any more"):
            change(uuid.uuid4())


def test_a_withdrawn_question_leaves_the_room_with_its_votes(db_session, ring, live):
    token = crypto.new_form_token()
    receipt = questions.ask(db_session, ring, live.code, token, submitting.NewSubmission(body="Withdrawn later"),
                            clock.today())
    questions.approve(db_session, receipt.submission_id, by=MODERATOR, now=clock.now())
    vote(db_session, ring, live, receipt.submission_id, browser())
    before = version(db_session, live)

    assert erasure.withdraw(db_session, ring, receipt.code)

    assert version(db_session, live) > before
    assert audience(db_session, live).queue == []
    assert db_session.get(LiveQuestion, receipt.submission_id) is None
    assert db_session.scalar(sa.select(sa.func.count()).select_from(LiveVote)) == 0


def test_after_the_end_the_questions_stay_submissions_with_status_and_themes(db_session, ring, hall, live):
    answered = approved(db_session, ring, live, "Answered in the room")
    questions.show(db_session, answered, by=MODERATOR, now=clock.now())
    questions.mark_answered(db_session, answered, by=MODERATOR, now=clock.now())
    unanswered = approved(db_session, ring, live, "Not reached")
    waiting = ask(db_session, ring, live, "Never moderated")
    dismissed = ask(db_session, ring, live, "Off topic")
    questions.dismiss(db_session, dismissed, reason="off-topic", by=MODERATOR, now=clock.now())
    theme = make_theme(db_session, "Rotas")
    tagging.set_themes(db_session, unanswered, [theme.id], by=MODERATOR, now=clock.now())

    sessions.end(db_session, live.id, by=MODERATOR, now=clock.now())

    assert desk.status_counts(db_session, hall.id) == {"pending": 1, "published": 2, "hidden": 1, "escalated": 0}
    page = desk.desk(db_session, hall.id, desk.DeskFilter(theme_id=theme.id), 1, 50)
    assert [row.id for row in page.rows] == [unanswered]
    assert {row.id for row in desk.desk(db_session, hall.id, desk.DeskFilter(), 1, 50).rows} == {
        answered, unanswered, waiting, dismissed}
    desk.change_status(db_session, [waiting], "published", by=MODERATOR, now=clock.now())  # the desk still works
    assert db_session.get_one(Submission, waiting).status == "published"


@pytest.mark.parametrize("dismissed", ["the question", "the one it repeats"])
def test_a_dismissed_question_is_neither_merged_nor_merged_into(db_session, ring, live, dismissed):
    kept = approved(db_session, ring, live, "Why is the night rota posted late?")
    repeat = ask(db_session, ring, live, "Why is the night rota always posted late?")
    questions.dismiss(db_session, repeat if dismissed == "the question" else kept, reason="spam", by=MODERATOR,
                      now=clock.now())

    with pytest.raises(LiveError, match="dismissed"):
        questions.merge(db_session, repeat, kept, by=MODERATOR, now=clock.now())
    assert db_session.get(DuplicateLink, repeat) is None


@pytest.mark.parametrize("dismissed", ["the question", "the one it repeats"])
def test_a_colleague_s_dismissal_just_before_the_merge_s_write_stops_the_merge(db_session, ring, live, monkeypatch,
                                                                                dismissed):
    kept = approved(db_session, ring, live, "Why is the night rota posted late?")
    repeat = ask(db_session, ring, live, "Why is the night rota always posted late?")
    gone = repeat if dismissed == "the question" else kept
    checked = questions._check_running

    def colleague_dismisses_after_the_check(session, live_session_id):
        checked(session, live_session_id)
        monkeypatch.setattr(questions, "_check_running", checked)  # once: between the merge's check and its write
        questions.dismiss(session, gone, reason="spam", by=MODERATOR, now=clock.now())

    monkeypatch.setattr(questions, "_check_running", colleague_dismisses_after_the_check)
    with pytest.raises(LiveError, match="dismissed"):
        questions.merge(db_session, repeat, kept, by=MODERATOR, now=clock.now())
    db_session.expire_all()
    assert db_session.get(DuplicateLink, repeat) is None
    assert db_session.get_one(LiveQuestion, gone).state == "dismissed"
