"""The demo's action plan: published actions on every theme, dated updates, one overdue, one "won't do", one
done, one with sub-actions, a scheduled update, and a closed town hall whose response page shows all of it."""

from __future__ import annotations

import html
import re
from collections import Counter
from datetime import timedelta

import sqlalchemy as sa

from feedback import audit, clock
from feedback.demo import loader
from feedback.demo import plan as demo_plan
from feedback.demo.content import TOWN_HALLS
from feedback.demo.plan_content import ANSWERS, PLAN, RECEIPT_ANSWERS, all_actions
from feedback.models import (
    Action,
    ActionTheme,
    ActionTownHall,
    ActionUpdate,
    AnswerRelease,
    AuditEvent,
    HelpAnswer,
    Release,
    ReleasedAnswer,
    ReleasedCount,
    StaffUser,
    Submission,
    Tagging,
    Theme,
    TownHall,
)
from feedback.services.actions import answers, updates

CLINICAL = TOWN_HALLS[0].title  # closed 30 days ago, its numbers released by the demo
WONT_DO = "Remove students' names from clinical evaluations"
OVERDUE = "Review the cases and images of the preclinical curriculum"
DONE = "Upstander training for every clerkship team"
DRAFTS = [a.title for a in PLAN if not a.published]
PUBLISHED = [a.title for a in all_actions() if a.published]


def load(app, session, ring) -> loader.DemoLoaded:
    return loader.load(session, ring, app.extensions["feedback_password_hasher"], today=clock.today(),
                       now=clock.now())


def text_of(response) -> str:
    """The page's text, tags removed and entities decoded, white space collapsed."""
    page = re.sub(r"(?s)<(script|style)\b.*?</\1>", " ", response.get_data(as_text=True))
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", page)))


def stands(session, action: Action) -> updates.State:
    """Where the action stands today: its timeline decides, not its own fields (which keep what it was written with)."""
    return updates.state(action, updates.timeline(session, action.id), clock.today())


def wont_do_reason(session) -> str:
    return stands(session, session.scalar(sa.select(Action).where(Action.title == WONT_DO))).wont_do_reason


def test_the_demo_plan_is_about_ten_actions_on_every_theme_each_change_audited(app, db_session, ring):
    loader.load_demo(db_session, ring, clock.today())
    db_session.rollback()
    today = clock.today()

    actions = {a.title: a for a in db_session.scalars(sa.select(Action))}
    assert len(actions) == len(all_actions()) == 15
    top = [a for a in actions.values() if a.parent_id is None]
    assert len(top) == 12 and sorted(a.title for a in top if not a.published) == sorted(DRAFTS)
    assert sum(a.published for a in actions.values()) == 13
    parent = actions["Answer every report of mistreatment, in writing and on a timeline"]
    assert sorted(a.progress_from for a in actions.values() if a.parent_id == parent.id) == ["status"] * 3
    assert parent.progress_from == "sub-actions"
    wont_do, done, overdue = (stands(db_session, actions[t]) for t in (WONT_DO, DONE, OVERDUE))
    assert wont_do.status == "wont-do" and wont_do.wont_do_reason.startswith("Clinical")
    assert done.status == "done"
    assert overdue.next_update_due is not None and overdue.next_update_due < today and overdue.status == "in-progress"
    assert all(a.owner and a.owner.startswith(("Office", "Ombuds", "Curriculum")) for a in actions.values())

    # Dated updates: backdated ones written on their day, one scheduled for a later day.
    update_rows = list(db_session.scalars(sa.select(ActionUpdate)))
    assert len(update_rows) == sum(len(a.updates) for a in all_actions())
    assert all(u.written_on <= today for u in update_rows)
    assert min(u.publish_on for u in update_rows) == today - timedelta(days=27)
    scheduled = [u for u in update_rows if u.publish_on > today]
    assert len(scheduled) == 1 and scheduled[0].written_on == today and scheduled[0].status == "in-progress"
    assert actions["An independent review of pay equity for faculty and staff"].status == "planned"  # not yet

    # Every theme in use has a published action, and every action is linked to a demo town hall.
    live_themes = set(db_session.scalars(sa.select(Theme.id).where(Theme.archived.is_(False))))
    published_ids = sa.select(Action.id).where(Action.published.is_(True))
    answered = set(db_session.scalars(sa.select(ActionTheme.theme_id).where(ActionTheme.action_id.in_(published_ids))))
    assert answered == live_themes
    linked = set(db_session.scalars(sa.select(ActionTownHall.action_id)))
    assert linked == {a.id for a in actions.values()}

    assert audit.first_broken_link(db_session) is None
    events = Counter(db_session.scalars(sa.select(AuditEvent.action)))
    assert events[str(audit.Action.ACTION_CREATED)] == 15
    assert events[str(audit.Action.ACTION_PUBLISHED)] == 13
    assert events[str(audit.Action.ACTION_UPDATE_POSTED)] == len(update_rows)
    assert events[str(audit.Action.ACTION_LINKED)] == db_session.scalar(
        sa.select(sa.func.count()).select_from(ActionTheme)) + len(
        list(db_session.scalars(sa.select(ActionTownHall.action_id))))


def test_an_anonymous_visitor_reads_the_published_plan_with_one_overdue_update_and_the_reason_for_wont_do(
        app, db_session, ring, client):
    load(app, db_session, ring)

    response = client.get("/plan")

    assert response.status_code == 200
    page = text_of(response)
    assert all(title in page for title in PUBLISHED)
    assert not any(title in page for title in DRAFTS)
    assert page.count("update overdue") == 1
    assert "update overdue" in page[page.index(OVERDUE):page.index(OVERDUE) + 200]  # on that action's card
    reason = wont_do_reason(db_session)
    assert reason and reason in page


def test_a_scheduled_update_is_not_public_before_its_day(app, db_session, ring, client):
    load(app, db_session, ring)
    action_id = db_session.scalar(sa.select(Action.id).where(Action.title.like("An independent review of pay%")))

    page = text_of(client.get(f"/plan/{action_id}"))

    assert "The review has been commissioned" in page
    assert "have begun their analysis" not in page and "Planned" in page


def test_the_closed_town_halls_response_page_shows_released_counts_and_an_action_on_every_theme(
        app, db_session, ring, client):
    load(app, db_session, ring)
    hall = db_session.scalar(sa.select(TownHall).where(TownHall.title == CLINICAL))
    assert hall.intake_state(clock.today()) == "closed"
    released = dict(db_session.execute(
        sa.select(ReleasedCount.key, ReleasedCount.value).join(Release)
        .where(Release.town_hall_id == hall.id, ReleasedCount.kind == "theme")).all())
    names = dict(db_session.execute(sa.select(Theme.id, Theme.name)).all())
    # Parking and transport was archived after tagging: its old taggings still count (the noise may put it at
    # k or more), but no action can be linked to a theme no longer offered.
    archived = set(db_session.scalars(sa.select(Theme.name).where(Theme.archived.is_(True))))

    response = client.get(f"/t/{hall.slug}/response")

    assert response.status_code == 200
    body = response.get_data(as_text=True)
    sections = re.findall(r'(?s)<section aria-labelledby="theme-\d+">(.*?)</section>', body)
    shown = {html.unescape(re.search(r"<h2[^>]*>(.*?)</h2>", s).group(1)): s for s in sections}
    expected = {names[int(key)] for key, value in released.items() if value >= 5}
    assert expected <= set(shown) and len(expected) >= 6
    for name, section in shown.items():
        value = released[str(next(i for i, n in names.items() if n == name))]
        if value >= 5:
            assert f"Raised by about {value} people." in section, name
        if name not in archived:
            assert "What we are doing" in section and "No action on this theme" not in section, name
            assert re.search(r'href="/plan/\d+"', section), name
    assert len(set(shown) - archived) >= 6
    bias = text_of_section(shown["Bias in evaluation"])
    assert WONT_DO in bias and "Won't do" in bias
    assert wont_do_reason(db_session) in bias
    assert "update overdue" in text_of_section(shown["Curriculum and materials"])
    assert "<blockquote>" in shown["Bias in evaluation"]  # approved quotes, as leadership's rules allow


def text_of_section(section: str) -> str:
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", section)))


def stored_rows(session) -> dict[str, int]:
    return {model.__name__: session.scalar(sa.select(sa.func.count()).select_from(model))
            for model in (TownHall, Submission, StaffUser, Theme, Action, ActionUpdate, ActionTheme, ActionTownHall,
                          HelpAnswer, AnswerRelease, ReleasedAnswer, AuditEvent)}


def test_loading_the_demo_twice_adds_no_action_update_or_link(app, db_session, ring):
    assert load(app, db_session, ring).submissions == 253
    db_session.rollback()
    before = stored_rows(db_session)

    assert load(app, db_session, ring) == loader.DemoLoaded(submissions=0, staff=[])
    releasing = loader.DEFAULT_RELEASING
    assert demo_plan.load_plan(db_session, clock.today(), clock.now(), mechanism=releasing.mechanism,
                               total_budget=releasing.total_budget) == {}

    db_session.rollback()
    assert stored_rows(db_session) == before


def test_a_demo_loaded_before_the_demo_had_a_plan_gets_the_plan_and_nothing_else(app, db_session, ring):
    assert load(app, db_session, ring).submissions == 253
    db_session.execute(sa.delete(Action))  # as a demo instance loaded before the plan was part of it
    db_session.commit()
    assert not loader._fully_loaded(db_session)
    submissions = db_session.scalar(sa.select(sa.func.count()).select_from(Submission))

    assert load(app, db_session, ring) == loader.DemoLoaded(submissions=0, staff=[], plan_added=True)

    db_session.rollback()
    assert db_session.scalar(sa.select(sa.func.count()).select_from(Action)) == len(all_actions())
    assert db_session.scalar(sa.select(sa.func.count()).select_from(Submission)) == submissions
    assert loader._fully_loaded(db_session)


def test_the_done_action_has_answers_to_did_this_help_from_receipts_on_its_themes_and_without_released_once(
        app, db_session, ring):
    loader.load_demo(db_session, ring, clock.today())
    db_session.rollback()
    done = db_session.scalar(sa.select(Action).where(Action.title == DONE))

    stored = list(db_session.scalars(sa.select(HelpAnswer)))
    assert len(stored) == len(ANSWERS) and {a.action_id for a in stored} == {done.id}
    assert Counter(a.answer for a in stored) == Counter(answer for answer, _comment in ANSWERS)
    with_receipt = [a.receipt_hash for a in stored if a.receipt_hash is not None]
    assert len(set(with_receipt)) == RECEIPT_ANSWERS
    # Given for published demo concerns tagged with one of the done action's themes, yet matching none of them:
    # an answer's hash is its own, so the database cannot tie it to a submission.
    on_themes = sa.select(ActionTheme.theme_id).where(ActionTheme.action_id == done.id)
    linked = set(db_session.scalars(
        sa.select(Submission.receipt_hash).join(Tagging, Tagging.submission_id == Submission.id)
        .where(Tagging.theme_id.in_(on_themes), Submission.status == "published")))
    assert len(linked) >= RECEIPT_ANSWERS
    all_receipts = set(db_session.scalars(sa.select(Submission.receipt_hash)))
    assert not set(with_receipt) & all_receipts

    # Released once to leadership, through the disclosure layer: every done action x every answer.
    release = db_session.scalar(sa.select(AnswerRelease))
    assert db_session.scalar(sa.select(sa.func.count()).select_from(AnswerRelease)) == 1
    cells = {(r.action_id, r.answer) for r in db_session.scalars(sa.select(ReleasedAnswer))}
    assert {answer for action_id, answer in cells if action_id == done.id} == set(answers.ANSWERS)
    assert release.released_on == clock.today()
    events = Counter(db_session.scalars(sa.select(AuditEvent.action)))
    assert events[str(audit.Action.ANSWER_RELEASED)] == 1
    assert answers.latest(db_session, k=5).actions[done.id]


def test_an_anonymous_visitor_is_asked_did_this_help_on_the_done_action_only(app, db_session, ring, client):
    load(app, db_session, ring)
    ids = dict(db_session.execute(sa.select(Action.title, Action.id)).all())

    assert "Did this help?" in text_of(client.get(f"/plan/{ids[DONE]}"))
    assert "Did this help?" not in text_of(client.get(f"/plan/{ids[OVERDUE]}"))
