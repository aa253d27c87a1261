"""The leadership summary and brief: released numbers only, the same on every reload, no text leaks.

Noise is random, so no test names a noisy value: a count of 40 or more reads "about N" (noise of scale
1.5 takes it under 5 with P < 1e-10), and every other number is compared with the release as stored.
"""

from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from feedback import clock
from feedback.filters import format_date
from feedback.models import HIDDEN_REASONS, AuditEvent
from feedback.services.moderation import desk
from feedback.services.summary import disclosure, exports
from feedback.services.themes.codebook_values import DEFAULT_COLOUR
from feedback.views.leadership import HIDDEN_REASON_LABELS
from tests.factories import make_theme, make_town_hall
from tests.staff import staff_client
from tests.summary_data import (
    AFFILIATION,
    MARKERS,
    OVER_TIME,
    STATUS,
    SYSTEM,
    THEMES,
    add,
    group,
    many,
    plant_secrets,
    release,
    released,
    rows_by_name,
    set_released,
    tables,
    text,
    two_town_halls,
)

AFFILIATIONS = ["student", "faculty", "staff", "other", "prefer not to say", "Not given"]
BRIEF_THEMES = "The largest themes, with the change since the previous town hall"
NOT_RELEASED = "This town hall's numbers have not been released yet."


@pytest.fixture
def halls(db_session, ring):
    return two_town_halls(db_session, ring, per=20)


@pytest.fixture
def both_released(app, db_session, halls):
    release(app, db_session, halls.autumn, halls.spring)
    return halls


def page(client, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


def page_tables(client, path: str) -> dict:
    return tables(page(client, path))


def svg(html: str, chart_id: str) -> str:
    start = html.index(f'aria-labelledby="{chart_id}-title"')
    return html[start:html.index("</svg>", start)]


def status_rows(stored: dict) -> dict[str, list[str]]:
    """The status table a release should produce: every row the released count of its own."""
    statuses = stored["status"]
    rows = {"Status": ["Submissions"], "Received": [text(statuses["received"])],
            "Published": [text(statuses["published"])], "Waiting for review": [text(statuses["pending"])]}
    rows |= {f"Hidden: {HIDDEN_REASON_LABELS[reason]}": [text(statuses[f"hidden:{reason}"])]
             for reason in HIDDEN_REASONS}
    return rows | {"Escalated": [text(statuses["escalated"])]}


def test_a_town_halls_numbers_appear_only_once_they_are_released(app, leader, halls, db_session):
    before = page(leader, f"/leadership/{halls.spring.slug}")

    assert NOT_RELEASED in before
    assert STATUS not in tables(before) and "about " not in before

    release(app, db_session, halls.spring)
    after = page(leader, f"/leadership/{halls.spring.slug}")

    assert NOT_RELEASED not in after
    assert f"Numbers from release 1 of {format_date(clock.today())}." in after
    assert rows_by_name(tables(after)[STATUS]) == status_rows(released(db_session, halls.spring))
    assert rows_by_name(tables(after)[STATUS])["Published"][0].startswith("about ")


def test_a_reload_shows_the_same_numbers_and_changes_wait_for_the_next_release(app, leader, halls, db_session,
                                                                                ring):
    release(app, db_session, halls.spring)
    path = f"/leadership/{halls.spring.slug}"
    first = page_tables(leader, path)
    assert page_tables(leader, path) == first

    desk.change_status(db_session, halls.ids["spring safety student"], "hidden", hidden_reason="abusive",
                       by=SYSTEM, now=clock.now())
    many(db_session, ring, halls.spring, [f"late arrival {i}" for i in range(40)], "published", halls.workload)

    assert page_tables(leader, path) == first  # no live counts: nothing moves until a facilitator releases

    release(app, db_session, halls.spring)
    html = page(leader, path)
    assert f"Numbers from release 2 of {format_date(clock.today())}." in html
    assert rows_by_name(tables(html)[STATUS]) == status_rows(released(db_session, halls.spring))


def test_themes_show_released_counts_with_share_and_change_since_the_previous_town_hall(leader, both_released,
                                                                                         db_session):
    halls = both_released
    themes = page_tables(leader, f"/leadership/{halls.spring.slug}")[THEMES]
    spring, autumn = released(db_session, halls.spring), released(db_session, halls.autumn)
    published = disclosure.Cell(spring["status"]["published"], 5)

    assert themes[0] == ["Theme", "Published submissions", "Share of published", "At Autumn listening", "Change",
                         "Actions in the plan"]
    rows = rows_by_name(themes)
    for theme in (halls.workload, halls.safety):
        now = disclosure.Cell(spring["theme"][str(theme.id)], 5)
        before = disclosure.Cell(autumn["theme"][str(theme.id)], 5)
        assert rows[theme.name] == [text(now.value), f"{now.value / published.value:.0%}", text(before.value),
                                    exports.change_text(disclosure.change(now, before)), "none yet"]
    workload = rows["Workload"]
    assert workload[0].startswith("about ") and workload[1].endswith("%") and workload[2].startswith("about ")
    assert re.fullmatch(r"about \d+ (more|fewer)|no change", workload[3])


def test_affiliations_are_one_released_count_each_never_crossed_with_themes(leader, halls, app, db_session):
    release(app, db_session, halls.spring)
    found = page_tables(leader, f"/leadership/{halls.spring.slug}")
    stored = released(db_session, halls.spring)["affiliation"]

    assert found[AFFILIATION] == [["Affiliation", "Published submissions"],
                                  *([label, text(stored[label])] for label in AFFILIATIONS)]
    assert not [caption for caption in found if "theme and" in caption]


def test_all_town_halls_add_up_the_latest_releases_and_show_themes_over_time(leader, both_released, db_session):
    halls = both_released
    found = page_tables(leader, "/leadership")
    spring, autumn = released(db_session, halls.spring), released(db_session, halls.autumn)

    status = rows_by_name(found[STATUS])
    assert status["Published"] == [text(spring["status"]["published"] + autumn["status"]["published"])]
    workload = str(halls.workload.id)
    assert rows_by_name(found[THEMES])["Workload"][0] == text(spring["theme"][workload] + autumn["theme"][workload])
    over_time = found[OVER_TIME]
    assert over_time[0] == ["Town hall", "Workload", "Safety"]  # largest first: about 80 and about 40
    assert over_time[1:] == [
        [f"Autumn listening ({format_date(halls.autumn.held_on)})",
         *(text(autumn["theme"][str(t.id)]) for t in (halls.workload, halls.safety))],
        [f"Spring listening ({format_date(halls.spring.held_on)})",
         *(text(spring["theme"][str(t.id)]) for t in (halls.workload, halls.safety))],
    ]


def test_all_town_halls_name_the_held_town_halls_not_counted_yet(app, leader, halls, db_session):
    make_town_hall(db_session, "Summer listening", state="upcoming")
    release(app, db_session, halls.spring)

    html = page(leader, "/leadership")

    assert f"Not counted here yet: Autumn listening ({format_date(halls.autumn.held_on)})." in html
    assert "Summer listening (" not in html.split("Not counted here yet")[1].split("</p>")[0]
    assert [row[0].split(" (")[0] for row in tables(html)[OVER_TIME][1:]] == ["Spring listening"]
    assert rows_by_name(tables(html)[STATUS])["Published"] == [text(released(db_session, halls.spring)
                                                                    ["status"]["published"])]


def test_the_trend_chart_plots_only_held_released_town_halls_labelled_by_title(app, leader, both_released,
                                                                               db_session):
    halls = both_released
    summer = make_town_hall(db_session, "Summer listening", state="upcoming")
    release(app, db_session, summer)  # released early, but not held yet

    html = page(leader, "/leadership")
    chart = svg(html, "trend-chart")
    labels = re.findall(r'class="chart-axis">([^<]+)</text>', chart)

    assert [label for label in labels if not label.isdigit()] == ["Autumn listening", "Spring listening"]
    assert format_date(halls.autumn.held_on, "month") not in chart
    assert "Summer listening" not in chart
    assert "Summer listening" not in str(tables(html)[OVER_TIME])
    lines = re.findall(r"<polyline ", chart)
    assert len(lines) >= 1  # Workload is at least 40 at both town halls


def test_a_count_released_under_k_reads_fewer_than_k_in_the_table_and_the_chart(app, leader, halls, db_session):
    release(app, db_session, halls.spring)
    set_released(db_session, halls.spring, "theme", str(halls.safety.id), 3)

    html = page(leader, f"/leadership/{halls.spring.slug}")

    assert rows_by_name(tables(html)[THEMES])["Safety"] == ["fewer than 5", "", "none yet"]
    chart = svg(html, "themes-chart")
    assert "fewer than 5" in chart and 'stroke-dasharray="4 3"' in chart
    assert not re.search(r"about 3\b", html)


def test_the_charts_draw_in_the_themes_colours_and_take_the_rest_from_the_stylesheet(leader, both_released):
    html = page(leader, f"/leadership/{both_released.spring.slug}")

    drawn = set(re.findall(r'(?:fill|stroke)="(#[0-9a-fA-F]{3,8})"', html))

    assert drawn == {"#9c2f00", DEFAULT_COLOUR}  # Workload's own colour; Safety has the codebook's default
    assert 'class="chart-grid"' in html and 'class="chart-axis"' in html and 'class="chart-text"' in html


def test_k_comes_from_the_configuration(make_app, db_session_for):
    app = make_app(SUMMARY_K=3)
    session, ring = db_session_for(app)
    hall = make_town_hall(session, "Small room")
    parking = make_theme(session, "Parking")
    add(session, ring, hall, "parking", "published", parking)
    release(app, session, hall)
    set_released(session, hall, "theme", str(parking.id), 4)

    html = page(staff_client(app, "leader"), f"/leadership/{hall.slug}")

    assert rows_by_name(tables(html)[THEMES])["Parking"][0] == "about 4"
    assert 'numbers under 3 read "fewer than 3"' in re.sub(r"\s+", " ", html)


@pytest.fixture
def db_session_for():
    sessions = []

    def open_for(app):
        session = app.extensions["feedback_db"]()
        sessions.append(session)
        return session, app.extensions["feedback_keyring"]

    yield open_for
    for session in sessions:
        session.close()


@pytest.mark.parametrize(("scale", "margin"), [(1.5, 3), (3.0, 7)])
def test_the_pages_say_how_approximate_every_number_is(scale, margin, make_app, db_session_for):
    app = make_app(SUMMARY_NOISE_SCALE=scale)
    session, _ring = db_session_for(app)
    hall = make_town_hall(session, "Noisy")
    release(app, session, hall)
    leader = staff_client(app, "leader")

    for path in ("/leadership", f"/leadership/{hall.slug}", f"/leadership/{hall.slug}/brief"):
        html = re.sub(r"\s+", " ", page(leader, path))
        assert "Every number is approximate: a little random noise is added" in html, path
        assert f"each is within {margin} of the true count 9 times in 10" in html, path
        assert "not shown" not in html.lower() and "#not-shown" not in html, path


def test_the_town_hall_switch_is_a_plain_get_form(leader, halls):
    html = leader.get("/leadership").get_data(as_text=True)
    assert re.search(r'<form method="get" action="/leadership"', html)
    assert f'<option value="{halls.autumn.slug}">' in html

    response = leader.get(f"/leadership?town_hall={halls.autumn.slug}")

    assert response.status_code == 302 and response.headers["Location"].endswith(f"/leadership/{halls.autumn.slug}")
    assert leader.get("/leadership/no-such-town-hall").status_code == 404
    assert leader.get("/leadership?town_hall=../../admin/users").status_code == 404
    assert leader.get("/leadership/no-such-town-hall/brief").status_code == 404


def quotes(html: str) -> list[str]:
    return re.findall(r'<figure class="quote">(.*?)</figure>', html, re.S)


@pytest.fixture
def quoted(app, db_session, ring):
    """A theme of 43 published: a redacted representative grouped with 40 members, and two single voices."""
    hall = make_town_hall(db_session, "Quotes")
    theme = make_theme(db_session, "Rota")
    representative = add(db_session, ring, hall, "Dr Quill ignores the rota requests.", "published", theme,
                         redacted="[name] ignores the rota requests.")
    members = many(db_session, ring, hall, [f"The rota requests are ignored ({i})." for i in range(40)],
                   "published", theme)
    group(db_session, representative, *members)
    many(db_session, ring, hall, ["A single voice on the rota.", "Another single voice on the rota."], "published",
         theme)
    release(app, db_session, hall)
    return hall, theme, representative


def test_quotes_are_published_redacted_and_say_about_how_many_raised_them(leader, quoted, db_session):
    hall, _theme, representative = quoted

    html = page(leader, f"/leadership/{hall.slug}")
    found = quotes(html)

    assert "[name] ignores the rota requests." in html and "Quill" not in html
    size = released(db_session, hall)["group"][str(representative)]
    assert f"Raised by {text(size)} people" in html and text(size).startswith("about ")
    assert len(found) == 3 and sum("<figcaption" in q for q in found) == 1  # single voices say nothing
    assert "are ignored (" not in html  # members speak through their representative
    for quote in found:
        assert not any(re.search(rf"\b{re.escape(label)}\b", quote, re.I) for label in AFFILIATIONS), quote


def test_a_quoted_group_released_under_k_is_raised_by_several_people(leader, quoted, db_session):
    hall, _theme, representative = quoted
    set_released(db_session, hall, "group", str(representative), 3)

    html = page(leader, f"/leadership/{hall.slug}")

    assert "Raised by several people" in html and "Raised by about" not in html


def test_quotes_show_only_under_a_theme_released_at_k_or_more(leader, quoted, db_session):
    hall, theme, _representative = quoted
    assert "What people said" in page(leader, f"/leadership/{hall.slug}")

    set_released(db_session, hall, "theme", str(theme.id), 4)

    for path in (f"/leadership/{hall.slug}", "/leadership", f"/leadership/{hall.slug}/brief"):
        html = page(leader, path)
        assert not quotes(html) and "rota requests" not in html and "single voice" not in html, path


def test_a_quote_hidden_after_its_release_is_no_longer_shown(leader, quoted, db_session):
    hall, _theme, representative = quoted
    desk.change_status(db_session, [representative], "hidden", hidden_reason="abusive", by=SYSTEM, now=clock.now())

    html = page(leader, f"/leadership/{hall.slug}")

    assert "ignores the rota requests" not in html
    assert "A single voice on the rota." in html


def test_charts_are_images_with_titles_followed_by_tables_of_the_same_numbers(leader, both_released):
    html = page(leader, "/leadership")

    charts = re.findall(r'<svg role="img" aria-labelledby="([\w-]+)"', html)
    assert charts == ["themes-chart-title", "trend-chart-title"]
    for title_id in charts:
        assert f'<title id="{title_id}">' in html
    assert {STATUS, THEMES, AFFILIATION, OVER_TIME} <= set(tables(html))
    assert 'scope="col"' in html and 'scope="row"' in html
    assert "style=" not in html and "<script>" not in html


def test_theme_names_and_quotes_are_escaped(app, leader, db_session, ring):
    hall = make_town_hall(db_session, "Escapes <i>now</i>")
    theme = make_theme(db_session, "<b>Bold</b> theme")
    many(db_session, ring, hall, [f'<img src=x onerror="alert({i})">' for i in range(40)], "published", theme)
    release(app, db_session, hall)

    for path in (f"/leadership/{hall.slug}", "/leadership", f"/leadership/{hall.slug}/brief"):
        html = page(leader, path)
        assert "<img src=x" not in html and "<b>Bold</b>" not in html and "<i>now</i>" not in html, path
        assert "&lt;b&gt;Bold&lt;/b&gt; theme" in html, path
    assert "&lt;img src=x onerror=" in page(leader, f"/leadership/{hall.slug}")


def test_the_brief_has_released_headline_counts_top_themes_and_a_print_stylesheet(leader, both_released,
                                                                                  db_session):
    halls = both_released
    html = page(leader, f"/leadership/{halls.spring.slug}/brief")
    statuses = released(db_session, halls.spring)["status"]

    assert 'href="/static/css/print.css" media="print"' in html
    assert f"Numbers from release 1 of {format_date(clock.today())}." in html
    headline = dict(re.findall(r"<dt>(\w+)</dt><dd>(?:<span[^>]*>)?([^<]+)", html))
    assert headline == {"Received": text(statuses["received"]), "Published": text(statuses["published"]),
                        "Escalated": text(statuses["escalated"])}
    page_themes = rows_by_name(page_tables(leader, f"/leadership/{halls.spring.slug}")[THEMES])
    top = rows_by_name(tables(html)[BRIEF_THEMES])
    assert top.pop("Theme") == ["Published submissions", "Share", "Change since Autumn listening"]
    assert {"Workload", "Safety"} <= set(top)
    for name, cells in top.items():  # no change where last time was under k (Safety's 0 at Autumn)
        count, share, last_time, change, _ = page_themes[name]
        assert cells == [count, share, change or f"last time: {last_time}"], name
    assert "spring workload" in html or "spring safety" in html  # a published quote


def test_the_brief_of_a_town_hall_not_released_says_so(leader, halls):
    html = page(leader, f"/leadership/{halls.spring.slug}/brief")

    assert NOT_RELEASED in html
    assert re.findall(r"<dd>(?:<span[^>]*>)?([^<]+)", html) == ["not released yet"] * 3
    assert BRIEF_THEMES not in tables(html)


def test_the_brief_says_when_last_time_was_too_small_to_compare(app, leader, halls, db_session, ring):
    housing = make_theme(db_session, "Housing")
    many(db_session, ring, halls.spring, [f"spring housing {i}" for i in range(40)], "published", housing)
    release(app, db_session, halls.autumn, halls.spring)
    set_released(db_session, halls.autumn, "theme", str(housing.id), 3)

    html = page(leader, f"/leadership/{halls.spring.slug}/brief")

    housing_row = rows_by_name(tables(html)[BRIEF_THEMES])["Housing"]
    assert housing_row[0].startswith("about ") and housing_row[2] == "last time: fewer than 5"


def test_viewing_the_brief_is_an_audit_event(leader, halls, db_session):
    leader.get(f"/leadership/{halls.spring.slug}/brief")

    event = db_session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "export.brief")).one()
    assert event.actor == "leader@example.org"
    assert json.loads(event.details) == {"town_hall": halls.spring.slug}


def leader_reachable(halls) -> list[str]:
    paths = ["/leadership", "/leadership/themes.csv"]
    for hall in (halls.autumn, halls.spring):
        paths += [f"/leadership/{hall.slug}", f"/leadership/{hall.slug}/brief"]
    return paths


def test_a_leader_never_reaches_hidden_escalated_or_pending_text_or_any_identity(app, leader, halls, db_session,
                                                                                 ring):
    plant_secrets(db_session, ring, halls)
    release(app, db_session, halls.autumn, halls.spring)

    for path in leader_reachable(halls):
        body = page(leader, path)
        for marker in MARKERS:
            assert marker not in body, (path, marker)
    assert leader.get(f"/leadership/{halls.spring.slug}/submissions.csv").status_code == 403


def test_every_staff_member_is_offered_the_summary(app):
    for role in ("leader", "facilitator", "admin"):
        html = staff_client(app, role, f"{role}@example.org").get("/staff").get_data(as_text=True)
        assert html.count('href="/leadership"') == 2, role  # the main navigation and a card


def test_only_facilitators_and_admins_are_offered_the_submissions_csv(app, leader, halls):
    link = f'href="/leadership/{halls.spring.slug}/submissions.csv"'

    assert link not in leader.get(f"/leadership/{halls.spring.slug}").get_data(as_text=True)
    facilitator = staff_client(app, "facilitator")
    assert link in facilitator.get(f"/leadership/{halls.spring.slug}").get_data(as_text=True)


def test_an_earlier_town_hall_never_released_is_not_the_one_compared_with(app, leader, halls, db_session, ring):
    winter = make_town_hall(db_session, "Winter listening", held_on=halls.autumn.held_on - timedelta(days=60))
    release(app, db_session, winter, halls.spring)  # Autumn, in between, is not released

    themes = page_tables(leader, f"/leadership/{halls.spring.slug}")[THEMES]

    assert themes[0][3] == "At Winter listening"
