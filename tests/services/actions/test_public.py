"""What the public sees of the plan: published actions only, updates from their date, bounded receipt lists."""

from __future__ import annotations

from datetime import timedelta

import pytest

from feedback.services.actions import progress, public
from feedback.services.actions.public import RECEIPT_ACTIONS, RECEIPT_TITLE_MAX
from feedback.services.intake import submitting
from tests.factories import make_submission, make_theme, make_town_hall, tag, today
from tests.plan_rows import add_update, make_action, publish

KNOWN = progress.statuses([
    {"key": "planned", "label": "Planned", "progress": 0},
    {"key": "in-progress", "label": "In progress", "progress": 50},
    {"key": "done", "label": "Done", "progress": 100},
    {"key": "wont-do", "label": "Won't do", "progress": None},
])


def test_a_published_sub_action_of_a_draft_is_not_public(db_session):
    draft = make_action(db_session, "Draft parent", published=False)
    child = make_action(db_session, "Published child", parent=draft)
    assert public.action_page(db_session, child.id, today(), KNOWN) is None
    assert public.plan(db_session, today(), KNOWN) == []
    assert public.feedback_town_hall(db_session, child.id) is None


def test_progress_from_sub_actions_counts_only_published_ones(db_session):
    parent = make_action(db_session, "Parent", progress_from="sub-actions")
    make_action(db_session, "Done step", parent=parent, status="done")
    make_action(db_session, "Draft step", parent=parent, status="planned", published=False)
    page = public.action_page(db_session, parent.id, today(), KNOWN)
    assert page is not None and page.action.progress == 100
    assert [s.title for s in page.action.sub_actions] == ["Done step"]


def test_feedback_goes_to_the_most_recently_held_linked_town_hall_whatever_its_window(db_session, ring):
    older = make_town_hall(db_session, "Older", state="closed", held_on=today() - timedelta(days=100))
    newer = make_town_hall(db_session, "Newer", state="closed", held_on=today() - timedelta(days=20))
    action = make_action(db_session, "Act", halls=[older, newer])
    hall = public.feedback_town_hall(db_session, action.id)
    assert hall is not None and hall.slug == newer.slug
    new = submitting.NewSubmission(body="Feedback", action_id=action.id)
    receipt = submitting.submit(db_session, ring, newer.slug, "a" * 43, new, today())
    assert receipt.town_hall_slug == newer.slug


def test_a_submission_about_an_action_needs_a_town_hall_the_action_is_linked_to(db_session, ring):
    linked, other = make_town_hall(db_session, "Linked"), make_town_hall(db_session, "Other")
    action = make_action(db_session, "Act", halls=[linked])
    new = submitting.NewSubmission(body="Feedback", action_id=action.id)
    with pytest.raises(submitting.NoSuchAction):
        submitting.submit(db_session, ring, other.slug, "b" * 43, new, today())
    assert submitting.submit(db_session, ring, linked.slug, "b" * 43, new, today()).town_hall_slug == linked.slug


def test_receipt_holders_see_their_published_concern_s_themes_and_a_bounded_list_of_actions(db_session, ring):
    hall = make_town_hall(db_session)
    theme = make_theme(db_session, "Workload")
    archived = make_theme(db_session, "Old theme", archived=True)
    receipt = make_submission(db_session, ring, hall, "Too many shifts")
    tag(db_session, receipt.submission_id, theme, archived)
    for n in range(RECEIPT_ACTIONS + 2):
        action = make_action(db_session, f"Action {n} " + "x" * 100, themes=[theme])
        add_update(db_session, action, "news", days_ago=n)
    make_action(db_session, "Draft", published=False, themes=[theme])
    assert public.being_done(db_session, receipt.submission_id, today(), KNOWN).themes == []  # not published yet
    publish(db_session, receipt.submission_id)
    found = public.being_done(db_session, receipt.submission_id, today(), KNOWN)
    assert found.themes == ["Workload"] and found.more == 2
    assert [a.title[:8] for a in found.actions] == [f"Action {n}" for n in range(RECEIPT_ACTIONS)]  # newest first
    assert all(len(a.title) == RECEIPT_TITLE_MAX and a.title.endswith("\u2026") for a in found.actions)
