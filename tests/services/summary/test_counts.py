"""The leadership summary, built from the latest releases only: numbers, comparisons, the trend and quotes.

Noise is random, so no test names a noisy value: each compares the summary with the release as stored,
or uses a count of 40 or more, which noise of scale 1.5 takes under 5 with P < 1e-10.
"""

from __future__ import annotations

import dataclasses
from datetime import timedelta

import pytest

from feedback import clock, config
from feedback.models import HIDDEN_REASONS
from feedback.services.moderation import desk
from feedback.services.summary import counts
from feedback.services.summary.disclosure import Cell
from tests.conftest import base_config
from tests.factories import make_theme, make_town_hall, today
from tests.summary_data import SYSTEM, group, many, release, released, set_released, two_town_halls

AFFILIATIONS = ["student", "faculty", "staff", "other", "prefer not to say"]


def view(session, slug=None, k=5):
    return counts.summary(session, slug, k=k, affiliations=AFFILIATIONS, today=today())


def row(summary, theme):
    return next(r for r in summary.themes if r.theme.id == theme.id)


def test_every_number_is_the_latest_release_as_stored(app, db_session, ring):
    halls = two_town_halls(db_session, ring, per=20)
    release(app, db_session, halls.spring)
    stored = released(db_session, halls.spring)

    found = view(db_session, halls.spring.slug)

    assert found.town_hall.release == 1 and found.town_hall.released_on == clock.today()
    statuses = stored["status"]
    assert (found.received, found.published, found.pending, found.escalated) == tuple(
        Cell(statuses[key], 5) for key in ("received", "published", "pending", "escalated"))
    assert found.hidden == [(reason, Cell(statuses[f"hidden:{reason}"], 5)) for reason in HIDDEN_REASONS]
    assert found.affiliations == [*AFFILIATIONS, counts.NOT_GIVEN]
    assert found.affiliation_totals == [Cell(stored["affiliation"][label], 5) for label in found.affiliations]
    workload = row(found, halls.workload)
    assert workload.count == Cell(stored["theme"][str(halls.workload.id)], 5) and workload.count.shown
    assert workload.share == pytest.approx(workload.count.value / found.published.value)


def numbers(summary):
    """The summary without its quotes (a quote leaves as soon as its submission stops being published)."""
    return dataclasses.replace(summary, themes=[dataclasses.replace(r, quotes=[]) for r in summary.themes])


def test_nothing_counts_live_a_change_waits_for_the_next_release(app, db_session, ring):
    halls = two_town_halls(db_session, ring, per=20)
    release(app, db_session, halls.spring)
    before = numbers(view(db_session, halls.spring.slug))

    desk.change_status(db_session, halls.ids["spring workload student"], "hidden", hidden_reason="abusive",
                       by=SYSTEM, now=clock.now())
    many(db_session, ring, halls.spring, [f"late {i}" for i in range(40)], "published", halls.safety)

    assert numbers(view(db_session, halls.spring.slug)) == before
    release(app, db_session, halls.spring)
    after = view(db_session, halls.spring.slug)
    assert after.town_hall.release == 2
    assert dict(after.hidden)["abusive"] == Cell(released(db_session, halls.spring)["status"]["hidden:abusive"], 5)


def test_a_town_hall_never_released_has_no_numbers(db_session, ring):
    halls = two_town_halls(db_session, ring)

    found = view(db_session, halls.spring.slug)

    assert not found.town_hall.released and found.town_hall.released_on is None
    cells = [found.received, found.published, found.pending, found.escalated, *(c for _, c in found.hidden),
             *found.affiliation_totals, *(r.count for r in found.themes)]
    assert cells and all(cell == Cell(None, 5) for cell in cells)
    assert all(r.quotes == [] and r.share is None for r in found.themes)


def test_the_previous_town_hall_is_the_released_one_held_before(app, db_session, ring):
    halls = two_town_halls(db_session, ring, per=20)
    winter = make_town_hall(db_session, "Winter", held_on=halls.autumn.held_on - timedelta(days=60))
    many(db_session, ring, winter, [f"winter {i}" for i in range(40)], "published", halls.workload)
    release(app, db_session, winter, halls.spring)  # Autumn, between them, is not released

    found = view(db_session, halls.spring.slug)

    assert found.previous.slug == winter.slug
    workload = row(found, halls.workload)
    assert workload.previous == Cell(released(db_session, winter)["theme"][str(halls.workload.id)], 5)
    assert workload.change == workload.count.value - workload.previous.value
    assert view(db_session, winter.slug).previous is None
    assert view(db_session, halls.autumn.slug).previous is None


def test_all_town_halls_add_up_each_latest_release(app, db_session, ring):
    halls = two_town_halls(db_session, ring, per=20)
    release(app, db_session, halls.autumn, halls.spring, halls.spring)
    autumn, spring = released(db_session, halls.autumn), released(db_session, halls.spring)

    across = view(db_session)

    assert across.town_hall is None and across.previous is None and across.unreleased == []
    assert across.published.value == autumn["status"]["published"] + spring["status"]["published"]
    key = str(halls.workload.id)
    assert row(across, halls.workload).count.value == autumn["theme"][key] + spring["theme"][key]


def test_the_trend_holds_held_released_town_halls_oldest_first(app, db_session, ring):
    halls = two_town_halls(db_session, ring, per=20)
    summer = make_town_hall(db_session, "Summer", state="upcoming")
    winter = make_town_hall(db_session, "Winter", held_on=halls.autumn.held_on - timedelta(days=60))
    release(app, db_session, summer, halls.spring, halls.autumn)

    across = view(db_session)

    assert [hall.slug for hall, _cells in across.over_time] == [halls.autumn.slug, halls.spring.slug]
    assert [hall.slug for hall in across.unreleased] == [winter.slug]  # held, not released; Summer is not held
    assert across.trend_themes[0].id == halls.workload.id  # about 80 in all, the largest
    spring = released(db_session, halls.spring)
    assert across.over_time[1][1] == [Cell(spring["theme"][str(t.id)], 5) for t in across.trend_themes]


@pytest.fixture
def grouped(app, db_session, ring):
    """A theme of 43 published: a redacted representative with 40 grouped members and two single voices; and
    escalated, hidden and pending text under the same theme."""
    hall = make_town_hall(db_session)
    theme = make_theme(db_session)
    [representative] = many(db_session, ring, hall, ["Published words"], "published", theme)
    desk.redact(db_session, representative, "Published words [redacted]", by=SYSTEM, now=clock.now())
    group(db_session, representative, *many(db_session, ring, hall, [f"Member {i}" for i in range(40)],
                                            "published", theme))
    many(db_session, ring, hall, ["Single one", "Single two"], "published", theme)
    many(db_session, ring, hall, [f"ESCALATED-SECRET {i}" for i in range(6)], "escalated", theme)
    many(db_session, ring, hall, [f"HIDDEN-SECRET {i}" for i in range(6)], "hidden", theme, reason="abusive")
    many(db_session, ring, hall, [f"PENDING-SECRET {i}" for i in range(6)], "pending", theme)
    release(app, db_session, hall)
    return hall, theme, representative


def test_quotes_are_published_redacted_and_never_unpublished_or_grouped_members(db_session, grouped):
    hall, theme, representative = grouped

    quotes = row(view(db_session, hall.slug), theme).quotes

    size = released(db_session, hall)["group"][str(representative)]
    assert quotes[0] == counts.Quote("Published words [redacted]", Cell(size, 5))
    assert sorted(q.text for q in quotes[1:]) == ["Single one", "Single two"]
    assert all(q.raised_by is None for q in quotes[1:])
    assert quotes == row(view(db_session), theme).quotes


def test_no_quotes_under_a_theme_released_below_k(db_session, grouped):
    hall, theme, _representative = grouped
    set_released(db_session, hall, "theme", str(theme.id), 4)

    assert row(view(db_session, hall.slug), theme).quotes == []
    assert row(view(db_session), theme).quotes == []


def test_a_quote_hidden_after_its_release_is_dropped(db_session, grouped):
    hall, theme, representative = grouped
    desk.change_status(db_session, [representative], "hidden", hidden_reason="identifying", by=SYSTEM,
                       now=clock.now())

    texts = [q.text for q in row(view(db_session, hall.slug), theme).quotes]

    assert sorted(texts) == ["Single one", "Single two"]


def test_k_comes_from_the_caller_and_config_refuses_less_than_three(app, db_session, ring, tmp_path):
    hall = make_town_hall(db_session)
    release(app, db_session, hall)
    set_released(db_session, hall, "status", "published", 4)

    assert not view(db_session, hall.slug, k=5).published.shown
    assert view(db_session, hall.slug, k=3).published == Cell(4, 3)

    from flask import Flask
    flask_app = Flask(__name__)
    with pytest.raises(config.ConfigError, match="at least 3"):
        config.load(flask_app, base_config(tmp_path, "sqlite://", SUMMARY_K=2))


def test_unknown_town_hall(db_session):
    assert view(db_session, "no-such-hall") is None
