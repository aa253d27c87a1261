"""Releases: noisy counts through the disclosure layer, stored, audited, within a town hall's budget."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from feedback import audit, clock
from feedback.models import Release, ReleasedCount, ReleasedQuote
from feedback.services.moderation import desk
from feedback.services.privacy import erasure
from feedback.services.summary import counts, releases
from feedback.services.summary.disclosure import Cell, Mechanism
from tests.factories import make_submission, make_theme, make_town_hall, tag, today
from tests.summary_data import SYSTEM, add, group, two_town_halls

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


NEAR_EXACT = Mechanism(scale=0.05, theme_cap=3)  # P(noise != 0) is about 4e-9 per cell: the rules, not the noise


def release_near_exact(session, hall):
    return releases.release(session, hall, mechanism=NEAR_EXACT, total_budget=1000.0, k=5,
                            affiliations=AFFILIATIONS, by=SYSTEM, now=clock.now())


def test_one_submission_counts_towards_its_first_three_themes_only(db_session, ring):
    hall = make_town_hall(db_session, "Capped")
    themes = [make_theme(db_session, f"Theme {i}") for i in range(5)]
    add(db_session, ring, hall, "Everything at once.", "published", *themes)
    exact = releases.exact_counts(db_session, hall.id, theme_cap=3, affiliations=AFFILIATIONS)
    by_id = sorted(themes, key=lambda t: t.id)
    assert [exact["theme"][str(t.id)] for t in by_id] == [1, 1, 1, 0, 0]
    assert exact["status"]["received"] == exact["status"]["published"] == 1


def test_statuses_affiliations_and_groups_count_what_the_rules_say(db_session, ring):
    hall = make_town_hall(db_session, "Rules")
    lead = add(db_session, ring, hall, "Lead.", "published", affiliation="faculty")
    members = [add(db_session, ring, hall, f"Member {i}.", "published", affiliation=None) for i in range(3)]
    hidden_member = add(db_session, ring, hall, "Hidden member.", "hidden", reason="spam")
    add(db_session, ring, hall, "Unknown label.", "published", affiliation="alumni")
    add(db_session, ring, hall, "Waiting.", "pending")
    group(db_session, lead, *members, hidden_member)
    exact = releases.exact_counts(db_session, hall.id, theme_cap=3, affiliations=AFFILIATIONS)
    assert exact["status"] == {**dict.fromkeys(exact["status"], 0), "received": 7, "published": 5, "pending": 1,
                               "hidden:spam": 1}
    assert exact["affiliation"]["faculty"] == 1 and exact["affiliation"]["Not given"] == 4
    assert exact["group"] == {str(lead): 4}  # published members only


def test_quotes_come_from_themes_released_at_k_or_more_and_drop_out_when_hidden(db_session, ring):
    hall = make_town_hall(db_session, "Quoted")
    big, small = make_theme(db_session, "Big"), make_theme(db_session, "Small")
    quoted = [add(db_session, ring, hall, f"Big point {i}.", "published", big) for i in range(6)]
    add(db_session, ring, hall, "Small point.", "published", small)
    release_near_exact(db_session, hall)
    found = counts.summary(db_session, hall.slug, k=5, affiliations=AFFILIATIONS, today=today())
    rows = {row.theme.name: row for row in found.themes}
    assert len(rows["Big"].quotes) == releases.QUOTES_PER_THEME and rows["Small"].quotes == []
    texts = {q.text for q in rows["Big"].quotes}
    first = next(i for i, s in enumerate(quoted) if f"Big point {i}." in texts)
    desk.change_status(db_session, [quoted[first]], "hidden", hidden_reason="identifying", note="",
                       by=SYSTEM, now=clock.now())
    again = counts.summary(db_session, hall.slug, k=5, affiliations=AFFILIATIONS, today=today())
    row = next(r for r in again.themes if r.theme.name == "Big")
    assert f"Big point {first}." not in {q.text for q in row.quotes}
    assert row.count == rows["Big"].count  # the numbers stay as released until the next release


def test_a_quoted_group_reads_its_released_size_and_a_member_is_never_quoted(db_session, ring):
    hall = make_town_hall(db_session, "Grouped")
    theme = make_theme(db_session, "Shared")
    lead = add(db_session, ring, hall, "The lead says it.", "published", theme)
    members = [add(db_session, ring, hall, f"Me too {i}.", "published", theme) for i in range(2)]
    group(db_session, lead, *members)
    for i in range(5):
        add(db_session, ring, hall, f"Alone {i}.", "published", theme)
    release_near_exact(db_session, hall)
    found = counts.summary(db_session, hall.slug, k=5, affiliations=AFFILIATIONS, today=today())
    quotes = next(r for r in found.themes if r.theme.name == "Shared").quotes
    assert quotes[0].text == "The lead says it." and quotes[0].raised_by == Cell(3, 5)
    assert not quotes[0].raised_by.shown  # 3 < k: the page says "several people"
    assert all(not q.text.startswith("Me too") for q in quotes) and all(q.raised_by is None for q in quotes[1:])


def test_the_trend_and_change_use_held_released_town_halls_only(db_session, ring):
    halls = two_town_halls(db_session, ring)
    upcoming = make_town_hall(db_session, "Next spring", state="upcoming", held_on=today() + timedelta(days=30))
    release_near_exact(db_session, halls.autumn)
    release_near_exact(db_session, halls.spring)
    release_near_exact(db_session, upcoming)
    found = counts.summary(db_session, None, k=5, affiliations=AFFILIATIONS, today=today())
    assert [hall.title for hall, _ in found.over_time] == ["Autumn listening", "Spring listening"]
    spring = counts.summary(db_session, halls.spring.slug, k=5, affiliations=AFFILIATIONS, today=today())
    assert spring.previous is not None and spring.previous.title == "Autumn listening"
    workload = next(r for r in spring.themes if r.theme.name == "Workload")
    assert workload.change == 0  # 10 at each, released without noise to speak of


def test_a_withdrawn_representative_leaves_nothing_of_itself_in_past_releases(db_session, ring):
    hall = make_town_hall(db_session, "Withdrawn")
    theme = make_theme(db_session, "Shared")
    receipt = make_submission(db_session, ring, hall, "I lead the group.")
    desk.change_status(db_session, [receipt.submission_id], "published", by=SYSTEM, now=clock.now())
    tag(db_session, receipt.submission_id, theme)
    members = [add(db_session, ring, hall, f"Me too {i}.", "published", theme) for i in range(6)]
    group(db_session, receipt.submission_id, *members)
    for i in range(2):  # a theme is quoted three times or not at all
        add(db_session, ring, hall, f"On my own {i}.", "published", theme)
    release_near_exact(db_session, hall)
    assert db_session.query(ReleasedQuote).filter_by(submission_id=receipt.submission_id).one().raised_by == 7

    assert erasure.withdraw(db_session, ring, receipt.code)

    db_session.expire_all()
    assert db_session.query(ReleasedQuote).filter_by(submission_id=receipt.submission_id).count() == 0
    assert all(str(receipt.submission_id) not in c.key for c in db_session.query(ReleasedCount))


def test_a_release_of_a_page_that_is_out_of_date_spends_nothing(db_session, ring):
    """Two presses of one page (or two colleagues) both saw release 0: the second is refused under the lock."""
    hall = make_town_hall(db_session, "Pressed twice")
    releases.release(db_session, hall, mechanism=MECHANISM, total_budget=14.0, k=5, affiliations=AFFILIATIONS,
                     by=SYSTEM, now=clock.now(), after=0)
    with pytest.raises(releases.Refused, match="Release 1 was made after this page was shown"):
        releases.release(db_session, hall, mechanism=MECHANISM, total_budget=14.0, k=5, affiliations=AFFILIATIONS,
                         by=SYSTEM, now=clock.now(), after=0)
    assert releases.budget(db_session, hall.id, MECHANISM, 14.0).releases_left == 2


def test_a_theme_with_fewer_than_three_quotable_submissions_is_not_quoted_at_all(db_session, ring):
    """One or two quotes would say exactly how many published submissions carry the theme."""
    hall = make_town_hall(db_session, "Few voices")
    theme = make_theme(db_session, "Parking")
    lead = add(db_session, ring, hall, "Parking is impossible.", "published", theme)
    group(db_session, lead, *[add(db_session, ring, hall, f"Same here {i}.", "published", theme) for i in range(5)])
    add(db_session, ring, hall, "The buses stop at six.", "published", theme)
    release_near_exact(db_session, hall)  # 7 released: at k or more, but only two could be quoted
    found = counts.summary(db_session, hall.slug, k=5, affiliations=AFFILIATIONS, today=today())
    row = next(r for r in found.themes if r.theme.name == "Parking")
    assert row.count.shown and row.quotes == []
    add(db_session, ring, hall, "Cycling in is unsafe.", "published", theme)
    releases.release(db_session, hall, mechanism=NEAR_EXACT, total_budget=1000.0, k=5, affiliations=AFFILIATIONS,
                     by=SYSTEM, now=clock.now())
    again = counts.summary(db_session, hall.slug, k=5, affiliations=AFFILIATIONS, today=today())
    assert len(next(r for r in again.themes if r.theme.name == "Parking").quotes) == 3
