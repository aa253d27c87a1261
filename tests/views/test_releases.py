"""Releasing a town hall's numbers: what a facilitator, an admin and a leader see before and after."""

from __future__ import annotations

import json
import re
import uuid
from dataclasses import dataclass
from html import unescape

import pytest
import sqlalchemy as sa

from feedback import audit, clock
from feedback.models import AuditEvent, Release, ReleasedCount, Tagging, Theme, TownHall
from feedback.services.moderation import desk
from feedback.services.summary import releases
from feedback.services.summary.disclosure import Mechanism
from tests.browsing import hidden_fields, post_form
from tests.factories import make_submission, make_theme, make_town_hall
from tests.staff import staff_client
from tests.summary_data import tables

SYSTEM = audit.Actor(audit.SYSTEM)
PUBLISHED = 40  # big enough that noise never takes a released count under 5 (P < 1e-8)


@dataclass
class Halls:
    spring: TownHall  # intake open; 40 published, 5 pending, 5 escalated, 5 hidden as spam
    autumn: TownHall  # intake open; 20 published
    published: list[uuid.UUID]


def submissions(session, ring, hall, n: int, status: str, theme: Theme, reason: str | None = None) -> list[uuid.UUID]:
    """n submissions to the hall, tagged with the theme and moved to status, as a facilitator would."""
    ids = [make_submission(session, ring, hall, f"{status} {i}: the rota is unfair.",
                           affiliation="staff").submission_id for i in range(n)]
    session.add_all(Tagging(submission_id=i, theme_id=theme.id) for i in ids)
    session.commit()
    if status != "pending":
        note = "Needs HR." if status == "escalated" else ""
        desk.change_status(session, ids, status, hidden_reason=reason, note=note, town_hall_id=hall.id, by=SYSTEM,
                           now=clock.now())
    return ids


@pytest.fixture
def halls(db_session, ring) -> Halls:
    spring, autumn = make_town_hall(db_session, "Spring listening"), make_town_hall(db_session, "Autumn listening")
    workload = make_theme(db_session, "Workload")
    published = submissions(db_session, ring, spring, PUBLISHED, "published", workload)
    submissions(db_session, ring, spring, 5, "pending", workload)
    submissions(db_session, ring, spring, 5, "escalated", workload)
    submissions(db_session, ring, spring, 5, "hidden", workload, reason="spam")
    submissions(db_session, ring, autumn, 20, "published", workload)
    return Halls(spring, autumn, published)


def allowed(app) -> releases.Budget:
    """A town hall's budget before any release, with the app's settings."""
    return releases.Budget(0.0, float(app.config["SUMMARY_BUDGET"]), Mechanism.from_config(app.config).epsilon())


def amount(epsilon: float) -> str:
    """An epsilon as the page prints it."""
    return f"{round(epsilon, 2):g}"


def text(response) -> str:
    """The page's words as a reader sees them: no tags, entities decoded, spaces collapsed."""
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]*>", " ", response.get_data(as_text=True))))


def release_page(client, slug: str):
    return client.get(f"/facilitate/{slug}/release")


def release_form(client, slug: str) -> dict[str, str]:
    """The release form's hidden fields as the page shows them now."""
    return hidden_fields(release_page(client, slug).get_data(as_text=True))


def press_release(client, slug: str, form: dict[str, str] | None = None):
    """Press "Release these numbers to leadership" on the town hall's release page (as shown now, or before)."""
    return client.post(f"/facilitate/{slug}/release", data=form or release_form(client, slug))


def released(db_session) -> dict[tuple[str, str], int]:
    """The latest release's stored counts, (kind, key) -> value."""
    db_session.rollback()
    latest = db_session.scalar(sa.select(sa.func.max(Release.id)))
    return {(c.kind, c.key): c.value
            for c in db_session.scalars(sa.select(ReleasedCount).where(ReleasedCount.release_id == latest))}


def row(html: str, name: str) -> list[str] | None:
    """The cells after the first of the first row, in any table of the page, whose first cell is name."""
    for table in tables(html).values():
        for cells in table:
            if cells and cells[0] == name:
                return cells[1:]
    return None


def leader_page(leader, slug: str) -> str:
    response = leader.get(f"/leadership/{slug}")
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


def test_a_leader_may_not_open_or_press_the_release_page(leader, facilitator, halls, db_session):
    """Not even with a valid form: the role is checked first."""
    assert release_page(leader, halls.spring.slug).status_code == 403
    assert press_release(leader, halls.spring.slug, release_form(facilitator, halls.spring.slug)).status_code == 403
    db_session.rollback()
    assert db_session.scalar(sa.select(sa.func.count()).select_from(Release)) == 0


def test_the_page_shows_the_exact_counts_the_budget_and_a_warning_while_submissions_wait(app, facilitator, halls):
    response = release_page(facilitator, halls.spring.slug)

    assert response.status_code == 200
    page = text(response)
    assert "Release numbers: Spring listening" in page
    for shown in ("Pending: 5", f"Published: {PUBLISHED}", "Hidden: 5", "Escalated: 5", f"Total: {PUBLISHED + 15}"):
        assert shown in page
    assert "Release after moderation. 5 submissions are still waiting for review." in page
    assert "Intake is still open" in page
    budget = allowed(app)
    assert f"Spent epsilon 0 of {amount(budget.total)}" in page
    assert f"Each release spends epsilon {amount(budget.per_release)}" in page
    assert f"Releases left {budget.releases_left}" in page
    assert "Not released yet: leadership sees no numbers for this town hall." in page
    assert "Release these numbers to leadership" in page


def test_a_release_is_what_the_leader_reads_as_about_n(app, facilitator, leader, halls, db_session):
    assert row(leader_page(leader, halls.spring.slug), "Published") is None  # no numbers before a release

    response = press_release(facilitator, halls.spring.slug)

    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/facilitate/{halls.spring.slug}/release")
    after = text(facilitator.get(response.headers["Location"]))
    assert "Release 1 is now what leadership sees." in after
    budget = allowed(app)
    assert "Release 1 (what leadership sees)" in after
    assert f"Spent epsilon {amount(budget.per_release)} of {amount(budget.total)}" in after
    assert f"Releases left {budget.releases_left - 1}" in after
    stored = released(db_session)
    page = leader_page(leader, halls.spring.slug)
    assert row(page, "Received") == [f"about {stored['status', 'received']}"]
    assert row(page, "Published") == [f"about {stored['status', 'published']}"]


def test_hiding_a_submission_after_a_release_leaves_the_leader_page_as_it_was(facilitator, leader, halls):
    assert press_release(facilitator, halls.spring.slug).status_code == 302
    before = tables(leader_page(leader, halls.spring.slug))
    submission_id = halls.published[0]

    hidden = post_form(facilitator, f"/facilitate/s/{submission_id}/status", f"/facilitate/s/{submission_id}",
                       status="hidden", hidden_reason="identifying")

    assert hidden.status_code == 302
    assert f"Published: {PUBLISHED - 1}" in text(release_page(facilitator, halls.spring.slug))  # the exact count
    assert tables(leader_page(leader, halls.spring.slug)) == before


def test_a_release_past_the_budget_is_refused_with_the_budget_message(app, facilitator, halls, db_session):
    budget = allowed(app)
    assert budget.releases_left == 3  # the default settings: the fourth is refused
    for _ in range(budget.releases_left):
        assert press_release(facilitator, halls.spring.slug).status_code == 302
    spent = text(release_page(facilitator, halls.spring.slug))
    assert "Releases left 0" in spent and "a release would be refused" in spent

    refused = press_release(facilitator, halls.spring.slug)

    assert refused.status_code == 409
    shown = text(refused)
    assert f"Spring listening has spent its privacy budget ({amount(budget.total)} of {amount(budget.total)})" \
        in shown
    assert "what leadership sees stays as it is" in shown
    assert "Release numbers: Spring listening" in shown and "Release 3 (what leadership sees)" in shown
    assert "Release these numbers to leadership" in shown  # the form comes back
    db_session.rollback()
    assert db_session.scalar(sa.select(sa.func.count()).select_from(Release)) == 3


def test_a_second_press_of_the_same_page_releases_nothing_more(facilitator, halls, db_session):
    """A double click, or a page a colleague released from meanwhile: the budget is not spent twice."""
    shown = release_form(facilitator, halls.spring.slug)
    assert press_release(facilitator, halls.spring.slug, shown).status_code == 302

    again = press_release(facilitator, halls.spring.slug, shown)

    assert again.status_code == 409
    assert "Release 1 was made after this page was shown" in text(again)
    assert "nothing was released again" in text(again)
    db_session.rollback()
    assert db_session.scalar(sa.select(sa.func.count()).select_from(Release)) == 1
    assert press_release(facilitator, halls.spring.slug).status_code == 302  # the page shown now releases


def test_a_release_is_an_audit_event_naming_the_facilitator_and_the_epsilon(app, facilitator, halls, db_session):
    assert press_release(facilitator, halls.spring.slug).status_code == 302

    db_session.rollback()
    event = db_session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "summary.released"))
    assert event is not None and event.actor == "facilitator@example.org"
    budget = allowed(app)
    assert json.loads(event.details) == {"town_hall": halls.spring.slug, "release": 1,
                                         "epsilon": pytest.approx(budget.per_release),
                                         "spent": pytest.approx(budget.per_release), "budget": budget.total}
    assert audit.first_broken_link(db_session) is None


def test_an_admin_releases_too(app, halls, db_session):
    admin = staff_client(app, "admin")

    assert press_release(admin, halls.autumn.slug).status_code == 302

    db_session.rollback()
    assert db_session.scalar(sa.select(AuditEvent.actor).where(AuditEvent.action == "summary.released")) \
        == "admin@example.org"
    assert "Release 1 (what leadership sees)" in text(release_page(admin, halls.autumn.slug))


def test_no_warning_once_intake_is_closed_and_nothing_waits(facilitator, db_session):
    closed = make_town_hall(db_session, "Winter listening", state="closed")

    page = text(release_page(facilitator, closed.slug))

    assert "Release after moderation." not in page and "Release these numbers to leadership" in page


def test_an_unknown_town_hall_has_no_release_page(facilitator):
    assert release_page(facilitator, "no-such-hall").status_code == 404
    assert facilitator.post("/facilitate/no-such-hall/release").status_code in (400, 404)


def test_the_index_links_each_town_hall_to_its_release_page_with_its_latest_release(facilitator, halls):
    assert press_release(facilitator, halls.autumn.slug).status_code == 302

    index = facilitator.get("/facilitate").get_data(as_text=True)

    for hall in (halls.autumn, halls.spring):
        assert f'href="/facilitate/{hall.slug}/release">Release numbers' in index
    autumn, spring = row(index, "Autumn listening"), row(index, "Spring listening")
    assert autumn is not None and spring is not None
    assert "Not released yet" not in autumn[-1] and "Release numbers" in autumn[-1]
    assert spring[-1].startswith("Not released yet")
