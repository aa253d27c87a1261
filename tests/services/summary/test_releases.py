"""Releases: noisy counts through the disclosure layer, stored, audited, within a town hall's budget."""

from __future__ import annotations

import json

import pytest

from feedback import audit, clock
from feedback.models import Release, ReleasedCount
from feedback.services.summary import counts, releases
from feedback.services.summary.disclosure import Mechanism
from tests.factories import today
from tests.summary_data import SYSTEM, two_town_halls

AFFILIATIONS = ["student", "faculty", "staff", "other", "prefer not to say"]
MECHANISM = Mechanism(scale=1.5, theme_cap=3)


def release(session, hall, budget: float = 14.0):
    return releases.release(session, hall, mechanism=MECHANISM, total_budget=budget, k=5,
                            affiliations=AFFILIATIONS, by=SYSTEM, now=clock.now())


def test_a_release_spends_epsilon_and_is_audited_and_the_budget_refuses_a_fourth(db_session, ring):
    halls = two_town_halls(db_session, ring)
    for number in (1, 2, 3):
        made = release(db_session, halls.spring)
        assert made.number == number and made.epsilon == pytest.approx(14 / 3)
    with pytest.raises(releases.Refused, match="privacy budget"):
        release(db_session, halls.spring)
    assert db_session.query(Release).count() == 3
    events = [e for e in db_session.query(audit.AuditEvent) if e.action == audit.Action.SUMMARY_RELEASED]
    assert [json.loads(e.details)["release"] for e in events] == [1, 2, 3]
    last = json.loads(events[-1].details)
    assert last["town_hall"] == halls.spring.slug and last["budget"] == 14.0
    assert last["epsilon"] == pytest.approx(14 / 3) and last["spent"] == pytest.approx(14.0)


def test_exact_counts_cap_the_themes_one_submission_counts_towards(db_session, ring):
    halls = two_town_halls(db_session, ring)
    exact = releases.exact_counts(db_session, halls.spring.id, theme_cap=1, affiliations=AFFILIATIONS)
    assert exact["status"]["published"] == 20 and exact["status"]["pending"] == 5
    assert exact["affiliation"]["student"] == 10 and exact["affiliation"]["staff"] == 10
    assert exact["theme"][str(halls.workload.id)] == 10


def test_the_summary_shows_released_numbers_only(db_session, ring):
    halls = two_town_halls(db_session, ring)
    before = counts.summary(db_session, halls.spring.slug, k=5, affiliations=AFFILIATIONS, today=today())
    assert before is not None and before.published.value is None
    release(db_session, halls.spring)
    after = counts.summary(db_session, halls.spring.slug, k=5, affiliations=AFFILIATIONS, today=today())
    stored = {(c.kind, c.key): c.value for c in db_session.query(ReleasedCount)}
    assert after is not None and after.published.value == stored[("status", "published")]
    overall = counts.summary(db_session, None, k=5, affiliations=AFFILIATIONS, today=today())
    assert overall is not None and overall.published.value == after.published.value
    assert [h.slug for h in overall.unreleased] == [halls.autumn.slug]
