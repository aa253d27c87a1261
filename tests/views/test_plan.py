"""The action plan in public: /plan, each action's page and its feedback form, the Atom feed, response pages."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import timedelta

import sqlalchemy as sa

from feedback import audit, clock
from feedback.forms.public import COMMENT_MAX
from feedback.models import ActionFeedback, ActionTownHall, Identity, ReleasedCount, Submission
from feedback.services.summary import releases
from feedback.services.summary.disclosure import Cell, Mechanism, cell_text
from tests.browsing import check_receipt, hidden_fields, receipt_code, text
from tests.factories import make_submission, make_theme, make_town_hall, tag, today
from tests.plan_rows import add_update, link_submission, make_action, publish

ATOM = "{http://www.w3.org/2005/Atom}"


def closed_hall_with(session, ring, title: str, theme, bodies: list[str]):
    """A town hall that took these submissions (published, tagged with theme) while open, and has closed since."""
    hall = make_town_hall(session, title)
    ids = [make_submission(session, ring, hall, body).submission_id for body in bodies]
    publish(session, *ids)
    for submission_id in ids:
        tag(session, submission_id, theme)
    hall.intake_closes_on = today() - timedelta(days=1)
    session.commit()
    return hall


def release(app, session, hall):
    config = app.config
    return releases.release(session, hall, mechanism=Mechanism.from_config(config),
                            total_budget=config["SUMMARY_BUDGET"], k=config["SUMMARY_K"],
                            affiliations=list(config["AFFILIATIONS"]), by=audit.Actor(audit.SYSTEM), now=clock.now())


def send_feedback(client, action_id: int, comment: str = "Good start, but publish the rota sooner.", **fields):
    form = hidden_fields(client.get(f"/plan/{action_id}").get_data(as_text=True))
    return client.post(f"/plan/{action_id}/feedback",
                       data={"comment": comment, "identity_choice": "anonymous", **form, **fields})


def test_drafts_internal_links_and_identities_appear_on_no_public_page(app, client, db_session, ring):
    theme = make_theme(db_session, "Workload")
    bodies = [f"Too many night shifts, week {n}." for n in range(12)]
    hall = closed_hall_with(db_session, ring, "Spring town hall", theme, bodies)
    linked = make_submission(db_session, ring, make_town_hall(db_session, "Other hall"), "INTERNAL-TEXT-9Z",
                             name="Ngozi HIDDENNAME", email="ngozi.hidden@example.org")
    shown = make_action(db_session, "Hire more night nurses", themes=[theme], halls=[hall], status="in-progress")
    add_update(db_session, shown, "Posted six jobs.", days_ago=2)
    link_submission(db_session, shown, linked.submission_id)
    draft = make_action(db_session, "DRAFT-TITLE-Q7ZXW", published=False, themes=[theme], halls=[hall],
                        description="DRAFT-DESCRIPTION-Q7ZXW")
    add_update(db_session, draft, "DRAFT-UPDATE-Q7ZXW", days_ago=1)
    make_action(db_session, "DRAFT-CHILD-Q7ZXW", parent=draft)
    release(app, db_session, hall)

    pages = {path: client.get(path) for path in
             ["/plan", f"/plan/{shown.id}", f"/t/{hall.slug}/response", "/plan/feed.atom"]}
    for path, response in pages.items():
        assert response.status_code == 200, path
        page = text(response)
        assert "Hire more night nurses" in page, path
        for secret in ["Q7ZXW", "INTERNAL-TEXT-9Z", "HIDDENNAME", "ngozi.hidden", str(linked.submission_id),
                       linked.code]:
            assert secret not in page, (path, secret)
    assert client.get(f"/plan/{draft.id}").status_code == 404


def test_the_plan_groups_actions_by_theme_with_sub_actions_under_their_parent(client, db_session):
    pay, safety = make_theme(db_session, "Pay"), make_theme(db_session, "Safety")
    parent = make_action(db_session, "Review pay bands", themes=[pay], status="in-progress", owner="People Office",
                         progress_from="sub-actions")
    step_id = make_action(db_session, "Publish the bands", parent=parent, status="done").id
    make_action(db_session, "Survey the wards", parent=parent, status="planned")
    make_action(db_session, "Light the car park", themes=[safety], status="planned")
    make_action(db_session, "Open a staff cafe")
    page = text(client.get("/plan"))
    assert page.index("<h2") < page.index(">Pay</h2>") < page.index("Review pay bands") < page.index(
        "Publish the bands") < page.index(">Safety</h2>") < page.index("Light the car park") < page.index(
        ">Other actions</h2>") < page.index("Open a staff cafe")
    assert "Owner: People Office" in page
    assert "50% done" in page  # the mean of its steps: done (100) and planned (0)
    assert page.count("Review pay bands</a></h3>") == 1
    step = text(client.get(f"/plan/{step_id}"))
    assert "Publish the bands" in step and f'A step of <a href="/plan/{parent.id}">Review pay bands</a>' in step


def test_scheduled_updates_and_their_status_change_stay_hidden_until_their_date(client, db_session, monkeypatch):
    action = make_action(db_session, "Fix the rota", status="done")
    add_update(db_session, action, "Drafted a new rota.", days_ago=10, status="in-progress")
    add_update(db_session, action, "SCHEDULED: the new rota starts.", days_ago=-5, status="done")
    for path in ["/plan", f"/plan/{action.id}", "/plan/feed.atom"]:
        page = text(client.get(path))
        assert "SCHEDULED" not in page and "Done" not in page, path
        assert "Drafted a new rota." in page or path == "/plan", path
    assert "In progress" in text(client.get(f"/plan/{action.id}"))

    monkeypatch.setattr(clock, "today", lambda: today() + timedelta(days=5))
    page = text(client.get(f"/plan/{action.id}"))
    assert "SCHEDULED: the new rota starts." in page and "Done" in page
    assert page.index("SCHEDULED") < page.index("Drafted a new rota.")  # newest first
    assert "SCHEDULED" in text(client.get("/plan/feed.atom"))


def test_a_scheduled_wont_do_shows_neither_the_status_nor_its_reason_before_its_date(client, db_session, monkeypatch):
    # As the staff side stores a scheduled "won't do": its reason in the field, the status left as it was.
    action = make_action(db_session, "Build a car park", status="in-progress", wont_do_reason="REASON-LATER-3X")
    add_update(db_session, action, "REASON-LATER-3X", days_ago=-3, status="wont-do")
    for path in ["/plan", f"/plan/{action.id}", "/plan/feed.atom"]:
        page = text(client.get(path))
        assert "REASON-LATER-3X" not in page and "Won't do" not in page, path
    monkeypatch.setattr(clock, "today", lambda: today() + timedelta(days=3))
    page = text(client.get(f"/plan/{action.id}"))
    assert "Won't do" in page and "Why we will not do this" in page and "REASON-LATER-3X" in page


def test_an_open_action_past_its_next_update_date_shows_update_overdue(client, db_session):
    late = make_action(db_session, "Late action", status="in-progress", next_update_due=today() - timedelta(days=1))
    make_action(db_session, "Finished action", status="done", next_update_due=today() - timedelta(days=30))
    make_action(db_session, "On time action", status="in-progress", next_update_due=today() + timedelta(days=3))
    plan = text(client.get("/plan"))
    assert plan.count("update overdue") == 1
    assert plan.index("Late action") < plan.index("update overdue") < plan.index("On time action")
    assert "update overdue" in text(client.get(f"/plan/{late.id}"))


def test_a_wont_do_action_shows_its_reason_everywhere_it_is_listed(app, client, db_session, ring):
    theme = make_theme(db_session, "Parking")
    hall = closed_hall_with(db_session, ring, "Parking hall", theme, [f"No spaces, day {n}." for n in range(12)])
    action = make_action(db_session, "Build a car park", status="wont-do", themes=[theme], halls=[hall],
                         wont_do_reason="The land is a protected wetland; we fund bus passes instead.")
    release(app, db_session, hall)
    for path in ["/plan", f"/plan/{action.id}", f"/t/{hall.slug}/response"]:
        page = text(client.get(path))
        assert "Won't do" in page and "protected wetland" in page, path


def test_an_action_page_shows_its_facts_timeline_themes_and_town_halls(client, db_session):
    theme = make_theme(db_session, "Belonging")
    older = make_town_hall(db_session, "Autumn hall", held_on=today() - timedelta(days=200))
    newer = make_town_hall(db_session, "Spring hall", held_on=today() - timedelta(days=20))
    action = make_action(db_session, "Mentoring scheme", themes=[theme], halls=[older, newer], owner="Dean's office",
                         description="Pair every new nurse with a mentor.", target_on=today() + timedelta(days=90),
                         next_update_due=today() + timedelta(days=30), status="in-progress")
    add_update(db_session, action, "First ten pairs started.", days_ago=3, progress=20)
    page = text(client.get(f"/plan/{action.id}"))
    for expected in ["Mentoring scheme", "Pair every new nurse with a mentor.", "Dean's office", "In progress",
                     "Target date", "Next update due", "Belonging", "Autumn hall", "Spring hall",
                     "First ten pairs started.", "What do you think of this action?", "Your feedback becomes a "
                     "submission to Spring hall"]:
        assert expected in page, expected


def test_feedback_on_an_action_is_a_submission_tied_to_it_with_a_receipt(client, db_session):
    hall = make_town_hall(db_session, "Closed hall", state="closed")
    action = make_action(db_session, "Mentoring scheme", halls=[hall])
    response = send_feedback(client, action.id)
    assert response.status_code == 200
    code = receipt_code(response)
    stored = db_session.scalars(sa.select(Submission)).all()
    assert [(s.body, s.town_hall_id, s.is_named) for s in stored] == [
        ("Good start, but publish the rota sooner.", hall.id, False)]
    assert db_session.scalars(sa.select(ActionFeedback)).one().action_id == action.id
    assert "Good start, but publish the rota sooner." in text(check_receipt(client, code))


def test_feedback_sent_twice_with_one_form_is_stored_once(client, db_session):
    action = make_action(db_session, "Mentoring scheme", halls=[make_town_hall(db_session)])
    form = hidden_fields(client.get(f"/plan/{action.id}").get_data(as_text=True))
    data = {"comment": "Same words", "identity_choice": "anonymous", **form}
    first, second = (client.post(f"/plan/{action.id}/feedback", data=data) for _ in range(2))
    assert receipt_code(first) == receipt_code(second)
    assert db_session.scalar(sa.select(sa.func.count()).select_from(ActionFeedback)) == 1


def test_a_retry_after_a_newer_town_hall_is_linked_gets_the_same_receipt(client, db_session):
    spring = make_town_hall(db_session, "Spring hall", state="closed")
    action = make_action(db_session, "Mentoring scheme", halls=[spring])
    form = hidden_fields(client.get(f"/plan/{action.id}").get_data(as_text=True))
    data = {"comment": "Nursery hours do not fit night shifts.", "identity_choice": "anonymous", **form}
    first = client.post(f"/plan/{action.id}/feedback", data=data)
    assert first.status_code == 200
    autumn = make_town_hall(db_session, "Autumn hall")
    db_session.add(ActionTownHall(action_id=action.id, town_hall_id=autumn.id))
    db_session.commit()
    assert "submission to Autumn hall" in text(client.get(f"/plan/{action.id}"))
    retry = client.post(f"/plan/{action.id}/feedback", data=data)
    assert retry.status_code == 200 and receipt_code(retry) == receipt_code(first)
    assert "Spring hall" in text(retry) and "already used" not in text(retry)
    assert [s.town_hall_id for s in db_session.scalars(sa.select(Submission))] == [spring.id]
    changed = client.post(f"/plan/{action.id}/feedback", data={**data, "comment": "Other words."})
    assert changed.status_code == 409 and "already used" in text(changed)
    assert db_session.scalar(sa.select(sa.func.count()).select_from(Submission)) == 1


def test_named_feedback_seals_the_identity_as_the_normal_form_does(client, db_session):
    action = make_action(db_session, "Mentoring scheme", halls=[make_town_hall(db_session)])
    response = send_feedback(client, action.id, identity_choice="named", name="Ama Owusu", email="ama@example.org")
    assert "Your name and email are encrypted" in text(response)
    assert db_session.scalar(sa.select(sa.func.count()).select_from(Identity)) == 1
    assert b"Ama Owusu" not in db_session.scalars(sa.select(Identity)).one().ciphertext


def test_feedback_that_fails_validation_keeps_the_text_and_stores_nothing(client, db_session):
    action = make_action(db_session, "Mentoring scheme", halls=[make_town_hall(db_session)])
    long = "Too long <b>& kept</b> " * (COMMENT_MAX // 20)
    response = send_feedback(client, action.id, long)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Shorten your concern" in page and "Too long &lt;b&gt;&amp; kept&lt;/b&gt;" in page
    named = send_feedback(client, action.id, "Short", identity_choice="named")
    assert named.status_code == 422 and "Write your name" in named.get_data(as_text=True)
    assert db_session.scalar(sa.select(sa.func.count()).select_from(Submission)) == 0


def test_an_action_linked_to_no_town_hall_takes_no_feedback(client, db_session):
    action = make_action(db_session, "Mentoring scheme")
    page = text(client.get(f"/plan/{action.id}"))
    assert "Feedback on this action opens when it is linked to a town hall." in page
    assert 'name="comment"' not in page
    form = hidden_fields(client.get("/receipt").get_data(as_text=True))
    assert client.post(f"/plan/{action.id}/feedback", data={"comment": "x", **form}).status_code == 404


def test_drafts_and_unknown_actions_are_not_found_and_take_no_feedback(client, db_session):
    hall = make_town_hall(db_session)
    draft = make_action(db_session, "Secret plan", published=False, halls=[hall])
    live = make_action(db_session, "Live plan", halls=[hall])
    form = hidden_fields(client.get(f"/plan/{live.id}").get_data(as_text=True))
    for action_id in (draft.id, 9999):
        assert client.get(f"/plan/{action_id}").status_code == 404
        response = client.post(f"/plan/{action_id}/feedback", data={"comment": "x", "identity_choice": "anonymous",
                                                                     **form})
        assert response.status_code == 404
    assert db_session.scalar(sa.select(sa.func.count()).select_from(Submission)) == 0


def test_the_feed_is_atom_with_one_entry_per_published_update_newest_first(client, db_session):
    first = make_action(db_session, "Mentoring scheme")
    second = make_action(db_session, "Fix the rota")
    make_action(db_session, "Draft thing", published=False)
    add_update(db_session, first, "Older news", days_ago=9)
    add_update(db_session, second, "Newer news", days_ago=2, status="in-progress")
    add_update(db_session, second, "Not yet", days_ago=-3)
    response = client.get("/plan/feed.atom")
    assert response.status_code == 200 and response.mimetype == "application/atom+xml"
    feed = ET.fromstring(response.get_data())
    assert feed.tag == f"{ATOM}feed"
    for required in ("id", "title", "updated"):
        assert feed.find(f"{ATOM}{required}") is not None
    entries = feed.findall(f"{ATOM}entry")
    assert [e.find(f"{ATOM}content").text for e in entries] == ["Newer news", "Older news"]
    for entry, action in zip(entries, (second, first), strict=True):
        assert all(entry.find(f"{ATOM}{name}").text for name in ("id", "title", "updated"))
        assert entry.find(f"{ATOM}link").get("href").endswith(f"/plan/{action.id}")
    assert entries[0].find(f"{ATOM}updated").text == f"{today() - timedelta(days=2)}T00:00:00+00:00"
    assert feed.find(f"{ATOM}updated").text == entries[0].find(f"{ATOM}updated").text


def test_the_response_page_shows_released_numbers_never_live_counts(app, client, db_session, ring):
    theme = make_theme(db_session, "Workload")
    hall = closed_hall_with(db_session, ring, "Spring town hall", theme,
                            [f"Too many night shifts, week {n}." for n in range(20)])
    action = make_action(db_session, "Hire more night nurses", themes=[theme], status="in-progress")
    before = text(client.get(f"/t/{hall.slug}/response"))
    assert "have not been released yet" in before and "Workload" not in before
    release(app, db_session, hall)
    released = db_session.scalars(sa.select(ReleasedCount).where(ReleasedCount.kind == "theme",
                                                                ReleasedCount.key == str(theme.id))).one().value
    # More concerns arrive and are tagged after the release: the page keeps the released number.
    later = [make_submission(db_session, ring, make_town_hall(db_session, "Open hall"), "late").submission_id]
    publish(db_session, *later)
    page = text(client.get(f"/t/{hall.slug}/response"))
    assert f"Raised by {cell_text(Cell(released, app.config['SUMMARY_K']))} people." in page
    assert page.index("Workload") < page.index("Hire more night nurses")
    assert "In progress" in page and f'href="/plan/{action.id}"' in page
    assert any(f"Too many night shifts, week {n}." in page for n in range(20))  # quotes, as released


def test_a_town_hall_not_yet_closed_says_what_we_heard_comes_later(client, db_session):
    hall = make_town_hall(db_session, "Open hall")
    page = text(client.get(f"/t/{hall.slug}/response"))
    assert "What we heard comes after intake closes on" in page
    assert client.get("/t/no-such-hall/response").status_code == 404


def test_too_much_feedback_from_one_connection_is_refused_with_the_text_kept(make_app):
    app = make_app(SUBMISSION_RATE_LIMIT="1 per day")
    session = app.extensions["feedback_db"]()
    try:
        action = make_action(session, "Mentoring scheme", halls=[make_town_hall(session)])
        client = app.test_client()
        assert send_feedback(client, action.id, "First words").status_code == 200
        refused = send_feedback(client, action.id, "Second <words> kept")
        assert refused.status_code == 429 and "Second &lt;words&gt; kept</textarea>" in refused.get_data(as_text=True)
        assert session.scalar(sa.select(sa.func.count()).select_from(Submission)) == 1
    finally:
        session.close()
