"""A facilitator releases a town hall's numbers, then a leader reads them in a real browser: the summary,
switching town hall, the brief in print, a theme's action and the plan's progress report in print; axe on
each page, the release page included."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa
from playwright.sync_api import Page, expect

from feedback import audit, clock
from feedback.models import Release, ReleasedCount, Tagging, Theme, TownHall
from feedback.services.moderation import desk
from feedback.services.summary import releases
from feedback.services.summary.disclosure import Cell, Mechanism, cell_text
from tests.browser.steps import assert_accessible, log_in, log_in_to_staff_home
from tests.factories import make_submission, make_theme, make_town_hall, today
from tests.plan_rows import add_update, make_action
from tests.staff import make_staff

SYSTEM = audit.Actor(audit.SYSTEM)
FACILITATOR, LEADER = "fola@example.org", "lee@example.org"


def submissions(session, ring, hall, n: int, theme: Theme, status: str = "published", **fields) -> None:
    """n submissions to the hall, tagged with the theme and moved to status, as a facilitator would."""
    ids = [make_submission(session, ring, hall, f"{theme.name} at {hall.title}, {i}.", **fields).submission_id
           for i in range(n)]
    session.add_all(Tagging(submission_id=i, theme_id=theme.id) for i in ids)
    session.commit()
    if status != "pending":
        desk.change_status(session, ids, status, town_hall_id=hall.id, by=SYSTEM, now=clock.now())


@pytest.fixture
def halls(arranged):
    """Autumn (40 published, Workload) and Spring (Workload 40 and Safety 40, 5 waiting; a small group,
    Parking 3): big counts read "about N" whatever the noise; Autumn is released already, Spring is not."""
    session = arranged.extensions["feedback_db"]()
    ring = arranged.extensions["feedback_keyring"]
    try:
        autumn = make_town_hall(session, "Autumn listening", held_on=today() - timedelta(days=120))
        spring = make_town_hall(session, "Spring listening")
        workload, safety, parking = (make_theme(session, name) for name in ("Workload", "Safety", "Parking"))
        submissions(session, ring, autumn, 40, workload, affiliation="staff")
        submissions(session, ring, spring, 40, workload, affiliation="student")
        submissions(session, ring, spring, 40, safety, affiliation="staff")
        submissions(session, ring, spring, 3, parking, affiliation="faculty")
        submissions(session, ring, spring, 5, workload, status="pending")
        config = arranged.config
        releases.release(session, autumn, mechanism=Mechanism.from_config(config),
                         total_budget=config["SUMMARY_BUDGET"], k=config["SUMMARY_K"],
                         affiliations=list(config["AFFILIATIONS"]), by=SYSTEM, now=clock.now())
        return {"autumn": autumn.slug, "spring": spring.slug}
    finally:
        session.close()


def released(server, slug: str, kind: str, key: str) -> str:
    """A cell of the town hall's latest release as the pages print it, read from the database file."""
    latest = (sa.select(Release.id).join(TownHall).where(TownHall.slug == slug).order_by(Release.number.desc())
              .limit(1).scalar_subquery())
    cell = sa.select(sa.cast(Theme.id, sa.String)).where(Theme.name == key).scalar_subquery() if kind == "theme" \
        else key
    ((value,),) = server.stored(sa.select(ReleasedCount.value).where(
        ReleasedCount.release_id == latest, ReleasedCount.kind == kind, ReleasedCount.key == cell))
    return cell_text(Cell(value, 5))


@pytest.fixture
def leader(page: Page, live_server, arranged):
    make_staff(arranged, "leader", LEADER, "Lee")
    log_in(page, live_server, LEADER)
    expect(page.get_by_role("heading", level=1)).to_have_text("Welcome, Lee")
    return page


def release_spring(page: Page, live_server, halls) -> None:
    """The facilitator opens the desk, follows "Release numbers" for Spring and releases; then logs out."""
    make_staff(live_server.app, "facilitator", FACILITATOR, "Fola")
    log_in_to_staff_home(page, live_server, FACILITATOR)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Moderation desk").click()
    spring = page.get_by_role("row", name="Spring listening")
    expect(spring).to_contain_text("Not released yet")
    spring.get_by_role("link", name="Release numbers").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Release numbers: Spring listening")
    expect(page.get_by_text("Release after moderation.")).to_be_visible()  # 5 still wait for review
    expect(page.get_by_text("Published: 83")).to_be_visible()  # the exact counts: moderators only
    page.get_by_role("button", name="Release these numbers to leadership").click()
    expect(page.get_by_role("status").filter(has_text="Release 1 is now what leadership sees.")).to_be_visible()
    expect(page.get_by_role("row", name="Release 1 (what leadership sees)")).to_be_visible()
    page.get_by_role("button", name="Log out (Fola)").click()


def test_a_facilitator_releases_then_a_leader_reads_switches_town_hall_and_prints_the_brief(page: Page, live_server,
                                                                                          halls):
    release_spring(page, live_server, halls)
    make_staff(live_server.app, "leader", LEADER, "Lee")
    log_in_to_staff_home(page, live_server, LEADER)

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Leadership summary").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Leadership summary")
    expect(page.get_by_text("All town halls together.")).to_be_visible()
    expect(page.get_by_role("img", name="Published submissions per theme, largest first")).to_be_visible()

    page.get_by_label("Town hall", exact=True).select_option(halls["spring"])
    page.get_by_role("button", name="Show").click()

    assert page.url == live_server.url(f"/leadership/{halls['spring']}")
    statuses = page.get_by_role("table", name="Submissions by status")
    published = released(live_server, halls["spring"], "status", "published")
    assert published.startswith("about ")
    expect(statuses.get_by_role("row", name="Published")).to_contain_text(published)
    themes = page.get_by_role("table", name="Published submissions per theme", exact=True)
    for theme in ("Safety", "Parking"):  # Parking's 3 may read "fewer than 5" or not: whatever was released
        expect(themes.get_by_role("row", name=theme)).to_contain_text(released(live_server, halls["spring"],
                                                                               "theme", theme))

    page.get_by_role("link", name="Printable brief").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Spring listening")
    page.emulate_media(media="print")
    expect(page.get_by_role("navigation", name="Main")).to_be_hidden()
    expect(page.get_by_text("Print this page")).to_be_hidden()
    expect(page.get_by_role("heading", name="Top themes")).to_be_visible()


def test_a_leader_has_no_release_page(leader: Page, live_server, halls):
    expect(leader.get_by_role("navigation", name="Main").get_by_role("link", name="Moderation desk")).to_have_count(0)
    response = leader.goto(live_server.url(f"/facilitate/{halls['spring']}/release"))
    assert response is not None and response.status == 403


@pytest.mark.parametrize("where", ["all town halls", "one town hall", "brief", "nothing released", "nothing yet"])
def test_leadership_pages_have_no_accessibility_violations(where, leader: Page, live_server, arranged, request):
    if where == "nothing yet":
        path = f"/leadership/{live_server.open_slug}"
    else:
        halls = request.getfixturevalue("halls")
        path = {"all town halls": "/leadership", "one town hall": f"/leadership/{halls['autumn']}",
                "brief": f"/leadership/{halls['autumn']}/brief",
                "nothing released": f"/leadership/{halls['spring']}"}[where]

    leader.goto(live_server.url(path))
    assert_accessible(leader)


@pytest.mark.parametrize("where", ["before", "after", "refused"])
def test_the_release_page_has_no_accessibility_violations(where, page: Page, live_server, halls):
    make_staff(live_server.app, "facilitator", FACILITATOR, "Fola")
    log_in_to_staff_home(page, live_server, FACILITATOR)
    page.goto(live_server.url(f"/facilitate/{halls['autumn']}/release"))  # released once already
    for number in range(2, {"before": 2, "after": 3, "refused": 4}[where]):
        page.get_by_role("button", name="Release these numbers to leadership").click()
        expect(page.get_by_role("status").filter(has_text=f"Release {number} is now what leadership sees.")) \
            .to_be_visible()
    if where == "refused":  # a third press finds the budget spent
        page.get_by_role("button", name="Release these numbers to leadership").click()
        expect(page.get_by_role("alert")).to_contain_text("has spent its privacy budget")
    assert_accessible(page)


def test_a_leader_follows_a_theme_to_its_action_and_prints_the_plan_s_progress_report(leader: Page, live_server,
                                                                                      arranged, halls):
    session = arranged.extensions["feedback_db"]()
    try:
        workload = session.scalars(sa.select(Theme).where(Theme.name == "Workload")).one()
        action = make_action(session, "Hire night nurses", themes=[workload], status="in-progress")
        add_update(session, action, "Posted six jobs.")
        make_action(session, "DRAFT-TITLE-7Q", published=False, themes=[workload])
    finally:
        session.close()

    leader.goto(live_server.url(f"/leadership/{halls['autumn']}"))
    themes = leader.get_by_role("table", name="Published submissions per theme", exact=True)
    expect(themes.get_by_role("row", name="Workload")).to_contain_text("Hire night nurses (In progress)")
    expect(leader.get_by_text("DRAFT-TITLE-7Q")).to_have_count(0)
    assert_accessible(leader)

    leader.get_by_role("link", name="Action plan progress report (this quarter)").click()
    expect(leader.get_by_role("heading", level=1)).to_contain_text("Action plan progress report")
    report = leader.get_by_role("table", name="Published actions and this quarter's updates")
    expect(report.get_by_role("row", name="Hire night nurses")).to_contain_text("Posted six jobs.")
    assert_accessible(leader)
    leader.emulate_media(media="print")
    expect(leader.get_by_role("navigation", name="Main")).to_be_hidden()
    expect(leader.get_by_text("Print this page")).to_be_hidden()
    expect(report).to_be_visible()
    leader.emulate_media(media="screen")

    report.get_by_role("link", name="Hire night nurses").click()
    expect(leader.get_by_role("heading", level=1)).to_have_text("Hire night nurses")
