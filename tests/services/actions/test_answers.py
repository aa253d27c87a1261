"""'Did this help?': answers stored without metadata, once per receipt, released noisy within their budget."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from feedback import audit, clock, crypto
from feedback.models import AnswerRelease, HelpAnswer, ReleasedAnswer
from feedback.services.actions import answers
from feedback.services.privacy import erasure
from feedback.services.summary.disclosure import Cell, Mechanism, cell_text
from tests.factories import make_submission, make_theme, tag
from tests.plan_rows import add_update, make_action, publish
from tests.stored import details, events

MECHANISM = Mechanism(scale=1.5, theme_cap=3)
SYSTEM = audit.Actor(audit.SYSTEM)


def release(session, budget: float = 14.0):
    return answers.release(session, mechanism=MECHANISM, total_budget=budget, by=SYSTEM, now=clock.now())


def stored(session) -> list[HelpAnswer]:
    session.expire_all()
    return list(session.scalars(sa.select(HelpAnswer)))


@pytest.fixture
def concern(db_session, ring, hall):
    """A published concern on the theme Childcare, its receipt code and that theme."""
    theme = make_theme(db_session, "Childcare")
    receipt = make_submission(db_session, ring, hall, "The rota ignores childcare.")
    tag(db_session, receipt.submission_id, theme)
    publish(db_session, receipt.submission_id)
    return receipt.code, theme


def test_only_published_done_actions_take_answers(db_session):
    done = make_action(db_session, "Open a nursery", status="done")
    draft = make_action(db_session, "Hidden", status="done", published=False)
    doing = make_action(db_session, "Pay bands", status="in-progress")
    finished_by_update = make_action(db_session, "Rota", status="in-progress")
    add_update(db_session, finished_by_update, "Finished.", status="done", days_ago=1)
    scheduled = make_action(db_session, "Later", status="in-progress")
    add_update(db_session, scheduled, "Will finish.", status="done", days_ago=-3)
    answers.give(db_session, done.id, "helped", "", today=clock.today())
    answers.give(db_session, finished_by_update.id, "no", "", today=clock.today())
    for action in (draft, doing, scheduled):
        with pytest.raises(answers.NotAskable):
            answers.give(db_session, action.id, "helped", "", today=clock.today())
    assert sorted(a.action_id for a in stored(db_session)) == sorted([done.id, finished_by_update.id])


def test_an_answer_row_holds_no_date_address_or_account(db_session):
    action = make_action(db_session, "Open a nursery", status="done")
    answers.give(db_session, action.id, "somewhat", "Better, not there yet.", today=clock.today())
    # form_token_hash is a keyed hash of the form's one-time token (a retry is stored once), not metadata.
    assert set(HelpAnswer.__table__.columns.keys()) == {"id", "action_id", "answer", "comment", "receipt_hash",
                                                        "form_token_hash"}
    row = db_session.execute(sa.text("SELECT * FROM help_answer")).mappings().one()
    assert row["answer"] == "somewhat" and row["comment"] == "Better, not there yet." and row["receipt_hash"] is None
    assert str(clock.today()) not in " ".join(str(v) for v in row.values())


def test_a_receipt_answers_once_per_action_with_a_hash_of_its_own(db_session, ring, concern):
    code, theme = concern
    action = make_action(db_session, "Open a nursery", status="done", themes=[theme])
    keys = answers.receipt(ring, code, action.id)
    assert keys is not None and keys.concern_hash == crypto.receipt_hash(ring, code)
    assert answers.give(db_session, action.id, "helped", "", today=clock.today(), receipt=keys)
    with pytest.raises(answers.AlreadyAnswered):
        answers.give(db_session, action.id, "no", "Changed my mind", today=clock.today(),
                     receipt=answers.receipt(ring, code.lower().replace("-", " "), action.id))  # as retyped
    [row] = stored(db_session)
    own = crypto.answer_receipt_hash(ring, code, action.id)
    assert (row.answer, row.comment, row.receipt_hash) == ("helped", "", own)
    assert answers.answered(db_session, ring, code, [action.id]) == {action.id}


def test_no_value_of_a_receipt_s_answer_matches_its_submission(db_session, ring, hall):
    """A reader of the database cannot join an answer (or its comment) to the concern or the sealed identity."""
    theme = make_theme(db_session, "Childcare")
    named = make_submission(db_session, ring, hall, "The rota ignores childcare.", name="Ana Person",
                            email="ana@example.org")
    tag(db_session, named.submission_id, theme)
    publish(db_session, named.submission_id)
    first = make_action(db_session, "Open a nursery", status="done", themes=[theme])
    second = make_action(db_session, "Publish the rota", status="done", themes=[theme])
    for action in (first, second):
        answers.give(db_session, action.id, "no", "It did not help me, as the only night nurse",
                     today=clock.today(), receipt=answers.receipt(ring, named.code, action.id),
                     form_token=f"token-{action.id}")
    answer_values = {v for row in db_session.execute(sa.text("SELECT * FROM help_answer")).mappings()
                     for k, v in row.items() if k != "action_id" and v not in (None, "")}
    stored_elsewhere = {v for table in ("submission", "identity")
                        for row in db_session.execute(sa.text(f"SELECT * FROM {table}")).mappings()  # noqa: S608
                        for v in row.values() if v is not None}
    as_bytes = {bytes(v) if isinstance(v, memoryview) else v for v in stored_elsewhere}
    assert not answer_values & as_bytes
    assert len({bytes(r.receipt_hash) for r in stored(db_session)}) == 2  # one receipt's two answers differ too


def test_a_receipt_answers_only_about_actions_on_its_published_concern_s_themes(db_session, ring, concern):
    code, _ = concern
    elsewhere = make_action(db_session, "Paint the car park", status="done", themes=[make_theme(db_session, "Parking")])
    with pytest.raises(answers.NotAskable):
        answers.give(db_session, elsewhere.id, "helped", "", today=clock.today(),
                     receipt=answers.receipt(ring, code, elsewhere.id))
    assert stored(db_session) == []


def test_a_withdrawal_deletes_the_answers_given_with_its_receipt_and_no_others(db_session, ring, hall, concern):
    code, theme = concern
    other = make_submission(db_session, ring, hall, "The rota ignores night shifts.")
    tag(db_session, other.submission_id, theme)
    publish(db_session, other.submission_id)
    first = make_action(db_session, "Open a nursery", status="done", themes=[theme])
    second = make_action(db_session, "Publish the rota", status="done", themes=[theme])
    for action in (first, second):
        answers.give(db_session, action.id, "helped", "From my receipt", today=clock.today(),
                     receipt=answers.receipt(ring, code, action.id))
    answers.give(db_session, first.id, "somewhat", "From another receipt", today=clock.today(),
                 receipt=answers.receipt(ring, other.code, first.id))
    answers.give(db_session, first.id, "no", "Anonymous", today=clock.today())
    assert erasure.withdraw(db_session, ring, code)
    assert sorted(a.comment for a in stored(db_session)) == ["Anonymous", "From another receipt"]


def test_a_repeated_form_token_stores_one_answer(db_session, ring, concern):
    code, theme = concern
    action = make_action(db_session, "Open a nursery", status="done", themes=[theme])
    assert answers.give(db_session, action.id, "no", "Once", today=clock.today(), form_token="double-click")
    assert not answers.give(db_session, action.id, "no", "Once", today=clock.today(), form_token="double-click")
    keys = answers.receipt(ring, code, action.id)
    assert answers.give(db_session, action.id, "helped", "", today=clock.today(), receipt=keys, form_token="second")
    assert not answers.give(db_session, action.id, "helped", "", today=clock.today(), receipt=keys, form_token="second")
    rows = stored(db_session)
    assert len(rows) == 2
    tokens = {crypto.answer_form_token_hash(t) for t in ("double-click", "second")}
    assert {bytes(r.form_token_hash) for r in rows if r.form_token_hash} == tokens


def test_a_release_has_a_cell_for_every_done_action_and_answer_spends_epsilon_and_is_audited(db_session):
    first = make_action(db_session, "Open a nursery", status="done")
    second = make_action(db_session, "Publish the rota", status="done")
    make_action(db_session, "Pay bands", status="in-progress")
    for answer in ("helped", "helped", "no"):
        answers.give(db_session, first.id, answer, "", today=clock.today())
    made = release(db_session)
    assert made.number == 1 and made.epsilon == pytest.approx(MECHANISM.histogram_epsilon(1))
    cells = {(r.action_id, r.answer) for r in db_session.scalars(sa.select(ReleasedAnswer))}
    assert cells == {(a.id, answer) for a in (first, second) for answer in answers.ANSWERS}
    [event] = events(db_session, audit.Action.ANSWER_RELEASED)
    assert details(event) == {"release": 1, "epsilon": pytest.approx(1 / 1.5), "spent": pytest.approx(1 / 1.5),
                              "budget": 14.0}


def test_the_exact_counts_fed_to_the_noise_are_the_true_answers_zeros_included(db_session):
    action = make_action(db_session, "Open a nursery", status="done")
    for answer in ("helped", "helped", "too-early"):
        answers.give(db_session, action.id, answer, "", today=clock.today())
    assert answers.exact_counts(db_session, [action.id]) == {
        (action.id, "helped"): 2, (action.id, "somewhat"): 0, (action.id, "no"): 0, (action.id, "too-early"): 1}


def test_the_budget_of_all_answer_releases_together_refuses_once_spent(db_session):
    make_action(db_session, "Open a nursery", status="done")
    per_release = MECHANISM.histogram_epsilon(1)
    for _ in range(3):
        release(db_session, budget=3 * per_release)
    with pytest.raises(answers.Refused, match="privacy budget"):
        release(db_session, budget=3 * per_release)
    assert db_session.scalar(sa.select(sa.func.count()).select_from(AnswerRelease)) == 3


def test_a_release_made_since_the_page_was_shown_refuses_and_spends_nothing(db_session):
    make_action(db_session, "Open a nursery", status="done")
    answers.release(db_session, mechanism=MECHANISM, total_budget=14.0, by=SYSTEM, now=clock.now(), after=0)
    with pytest.raises(answers.Refused, match="Answer release 1 was made after this page was shown"):
        answers.release(db_session, mechanism=MECHANISM, total_budget=14.0, by=SYSTEM, now=clock.now(), after=0)
    assert answers.latest_number(db_session) == 1
    assert answers.budget(db_session, MECHANISM, 14.0).spent == pytest.approx(MECHANISM.histogram_epsilon(1))
    assert len(events(db_session, audit.Action.ANSWER_RELEASED)) == 1


def test_nothing_to_release_before_an_action_is_done(db_session):
    make_action(db_session, "Pay bands", status="in-progress")
    with pytest.raises(answers.Refused, match="No published action is done"):
        release(db_session)


def test_latest_reads_the_newest_release_in_words(db_session):
    action = make_action(db_session, "Open a nursery", status="done")
    release(db_session)
    second = release(db_session)
    latest = answers.latest(db_session, k=5)
    assert latest is not None and latest.number == second.number == 2
    values = {r.answer: r.value for r in db_session.scalars(
        sa.select(ReleasedAnswer).where(ReleasedAnswer.release_id == second.id))}
    words = {a: str(said) for a, said in latest.actions[action.id].items()}  # in English: Sentences' str()
    assert latest.actions.keys() == {action.id} and words == {a: cell_text(Cell(values[a], 5)) for a in answers.ANSWERS}
