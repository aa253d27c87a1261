"""A live session: started, joined by its code, shown through a presenter link, ended."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from feedback import audit, clock, crypto
from feedback.models import AuditEvent, BulkChange, LiveSession
from feedback.services.intake import submitting, town_halls
from feedback.services.live import feed, questions, sessions
from feedback.services.live.sessions import CODE_ALPHABET, CODE_LENGTH, LiveError, NoSuchLiveSession
from feedback.services.moderation import desk, undo
from feedback.services.themes import duplicates
from tests.factories import make_town_hall
from tests.services.live.conftest import MODERATOR, approved, ask, browser, version, vote
from tests.staff import make_staff


@pytest.mark.parametrize(("typed", "stored"), [("k7qf2m", "K7QF2M"), (" K7Q-F2M ", "K7QF2M"), ("k7q f2m", "K7QF2M"),
                                               ("K7Q_F2M", "K7QF2M"), ("K7QF2", ""), ("K7QF2MM", ""),
                                               ("K0QF2M", ""), ("K7QF2<", ""), ("", "")])
def test_a_code_is_read_as_typed_in_any_case_with_spaces_or_dashes(typed, stored):
    assert sessions.normalise_code(typed) == stored


def test_a_started_session_has_a_code_read_off_a_screen_and_is_found_by_it_as_typed(db_session, hall):
    live = sessions.start(db_session, hall.id, by=MODERATOR, now=clock.now())

    assert len(live.code) == CODE_LENGTH and set(live.code) <= set(CODE_ALPHABET)
    typed = f"{live.code[:3].lower()}-{live.code[3:].lower()}"
    assert sessions.running(db_session, typed).id == live.id
    assert sessions.for_town_hall(db_session, hall.id).id == live.id
    assert sessions.running(db_session, "ABCDEF" if live.code != "ABCDEF" else "ABCDEG") is None
    event = db_session.scalar(sa.select(AuditEvent).where(AuditEvent.action == audit.Action.LIVE_STARTED))
    assert event.actor == MODERATOR.label and hall.slug in event.details


def test_a_town_hall_runs_one_session_at_a_time_and_an_archived_one_none(db_session, hall, live):
    with pytest.raises(LiveError, match="already has a live session"):
        sessions.start(db_session, hall.id, by=MODERATOR, now=clock.now())
    other = make_town_hall(db_session, "Another hall")
    town_halls.archive(db_session, other.id, by=MODERATOR, now=clock.now())
    with pytest.raises(LiveError, match="archived"):
        sessions.start(db_session, other.id, by=MODERATOR, now=clock.now())
    assert sessions.for_town_hall(db_session, other.id) is None


def test_an_ended_session_takes_no_question_or_vote_and_its_presenter_link_opens_nothing(db_session, ring, hall, live):
    shown = approved(db_session, ring, live)
    token = sessions.new_presenter_link(db_session, live.id, by=MODERATOR, now=clock.now())
    code = live.code

    sessions.end(db_session, live.id, by=MODERATOR, now=clock.now())

    assert sessions.running(db_session, code) is None
    assert sessions.for_town_hall(db_session, hall.id) is None
    assert sessions.by_presenter_token(db_session, token) is None
    with pytest.raises(NoSuchLiveSession):
        ask(db_session, ring, live, "Too late for this one?")
    with pytest.raises(NoSuchLiveSession):
        vote(db_session, ring, live, shown, browser())
    with pytest.raises(NoSuchLiveSession):
        questions.show(db_session, shown, by=MODERATOR, now=clock.now())
    with pytest.raises(LiveError, match="already ended"):
        sessions.end(db_session, live.id, by=MODERATOR, now=clock.now())
    with pytest.raises(NoSuchLiveSession):
        sessions.new_presenter_link(db_session, live.id, by=MODERATOR, now=clock.now())


def test_a_question_sent_with_the_code_of_an_ended_session_is_refused_even_by_submit(db_session, ring, hall, live):
    live_id = live.id
    sessions.end(db_session, live.id, by=MODERATOR, now=clock.now())
    new = submitting.NewSubmission(body="Straight to the service", live_session_id=live_id)
    with pytest.raises(NoSuchLiveSession):
        submitting.submit(db_session, ring, hall.slug, crypto.new_form_token(), new, clock.today())


def test_a_new_session_after_the_end_gets_a_new_code(db_session, hall, live):
    first = live.code
    sessions.end(db_session, live.id, by=MODERATOR, now=clock.now())
    second = sessions.start(db_session, hall.id, by=MODERATOR, now=clock.now())
    assert second.code != first
    assert sessions.running(db_session, first) is None


def test_a_replaced_or_revoked_presenter_link_opens_nothing(db_session, live):
    first = sessions.new_presenter_link(db_session, live.id, by=MODERATOR, now=clock.now())
    assert sessions.by_presenter_token(db_session, first).id == live.id

    second = sessions.new_presenter_link(db_session, live.id, by=MODERATOR, now=clock.now())
    assert second != first
    assert sessions.by_presenter_token(db_session, first) is None
    assert sessions.by_presenter_token(db_session, second).id == live.id

    sessions.revoke_presenter_link(db_session, live.id, by=MODERATOR, now=clock.now())
    assert sessions.by_presenter_token(db_session, second) is None
    assert sessions.by_presenter_token(db_session, "") is None
    assert sessions.by_presenter_token(db_session, crypto.new_presenter_token()) is None


def test_only_the_presenter_token_s_hash_is_stored(db_session, live):
    token = sessions.new_presenter_link(db_session, live.id, by=MODERATOR, now=clock.now())
    stored = db_session.scalar(sa.select(LiveSession.presenter_token_hash).where(LiveSession.id == live.id))
    assert stored == crypto.presenter_token_hash(token) and token.encode() not in stored
    events = db_session.scalars(sa.select(AuditEvent.details)).all()
    assert all(token not in details for details in events)


def test_every_change_a_page_shows_raises_the_version(db_session, ring, live):
    seen = [version(db_session, live)]

    def changed() -> None:
        now = version(db_session, live)
        assert now > seen[-1]
        seen.append(now)

    first = ask(db_session, ring, live)
    changed()
    second = ask(db_session, ring, live, "And the parking?")
    changed()
    questions.approve(db_session, first, by=MODERATOR, now=clock.now())
    changed()
    questions.approve(db_session, second, by=MODERATOR, now=clock.now())
    changed()
    questions.move(db_session, second, up=True, by=MODERATOR, now=clock.now())
    changed()
    questions.show(db_session, first, by=MODERATOR, now=clock.now())
    changed()
    questions.set_note(db_session, first, "Ask the chief nurse", by=MODERATOR, now=clock.now())
    changed()
    vote(db_session, ring, live, second, browser())
    changed()
    questions.mark_answered(db_session, first, by=MODERATOR, now=clock.now())
    changed()
    questions.dismiss(db_session, second, reason="off-topic", by=MODERATOR, now=clock.now())
    changed()
    sessions.new_presenter_link(db_session, live.id, by=MODERATOR, now=clock.now())
    changed()
    sessions.revoke_presenter_link(db_session, live.id, by=MODERATOR, now=clock.now())
    changed()
    sessions.end(db_session, live.id, by=MODERATOR, now=clock.now())
    changed()


def test_the_feed_carries_the_version_it_was_read_at(db_session, ring, live):
    ask(db_session, ring, live)
    db_session.expire_all()
    found = sessions.running(db_session, live.code)
    assert feed.audience(db_session, found).version == version(db_session, live) == 1
    assert sessions.version(db_session, 10_000) is None


def test_desk_changes_to_a_live_question_raise_the_version(app, db_session, ring, live, hall):
    """The room's pages are cached by version: grouping, ungrouping or undoing on the desk must reach them too."""
    facilitator = make_staff(app, "facilitator", "bo@example.org", "Bo").actor
    kept = approved(db_session, ring, live, "Why is the night rota posted late?")
    repeat = ask(db_session, ring, live, "Why is the night rota always posted late?")
    before = version(db_session, live)
    duplicates.group(db_session, kept, repeat, by=facilitator, now=clock.now())
    assert version(db_session, live) > before
    before = version(db_session, live)
    duplicates.ungroup(db_session, repeat, by=facilitator, now=clock.now())
    assert version(db_session, live) > before
    desk.change_status(db_session, [kept], "hidden", hidden_reason="off-topic", town_hall_id=hall.id,
                       by=facilitator, now=clock.now(), undo_minutes=10)
    assert feed.audience(db_session, db_session.get_one(LiveSession, live.id)).queue == []
    change = db_session.scalars(sa.select(BulkChange)).one()
    before = version(db_session, live)
    undo.undo(db_session, change.id, town_hall_id=hall.id, by=facilitator, now=clock.now(), minutes=10)
    assert version(db_session, live) > before
    db_session.expire_all()
    assert [item.submission_id for item in feed.audience(db_session, db_session.get_one(LiveSession, live.id)).queue
            ] == [kept]
