"""What the audience, the presenter and the moderator see of a live session, and how few reads it takes."""

from __future__ import annotations

from contextlib import contextmanager

import sqlalchemy as sa

from feedback import clock
from feedback.services.live import feed, questions, sessions
from tests.factories import make_submission
from tests.services.live.conftest import MODERATOR, approved, ask, browser, text, vote

NAME = "Philippa Ravenscroft-Oduya"


def fresh(session, live):
    session.expire_all()
    return session.get_one(type(live), live.id)


def every_item(found: feed.Feed) -> list[feed.Item]:
    return [*filter(None, [found.on_screen]), *found.queue, *found.answered]


def test_the_room_never_sees_a_pending_or_dismissed_question_nor_who_asked(db_session, ring, live):
    named = ask(db_session, ring, live, "Asked with my name: why the cuts?", name=NAME)
    questions.approve(db_session, named, by=MODERATOR, now=clock.now())
    pending = ask(db_session, ring, live, "Still waiting for a moderator")
    dismissed = ask(db_session, ring, live, "Rude words here")
    questions.dismiss(db_session, dismissed, reason="abusive", by=MODERATOR, now=clock.now())

    for view in (feed.audience, feed.presenter):
        found = view(db_session, fresh(db_session, live))
        assert [item.submission_id for item in every_item(found)] == [named]
        assert not found.queue[0].is_named
        shown = repr(found)
        assert "Still waiting" not in shown and "Rude words" not in shown and NAME not in shown
        assert str(pending) not in shown and str(dismissed) not in shown

    queue = feed.moderator(db_session, fresh(db_session, live))
    assert [item.submission_id for item in queue.approved] == [named] and queue.approved[0].is_named
    assert NAME not in repr(queue)  # the moderator knows it was named, never by whom
    assert [item.submission_id for item in queue.pending] == [pending]
    assert [item.submission_id for item in queue.dismissed] == [dismissed]


def test_the_feed_is_the_town_hall_s_with_its_code_and_lists_by_state(db_session, ring, hall, live):
    first, second, third = (approved(db_session, ring, live, f"Question {n}") for n in range(3))
    questions.show(db_session, second, by=MODERATOR, now=clock.now())
    questions.mark_answered(db_session, third, by=MODERATOR, now=clock.now())
    vote(db_session, ring, live, first, browser())

    found = feed.presenter(db_session, fresh(db_session, live))

    assert (found.code, found.town_hall_title) == (live.code, hall.title)
    assert found.on_screen.submission_id == second and found.on_screen.state == "on_screen"
    assert [(item.submission_id, item.votes, item.raised_by) for item in found.queue] == [(first, 1, 1)]
    assert [item.submission_id for item in found.answered] == [third]


def test_votes_do_not_reorder_the_queue(db_session, ring, live):
    first, second = approved(db_session, ring, live, "First"), approved(db_session, ring, live, "Second")
    for _ in range(3):
        vote(db_session, ring, live, second, browser())
    assert [item.submission_id for item in feed.audience(db_session, fresh(db_session, live)).queue] == [first, second]


def test_the_moderator_sees_near_duplicates_among_the_session_s_questions_only(db_session, ring, hall, live):
    kept = approved(db_session, ring, live, "Why is the night rota always posted so late for the nurses?")
    repeat = ask(db_session, ring, live, "Why is the night rota posted so late for the nurses?")
    unrelated = ask(db_session, ring, live, "Can we have a quiet room for prayer on the third floor?")
    outside = make_submission(db_session, ring, hall, "Why is the night rota always posted so late for nurses?")
    dismissed = ask(db_session, ring, live, "Why is the night rota always posted so late for the nurses!")
    questions.dismiss(db_session, dismissed, reason="duplicate", by=MODERATOR, now=clock.now())

    queue = feed.moderator(db_session, fresh(db_session, live))

    assert queue.similar.get(repeat) == [kept]  # not the desk's submission, nor a dismissed question
    assert unrelated not in queue.similar
    assert outside.submission_id not in {other for others in queue.similar.values() for other in others}


@contextmanager
def statements(session):
    """The statements the session's connection runs meanwhile."""
    ran: list[str] = []
    engine = session.get_bind()

    def count(_connection, _cursor, statement, *_args) -> None:
        ran.append(statement)

    sa.event.listen(engine, "before_cursor_execute", count)
    try:
        yield ran
    finally:
        sa.event.remove(engine, "before_cursor_execute", count)


def reads(session, live, view) -> int:
    found = fresh(session, live)
    with statements(session) as ran:
        view(session, found)
    return len(ran)


def fill(session, ring, live, n: int) -> None:
    for i in range(n):
        submission_id = approved(session, ring, live, text(i))
        vote(session, ring, live, submission_id, browser())
        ask(session, ring, live, f"Pending {text(i)}")


def test_the_feeds_take_the_same_few_reads_for_few_or_many_questions(db_session, ring, live):
    fill(db_session, ring, live, 2)
    few = {view: reads(db_session, live, view) for view in (feed.audience, feed.presenter, feed.moderator)}
    fill(db_session, ring, live, 10)
    many = {view: reads(db_session, live, view) for view in (feed.audience, feed.presenter, feed.moderator)}
    assert few == many, (few, many)
    assert max(many.values()) <= 5, many


def test_an_ended_session_s_feed_still_reads(db_session, ring, live):
    submission_id = approved(db_session, ring, live)
    sessions.end(db_session, live.id, by=MODERATOR, now=clock.now())
    assert [item.submission_id for item in feed.audience(db_session, fresh(db_session, live)).queue] == [submission_id]
