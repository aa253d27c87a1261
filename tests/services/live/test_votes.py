""""Me too": once per browser per question, keys that link nothing, and a burst that flags instead of moving."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from feedback import clock, crypto
from feedback.models import LiveQuestion, LiveVote
from feedback.services.live import feed, questions, sessions, votes
from feedback.services.live.sessions import LiveError, NoSuchLiveSession
from feedback.services.moderation import desk
from tests.factories import make_town_hall
from tests.services.live.conftest import MODERATOR, approved, ask, browser, version, vote


def shown_votes(session, live) -> dict:
    session.expire_all()
    found = feed.audience(session, session.get_one(type(live), live.id))
    items = [*filter(None, [found.on_screen]), *found.queue, *found.answered]
    return {item.submission_id: item.votes for item in items}


def test_two_browsers_count_two_and_the_same_browser_twice_counts_once(db_session, ring, live):
    submission_id = approved(db_session, ring, live)
    first, second = browser(), browser()

    assert vote(db_session, ring, live, submission_id, first) == votes.Voted.COUNTED
    assert vote(db_session, ring, live, submission_id, first) == votes.Voted.ALREADY
    assert vote(db_session, ring, live, submission_id, second) == votes.Voted.COUNTED

    assert shown_votes(db_session, live) == {submission_id: 2}
    assert votes.counts(db_session, [submission_id]) == {submission_id: 2}


def test_one_browser_s_keys_for_two_questions_are_unrelated_and_another_browser_s_differ(db_session, ring, live):
    one, two = approved(db_session, ring, live, "One"), approved(db_session, ring, live, "Two")
    first, second = browser(), browser()
    for secret in (first, second):
        for submission_id in (one, two):
            vote(db_session, ring, live, submission_id, secret)

    stored = db_session.execute(sa.select(LiveVote.submission_id, LiveVote.voter_key)).all()
    keys = [bytes(key) for _submission_id, key in stored]
    assert len(stored) == 4 and len(set(keys)) == 4  # nothing stored says two votes came from one browser
    assert all(first.encode() not in key and second.encode() not in key for key in keys)
    assert set(keys) == {crypto.live_voter_key(ring, secret, submission_id)
                         for secret in (first, second) for submission_id in (one, two)}


def test_a_repeated_vote_changes_nothing_a_page_shows(db_session, ring, live):
    submission_id = approved(db_session, ring, live)
    secret = browser()
    vote(db_session, ring, live, submission_id, secret)
    before = version(db_session, live)
    calls = []
    key = crypto.live_voter_key(ring, secret, submission_id)
    assert votes.vote(db_session, live.id, submission_id, key, burst=lambda i: calls.append(i) or True) == "already"
    assert version(db_session, live) == before and calls == []  # nor does it count towards a burst


@pytest.mark.parametrize("state", ["pending", "dismissed", "hidden on the desk", "answered", "merged"])
def test_only_a_question_the_audience_can_still_answer_takes_votes(db_session, ring, live, state):
    submission_id = ask(db_session, ring, live, "Why is the rota late?") if state == "pending" else approved(
        db_session, ring, live, "Why is the rota late?")
    if state == "dismissed":
        questions.dismiss(db_session, submission_id, reason="spam", by=MODERATOR, now=clock.now())
    elif state == "hidden on the desk":
        desk.change_status(db_session, [submission_id], "hidden", hidden_reason="spam", by=MODERATOR, now=clock.now())
    elif state == "answered":
        questions.mark_answered(db_session, submission_id, by=MODERATOR, now=clock.now())
    elif state == "merged":
        other = approved(db_session, ring, live, "Why is the rota always late?")
        questions.merge(db_session, submission_id, other, by=MODERATOR, now=clock.now())

    with pytest.raises(LiveError, match="not open for votes"):
        vote(db_session, ring, live, submission_id, browser())
    assert db_session.scalar(sa.select(sa.func.count()).select_from(LiveVote)) == 0


def test_a_question_of_another_session_takes_no_vote_through_this_one(db_session, ring, live):
    other = sessions.start(db_session, make_town_hall(db_session, "Other hall").id, by=MODERATOR, now=clock.now())
    theirs = approved(db_session, ring, other, "Theirs")
    with pytest.raises(LiveError):
        vote(db_session, ring, live, theirs, browser())
    assert vote(db_session, ring, other, theirs, browser()) == "counted"


def test_an_ended_session_takes_no_vote(db_session, ring, live):
    submission_id = approved(db_session, ring, live)
    sessions.end(db_session, live.id, by=MODERATOR, now=clock.now())
    with pytest.raises(NoSuchLiveSession):
        vote(db_session, ring, live, submission_id, browser())


def test_the_on_screen_question_takes_votes(db_session, ring, live):
    submission_id = approved(db_session, ring, live)
    questions.show(db_session, submission_id, by=MODERATOR, now=clock.now())
    vote(db_session, ring, live, submission_id, browser())
    assert shown_votes(db_session, live) == {submission_id: 1}


def test_a_burst_flags_the_question_and_freezes_its_shown_count(db_session, ring, live):
    submission_id = approved(db_session, ring, live)
    for _ in range(2):
        vote(db_session, ring, live, submission_id, browser())

    assert vote(db_session, ring, live, submission_id, browser(), burst=True) == "held"
    flagged_at = version(db_session, live)
    for _ in range(3):
        assert vote(db_session, ring, live, submission_id, browser(), burst=True) == "held"

    assert shown_votes(db_session, live) == {submission_id: 2}  # the count from before the burst
    assert votes.counts(db_session, [submission_id]) == {submission_id: 6}  # every vote is kept
    assert version(db_session, live) == flagged_at  # nothing shown moved while it is flagged
    db_session.expire_all()
    queue = feed.moderator(db_session, db_session.get_one(type(live), live.id))
    assert [(item.flagged, item.votes) for item in queue.approved] == [(True, 2)]
    assert db_session.get_one(LiveQuestion, submission_id).counted_votes == 2


def test_a_burst_on_one_question_leaves_the_others_counting(db_session, ring, live):
    busy, calm = approved(db_session, ring, live, "Busy"), approved(db_session, ring, live, "Calm")
    vote(db_session, ring, live, busy, browser(), burst=True)
    vote(db_session, ring, live, calm, browser())
    vote(db_session, ring, live, calm, browser())
    assert shown_votes(db_session, live) == {busy: 0, calm: 2}


def test_counts_of_questions_without_votes_are_zero(db_session, ring, live):
    submission_id = approved(db_session, ring, live)
    assert votes.counts(db_session, [submission_id]) == {submission_id: 0}
    assert votes.counts(db_session, []) == {}


def test_a_browser_finds_its_own_votes_and_no_one_elses(db_session, ring, live):
    first_question, second_question = approved(db_session, ring, live), approved(db_session, ring, live, "Parking?")
    mine, theirs = browser(), browser()
    vote(db_session, ring, live, first_question, mine)
    vote(db_session, ring, live, second_question, theirs)

    def keys(secret: str) -> list[bytes]:
        return [crypto.live_voter_key(ring, secret, q) for q in (first_question, second_question)]

    assert votes.voted(db_session, keys(mine)) == {first_question}
    assert votes.voted(db_session, keys(theirs)) == {second_question}
    assert votes.voted(db_session, keys(browser())) == set() and votes.voted(db_session, []) == set()


def test_the_votes_of_the_burst_and_after_are_held_and_once_per_browser_still(db_session, ring, live):
    submission_id = approved(db_session, ring, live)
    early, script = browser(), browser()
    vote(db_session, ring, live, submission_id, early)
    vote(db_session, ring, live, submission_id, script, burst=True)
    late = [browser() for _ in range(3)]
    for secret in late:
        assert vote(db_session, ring, live, submission_id, secret) == "held"  # flagged: no burst needed
    assert vote(db_session, ring, live, submission_id, late[0]) == "already"
    assert vote(db_session, ring, live, submission_id, early) == "already"

    held = dict(db_session.execute(sa.select(LiveVote.voter_key, LiveVote.held)).all())
    assert held == {crypto.live_voter_key(ring, early, submission_id): False,
                    **{crypto.live_voter_key(ring, secret, submission_id): True for secret in [script, *late]}}
    assert shown_votes(db_session, live) == {submission_id: 1}
