"""The leadership summary's numbers and quotes, computed from submissions stored through the services."""

from __future__ import annotations

from datetime import timedelta

import pytest

from feedback import audit, clock, config
from feedback.models import DuplicateLink
from feedback.services.moderation import desk
from feedback.services.summary import counts
from tests.conftest import base_config
from tests.factories import make_submission, make_theme, make_town_hall, tag, today

AFFILIATIONS = ["student", "faculty", "staff"]
BY = audit.Actor(audit.SYSTEM)


def submit(session, ring, hall, count, *, status="published", affiliation="student", themes=(), text="Voice",
           reason=None):
    ids = []
    for i in range(count):
        receipt = make_submission(session, ring, hall, f"{text} {hall.slug} {status} {i}", affiliation=affiliation)
        ids.append(receipt.submission_id)
    if status != "pending":
        desk.change_status(session, ids, status, hidden_reason=reason, note="x" if status == "escalated" else "",
                                 by=BY, now=clock.now())
    for submission_id in ids:
        tag(session, submission_id, *themes)
    return ids


def view(session, slug=None, k=5):
    return counts.summary(session, slug, k=k, affiliations=AFFILIATIONS)


def row(summary, theme):
    return next(r for r in summary.themes if r.theme.id == theme.id)


def test_counts_statuses_themes_and_affiliations(db_session, ring):
    hall = make_town_hall(db_session)
    racism, workload = make_theme(db_session, "Racism"), make_theme(db_session, "Workload")
    submit(db_session, ring, hall, 7, themes=(racism,))
    submit(db_session, ring, hall, 6, affiliation="faculty", themes=(racism, workload))
    submit(db_session, ring, hall, 5, status="hidden", reason="spam")
    submit(db_session, ring, hall, 5, status="escalated")
    submit(db_session, ring, hall, 6, status="pending")

    found = view(db_session, hall.slug)
    assert (found.received.value, found.published.value, found.pending.value, found.escalated.value) == (29, 13, 6, 5)
    assert dict(found.hidden)["spam"].value == 5
    assert [r.theme.name for r in found.themes] == ["Racism", "Workload"]
    assert row(found, racism).count.value == 13 and row(found, racism).share == pytest.approx(1.0)
    assert row(found, workload).count.value == 6
    assert found.affiliations == [*AFFILIATIONS, counts.NOT_GIVEN]
    assert [c.value for c in row(found, racism).by_affiliation] == [7, 6, 0, 0]


def test_small_groups_read_as_small_and_a_second_cell_protects_them(db_session, ring):
    hall = make_town_hall(db_session)
    theme = make_theme(db_session)
    submit(db_session, ring, hall, 9, themes=(theme,))
    submit(db_session, ring, hall, 2, affiliation="faculty", themes=(theme,))
    submit(db_session, ring, hall, 6, affiliation="staff", themes=(theme,))

    found = view(db_session, hall.slug)
    cells = row(found, theme).by_affiliation
    assert cells[1] == counts.Cell(None, "small")
    # With only the faculty cell hidden, 17 - 9 - 6 would give it away: the smallest other goes too.
    assert cells[2] == counts.Cell(None, "protect")
    assert cells[0].value == 9 and row(found, theme).count.value == 17


def test_k_comes_from_the_caller_and_config_refuses_less_than_three(db_session, ring, tmp_path):
    hall = make_town_hall(db_session)
    submit(db_session, ring, hall, 4)
    assert view(db_session, hall.slug, k=5).published == counts.Cell(None, "small")
    assert view(db_session, hall.slug, k=3).published.value == 4

    from flask import Flask
    flask_app = Flask(__name__)
    with pytest.raises(config.ConfigError, match="at least 3"):
        config.load(flask_app, base_config(tmp_path, "sqlite://", SUMMARY_K=2))


def test_change_since_the_previous_town_hall(db_session, ring):
    earlier = make_town_hall(db_session, "Spring", held_on=today() - timedelta(days=90))
    later = make_town_hall(db_session, "Autumn", held_on=today())
    theme = make_theme(db_session)
    submit(db_session, ring, earlier, 6, themes=(theme,))
    submit(db_session, ring, later, 10, themes=(theme,))

    found = view(db_session, later.slug)
    assert found.previous.slug == earlier.slug
    assert row(found, theme).previous.value == 6 and row(found, theme).change == 4
    assert view(db_session, earlier.slug).previous is None
    across = view(db_session)
    assert across.town_hall is None and row(across, theme).count.value == 16
    assert [ref.slug for ref, _ in across.over_time] == [earlier.slug, later.slug]
    assert [cells[0].value for _, cells in across.over_time] == [6, 10]


def test_quotes_are_published_redacted_and_never_escalated_or_grouped_members(db_session, ring):
    hall = make_town_hall(db_session)
    theme = make_theme(db_session)
    published = submit(db_session, ring, hall, 6, themes=(theme,), text="Published words")
    submit(db_session, ring, hall, 6, status="escalated", themes=(theme,), text="ESCALATED-SECRET")
    submit(db_session, ring, hall, 6, status="hidden", reason="abusive", themes=(theme,), text="HIDDEN-SECRET")
    desk.redact(db_session, published[0], "Published words [redacted]", by=BY, now=clock.now())
    db_session.add_all(DuplicateLink(submission_id=member, representative_id=published[0])
                       for member in published[1:3])
    db_session.commit()

    quotes = row(view(db_session, hall.slug), theme).quotes
    texts = [q.text for q in quotes]
    assert quotes[0] == counts.Quote("Published words [redacted]", 3)  # raised by 3 people
    assert len(quotes) == counts.QUOTES_PER_THEME
    assert not any("SECRET" in t for t in texts)
    members = {f"Published words {hall.slug} published {i}" for i in (1, 2)}
    assert not members & set(texts)


def test_no_quotes_from_a_theme_below_k(db_session, ring):
    hall = make_town_hall(db_session)
    theme = make_theme(db_session)
    submit(db_session, ring, hall, 8)
    submit(db_session, ring, hall, 3, themes=(theme,))
    assert row(view(db_session, hall.slug), theme).quotes == []
    assert row(view(db_session), theme).quotes == []


def test_unknown_town_hall(db_session):
    assert view(db_session, "no-such-hall") is None
