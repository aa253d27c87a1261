"""Small-group protection, as a property: over random populations and every view the summary offers,
no shown number, and no difference of shown numbers, is a group of 1 to k-1 people."""

from __future__ import annotations

import itertools
import os
import uuid
from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import orm

from feedback.models import Base, Submission, Tagging, Theme, TownHall
from feedback.services.summary import counts

AFFILIATIONS = ["student", "faculty", "staff"]
STATUSES = ["pending", "published", "escalated", "hidden:abusive", "hidden:off-topic", "hidden:spam"]
ALL = "*"

person = st.tuples(
    st.integers(0, 2),  # town hall
    st.sampled_from(STATUSES),
    st.sampled_from([*AFFILIATIONS, None]),
    st.frozensets(st.integers(0, 2), max_size=3),  # themes
)
population = st.lists(person, max_size=45)


@pytest.fixture(scope="module")
def make_session(tmp_path_factory):
    engine = sa.create_engine(f"sqlite:///{tmp_path_factory.mktemp('summary') / 'db.sqlite3'}")
    Base.metadata.create_all(engine)
    yield orm.sessionmaker(engine)
    engine.dispose()


def arrange(session, people) -> tuple[list[TownHall], list[Theme], dict[str, int]]:
    """Store the population; return town halls, themes, and each body's index in the population."""
    for table in ("tagging", "submission", "theme", "town_hall"):
        session.execute(sa.text(f"DELETE FROM {table}"))
    start = date(2026, 1, 5)
    halls = [TownHall(slug=f"hall-{i}", title=f"Hall {i}", held_on=start + timedelta(days=30 * i),
                      intake_opens_on=start, intake_closes_on=start) for i in range(3)]
    themes = [Theme(name=f"Theme {i}") for i in range(3)]
    session.add_all(halls + themes)
    session.flush()
    bodies = {}
    for index, (hall, status, affiliation, tagged) in enumerate(people):
        status, _, reason = status.partition(":")
        submission = Submission(id=uuid.uuid4(), town_hall_id=halls[hall].id, body=f"quote {index}",
                                received_on=start, status=status, hidden_reason=reason or None,
                                affiliation=affiliation, receipt_hash=os.urandom(32), form_token_hash=os.urandom(32))
        session.add(submission)
        session.flush()
        session.add_all(Tagging(submission_id=submission.id, theme_id=themes[t].id) for t in tagged)
        bodies[submission.body] = index
    session.commit()
    return halls, themes, bodies


def group(people, hall=ALL, kind="published", affiliation=ALL, theme=ALL) -> frozenset[int]:
    """The people a displayed number speaks of."""
    return frozenset(
        i for i, (h, status, a, tagged) in enumerate(people)
        if hall in (ALL, h) and (kind == "received" or status == kind)
        and affiliation in (ALL, a or counts.NOT_GIVEN) and (theme == ALL or theme in tagged)
    )


def shown_numbers(view: counts.Summary, halls, themes, people):
    """(descriptor, group, cell) for every number the view displays."""
    here = ALL if view.town_hall is None else next(i for i, h in enumerate(halls) if h.slug == view.town_hall.slug)
    theme_index = {t.id: i for i, t in enumerate(themes)}
    yield (here, "received"), group(people, here, "received"), view.received
    for kind, cell in [("published", view.published), ("pending", view.pending), ("escalated", view.escalated),
                       *((f"hidden:{reason}", cell) for reason, cell in view.hidden)]:
        yield (here, kind), group(people, here, kind), cell
    for affiliation, cell in zip(view.affiliations, view.affiliation_totals, strict=True):
        yield (here, "published", affiliation, ALL), group(people, here, affiliation=affiliation), cell
    for row in view.themes:
        t = theme_index[row.theme.id]
        yield (here, "published", ALL, t), group(people, here, theme=t), row.count
        for affiliation, cell in zip(view.affiliations, row.by_affiliation, strict=True):
            yield (here, "published", affiliation, t), group(people, here, affiliation=affiliation, theme=t), cell
        if row.previous is not None:
            yield (here - 1, "published", ALL, t), group(people, here - 1, theme=t), row.previous
    for (ref, cells) in view.over_time:
        h = next(i for i, hall in enumerate(halls) if hall.slug == ref.slug)
        for theme, cell in zip(view.trend_themes, cells, strict=True):
            t = theme_index[theme.id]
            yield (h, "published", ALL, t), group(people, h, theme=t), cell


def check(people, k, halls, themes, bodies, views):
    numbers: dict[tuple, tuple[frozenset, counts.Cell]] = {}
    for view in views:
        for descriptor, members, cell in shown_numbers(view, halls, themes, people):
            key = descriptor if len(descriptor) == 4 else (*descriptor, ALL, ALL)
            assert numbers.setdefault(key, (members, cell))[1] == cell, f"{key} differs between views"
            if cell.shown:
                assert cell.value == len(members), key
                assert cell.value == 0 or cell.value >= k, f"{key} shows a group of {cell.value}"
            else:
                assert cell.why in ("small", "protect")
                assert cell.why != "small" or 0 < len(members) < k
        for row in view.themes:
            if row.share is not None:
                assert row.share == pytest.approx(row.count.value / view.published.value)
            for quote in row.quotes:
                source = people[bodies[quote.text]]
                assert source[1] == "published"
                theme = [t.id for t in themes].index(row.theme.id)
                assert len(group(people, source[0], theme=theme)) >= k, "a quote from a small group"
    shown = [(key, members) for key, (members, cell) in numbers.items() if cell.shown]
    for (a, inner), (b, outer) in itertools.permutations(shown, 2):
        if holds(b, a) and inner != outer:
            assert len(outer - inner) >= k, f"{b} minus {a} is a group of {len(outer - inner)}"
    for total, parts in partitions(len(halls), len(themes)):
        if total in numbers and numbers[total][1].shown:
            rest = numbers[total][1].value - sum(numbers[p][1].value for p in parts if numbers[p][1].shown)
            assert rest == 0 or rest >= k, f"{total} minus its shown parts is a group of {rest}"


def holds(outer: tuple, inner: tuple) -> bool:
    """Whether a reader can tell from the page alone that outer's group holds inner's.

    (Two themes' groups may happen to nest, but nothing on the page says so.)
    """
    (oh, ok, oa, ot), (ih, ik, ia, it) = outer, inner
    return (oh in (ALL, ih) and (ok == ik or ok == "received") and oa in (ALL, ia) and ot in (ALL, it))


def partitions(n_halls: int, n_themes: int):
    """The breakdowns a reader can add up: statuses of the received, affiliations, town halls."""
    affiliations = [*AFFILIATIONS, counts.NOT_GIVEN]
    places = [*range(n_halls), ALL]
    kinds = ["published", "pending", "escalated", *(f"hidden:{r}" for r in counts.HIDDEN_REASONS)]
    for h in places:
        yield (h, "received", ALL, ALL), [(h, kind, ALL, ALL) for kind in kinds]
        for t in (*range(n_themes), ALL):
            yield (h, "published", ALL, t), [(h, "published", a, t) for a in affiliations]
    for kind in ("received", *kinds):
        yield (ALL, kind, ALL, ALL), [(h, kind, ALL, ALL) for h in range(n_halls)]
    for a, t in itertools.product((*affiliations, ALL), (*range(n_themes), ALL)):
        yield (ALL, "published", a, t), [(h, "published", a, t) for h in range(n_halls)]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(people=population, k=st.sampled_from([3, 5]))
def test_no_view_reveals_a_group_smaller_than_k(make_session, people, k):
    with make_session() as session:
        halls, themes, bodies = arrange(session, people)
        views = [counts.summary(session, slug, k=k, affiliations=AFFILIATIONS)
                 for slug in [None, *(h.slug for h in halls)]]
        check(people, k, halls, themes, bodies, views)
