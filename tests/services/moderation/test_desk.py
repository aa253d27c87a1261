"""The moderation desk: list, filter, search, page and bulk-change submissions; who may reach it."""

from __future__ import annotations

import json
import os
import uuid

import pytest
import sqlalchemy as sa

from feedback import audit, clock
from feedback.models import NotificationPreference, OutgoingMail, Submission
from feedback.services.moderation import desk, replies
from tests.desk_helpers import CHECKED_ID
from tests.factories import make_town_hall, today
from tests.services.moderation.desk_pages import add, bulk, listed, statuses
from tests.staff import make_staff, staff_client
from tests.stored import events

# --- the list ---

def test_the_index_lists_town_halls_with_pending_work_first(facilitator, db_session, ring):
    quiet = make_town_hall(db_session, "All done here")
    busy = make_town_hall(db_session, "Still to do")
    add(db_session, ring, quiet, status="published")
    add(db_session, ring, busy)
    page = facilitator.get("/facilitate").get_data(as_text=True)
    assert page.index("Still to do") < page.index("All done here")
    assert f'href="/facilitate/{busy.slug}"' in page


def test_the_affiliation_filter_offers_this_town_halls_affiliations_once_each_a_to_z(db_session, ring, hall):
    other = make_town_hall(db_session, "Elsewhere")
    for affiliation in ("staff", None, "faculty", "staff", "student", None, "faculty"):
        add(db_session, ring, hall, affiliation=affiliation)
    add(db_session, ring, other, affiliation="other")
    assert desk.affiliations(db_session, hall.id) == ["faculty", "staff", "student"]
    assert desk.affiliations(db_session, other.id) == ["other"]
    assert desk.affiliations(db_session, make_town_hall(db_session, "Empty").id) == []


def test_the_desk_lists_pending_first_then_the_oldest(facilitator, db_session, ring, hall):
    published_old = add(db_session, ring, hall, status="published", days_ago=9)
    pending_new = add(db_session, ring, hall, days_ago=1)
    pending_old = add(db_session, ring, hall, days_ago=5)
    escalated = add(db_session, ring, hall, status="escalated", days_ago=3)
    assert listed(facilitator, hall.slug) == [pending_old, pending_new, published_old, escalated]


def test_the_desk_shows_each_rows_facts_and_the_redacted_text_when_there_is_one(facilitator, db_session, ring, hall):
    plain = add(db_session, ring, hall, "Plain words " + "x" * 400, affiliation="student")
    redacted = add(db_session, ring, hall, "Dr Smith shouted", name="Jo Bloggs")
    row = db_session.get(Submission, redacted)
    row.redacted_body = "[name removed] shouted"
    db_session.commit()
    page = facilitator.get(f"/facilitate/{hall.slug}").get_data(as_text=True)
    assert "Dr Smith" not in page and "[name removed] shouted" in page
    assert "x" * 289 not in page and "Plain words " + "x" * 288 + "…" in page  # the first 300 characters only
    assert "Student" in page and ">Named</span>" in page
    assert f'<label for="select-{plain}" class="visually-hidden">Select submission from ' in page


def test_a_short_submission_is_shown_whole_on_the_desk(facilitator, db_session, ring, hall):
    whole = "The rota changes every week. " * 10  # 290 characters: more than a one-line excerpt, still short
    add(db_session, ring, hall, whole.strip())
    page = facilitator.get(f"/facilitate/{hall.slug}").get_data(as_text=True)
    assert f'<span dir="auto">{whole.strip()}</span>' in page


@pytest.mark.parametrize(("args", "expected"), [
    ({"status": "hidden"}, {"hidden student", "hidden faculty"}),
    ({"affiliation": "student"}, {"pending student", "hidden student"}),
    ({"affiliation": "-"}, {"pending unknown"}),
    ({"status": "hidden", "affiliation": "faculty"}, {"hidden faculty"}),
    ({"q": "STUDENT"}, {"pending student", "hidden student"}),
    ({"q": "student", "status": "pending"}, {"pending student"}),
    ({"unanswered": "y"}, {"pending unknown"}),
    ({"unanswered": "y", "affiliation": "student"}, set()),
    ({"named": "y"}, {"named staff"}),
    ({"named": "y", "status": "escalated"}, {"named staff"}),
    ({"named": "y", "status": "pending"}, set()),
])
def test_each_filter_narrows_the_list_and_filters_combine(facilitator, db_session, ring, hall, args, expected):
    ids = {
        "pending student": add(db_session, ring, hall, "pending student", affiliation="student"),
        "hidden student": add(db_session, ring, hall, "hidden student", status="hidden", affiliation="student"),
        "hidden faculty": add(db_session, ring, hall, "hidden faculty", status="hidden", affiliation="faculty"),
        "pending unknown": add(db_session, ring, hall, "pending unknown"),
    }
    ids["named staff"] = add(db_session, ring, hall, "named staff", status="escalated", affiliation="staff",
                             name="Jo Bloggs")
    replies.add_submitter_reply(db_session, ids["pending unknown"], "Anyone there?", today())
    replies.add_submitter_reply(db_session, ids["hidden student"], "Hello?", today())
    replies.add_staff_reply(db_session, ids["hidden student"], "Yes, we read it.", by=audit.Actor(audit.SYSTEM),
                            now=clock.now())
    assert set(listed(facilitator, hall.slug, **args)) == {ids[name] for name in expected}


def test_search_treats_percent_and_underscore_as_plain_characters(facilitator, db_session, ring, hall):
    percent = add(db_session, ring, hall, "Only 5% of us were asked")
    underscore = add(db_session, ring, hall, "see file_name please")
    add(db_session, ring, hall, "Nothing to see: 55 of us, file name")
    assert listed(facilitator, hall.slug, q="5%") == [percent]
    assert listed(facilitator, hall.slug, q="e_n") == [underscore]


def test_an_invalid_filter_is_refused_with_a_message_and_the_search_text_kept(facilitator, hall):
    response = facilitator.get(f"/facilitate/{hall.slug}", query_string={"status": "deleted", "q": "<b>rota</b>"})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Choose a status from the list." in page
    assert 'value="&lt;b&gt;rota&lt;/b&gt;"' in page


def test_the_desk_pages_through_a_long_list(app_with):
    app, db_session, ring = app_with(DESK_PAGE_SIZE=3)
    hall = make_town_hall(db_session)
    ids = [add(db_session, ring, hall, f"Concern {n}", days_ago=10 - n) for n in range(7)]
    client = staff_client(app, "facilitator")
    pages = [listed(client, hall.slug, page=n) for n in (1, 2, 3)]
    assert pages == [ids[0:3], ids[3:6], ids[6:7]]
    page = client.get(f"/facilitate/{hall.slug}?page=2").get_data(as_text=True)
    assert "Page 2 of 3" in page and 'rel="prev"' in page and 'rel="next"' in page
    assert listed(client, hall.slug, page=99) == ids[6:7]  # past the end: the last page


def test_the_pages_keep_the_filters_and_stay_on_the_desk_after_a_refused_action(app_with):
    app, db_session, ring = app_with(DESK_PAGE_SIZE=3)
    hall = make_town_hall(db_session)
    ids = [add(db_session, ring, hall, f"Concern {n}") for n in range(7)]
    client = staff_client(app, "facilitator")
    listed_page = client.get(f"/facilitate/{hall.slug}?status=pending&select=all").get_data(as_text=True)
    refused = bulk(client, hall.slug, "hide", ids[:1], query="?status=pending")  # no reason given
    assert refused.status_code == 422
    for page in (listed_page, refused.get_data(as_text=True)):
        assert f'<a href="/facilitate/{hall.slug}?status=pending&amp;page=2" rel="next">Next page</a>' in page
        assert "Page 1 of 3" in page


# --- bulk actions ---

@pytest.mark.parametrize(("action", "status", "reason", "note", "message"), [
    ("publish", "published", "", "", "2 submissions published."),
    ("hide", "hidden", "duplicate", "", "2 submissions hidden."),
    ("escalate", "escalated", "", "Harassment reports", "2 submissions escalated."),
])
def test_a_bulk_action_changes_exactly_the_selected_rows_and_audits_each(
        facilitator, db_session, ring, hall, action, status, reason, note, message):
    ids = [add(db_session, ring, hall, f"Secret words {n}") for n in range(4)]
    response = bulk(facilitator, hall.slug, action, ids[:2], hidden_reason=reason, note=note)
    assert response.status_code == 302
    assert message in facilitator.get(response.headers["Location"]).get_data(as_text=True)
    assert statuses(db_session, ids) == [status, status, "pending", "pending"]
    changed = events(db_session, "status_changed")
    assert sorted(e.submission_id for e in changed) == sorted(ids[:2])
    for event in changed:
        assert event.actor == "facilitator@example.org" and event.actor_id is not None
        assert event.reason == (note or reason)
        assert json.loads(event.details) == {"from": "pending", "to": status, "hidden_reason": reason or None}
        assert "Secret words" not in event.reason + event.details


def test_escalating_without_saying_why_is_refused(facilitator, db_session, ring, hall):
    ids = [add(db_session, ring, hall) for _ in range(2)]
    response = bulk(facilitator, hall.slug, "escalate", ids)
    assert response.status_code == 422
    assert "escalating needs a note" in response.get_data(as_text=True)
    assert statuses(db_session, ids) == ["pending", "pending"]


def test_hiding_without_a_reason_from_the_list_is_refused_and_the_selection_kept(facilitator, db_session, ring, hall):
    ids = [add(db_session, ring, hall) for _ in range(3)]
    for reason in ("", "I did not like it"):
        response = bulk(facilitator, hall.slug, "hide", ids[:2], hidden_reason=reason)
        page = response.get_data(as_text=True)
        assert response.status_code == 422
        assert "Choose why the selected submissions are hidden." in page
        assert set(CHECKED_ID.findall(page)) == {str(i) for i in ids[:2]}
    assert statuses(db_session, ids) == ["pending"] * 3
    assert events(db_session, "status_changed") == []


def test_an_empty_selection_gets_a_clear_message(facilitator, db_session, ring, hall):
    add(db_session, ring, hall)
    response = bulk(facilitator, hall.slug, "publish", [])
    assert response.status_code == 422
    assert "Select at least one submission first." in response.get_data(as_text=True)


def test_a_bulk_action_returns_to_the_same_filters(facilitator, db_session, ring, hall):
    ids = [add(db_session, ring, hall, "student view", affiliation="student") for _ in range(2)]
    response = bulk(facilitator, hall.slug, "publish", ids, query="?status=pending&affiliation=student&q=view&bogus=1")
    assert response.headers["Location"] == f"/facilitate/{hall.slug}?status=pending&affiliation=student&q=view"


def test_a_bulk_action_cannot_reach_into_another_town_hall(facilitator, db_session, ring, hall):
    other = add(db_session, ring, make_town_hall(db_session, "Elsewhere"))
    mine = add(db_session, ring, hall)
    response = bulk(facilitator, hall.slug, "publish", [mine, other])
    assert response.status_code == 422
    assert "no longer here" in response.get_data(as_text=True)
    assert statuses(db_session, [mine, other]) == ["pending", "pending"]


def test_a_forged_selection_is_refused(facilitator, db_session, ring, hall):
    add(db_session, ring, hall)
    response = bulk(facilitator, hall.slug, "publish", ["'; DROP TABLE submission; --"])
    assert response.status_code == 422
    assert "not valid" in response.get_data(as_text=True)
    response = bulk(facilitator, hall.slug, "delete", [uuid.uuid4()])
    assert "Choose what to do with the selected submissions." in response.get_data(as_text=True)


def test_a_300_submission_town_hall_is_cleared_a_page_at_a_time(facilitator, db_session, hall):
    db_session.execute(sa.insert(Submission), [
        {"id": uuid.uuid4(), "town_hall_id": hall.id, "body": f"Concern {n}", "received_on": today(),
         "status": "pending", "is_named": False, "receipt_hash": os.urandom(32), "form_token_hash": os.urandom(32)}
        for n in range(300)
    ])
    db_session.commit()
    for _ in range(6):
        page = facilitator.get(f"/facilitate/{hall.slug}?status=pending&select=all").get_data(as_text=True)
        ticked = CHECKED_ID.findall(page)
        assert len(ticked) == 50
        response = bulk(facilitator, hall.slug, "publish", ticked, query="?status=pending")
        assert response.status_code == 302
    page = facilitator.get(f"/facilitate/{hall.slug}").get_data(as_text=True)
    assert "Pending: 0" in page and "Published: 300" in page
    assert len(events(db_session, "status_changed")) == 300


def test_unknown_town_halls_and_submissions_are_not_found(facilitator):
    assert facilitator.get("/facilitate/no-such-hall").status_code == 404
    assert facilitator.get("/facilitate/NOT a slug").status_code == 404
    assert facilitator.get(f"/facilitate/s/{uuid.uuid4()}").status_code == 404


@pytest.mark.parametrize("who", ["anonymous", "leader"])
def test_leaders_and_visitors_never_reach_the_desk(app, db_session, ring, hall, who):
    submission_id = add(db_session, ring, hall, "Escalated safety report", status="escalated")
    client = app.test_client() if who == "anonymous" else staff_client(app, who)
    gets = ["/facilitate", f"/facilitate/{hall.slug}", f"/facilitate/s/{submission_id}"]
    posts = [f"/facilitate/{hall.slug}/bulk"] + [f"/facilitate/s/{submission_id}/{what}"
                                                 for what in ("redaction", "status", "reply")]
    for method, url in [("GET", u) for u in gets] + [("POST", u) for u in posts]:
        response = client.open(url, method=method, data={"selected": str(submission_id), "action": "publish"})
        if who == "anonymous" and method == "GET":
            assert response.status_code == 302 and "/login" in response.headers["Location"], url
        elif who == "anonymous":
            assert response.status_code == 401 and "Your session ended" in response.get_data(as_text=True), url
        else:
            assert response.status_code == 403, url
        assert "Escalated safety report" not in response.get_data(as_text=True)
    assert statuses(db_session, [submission_id]) == ["escalated"]



def test_the_service_refuses_unknown_statuses_and_hiding_without_a_listed_reason(db_session, ring, hall):
    submission_id = add(db_session, ring, hall)
    actor = audit.Actor(audit.SYSTEM)
    for to, reason in [("deleted", None), ("hidden", None), ("hidden", "rude")]:
        with pytest.raises(desk.InvalidModeration):
            desk.change_status(db_session, [submission_id], to, hidden_reason=reason, by=actor, now=clock.now())
    with pytest.raises(desk.InvalidModeration):
        desk.desk(db_session, hall.id, desk.DeskFilter(status="deleted"), 1, 50)
    assert statuses(db_session, [submission_id]) == ["pending"]
    assert events(db_session, "status_changed") == []


def test_a_bulk_escalation_queues_mail_for_a_moderator_who_chose_it(app, db_session, ring, hall):
    ada = make_staff(app, "facilitator", "ada@example.org", "Ada")
    mo = make_staff(app, "facilitator", "mo@example.org", "Mo")
    quiet = make_staff(app, "facilitator", "quiet@example.org", "Quiet")
    db_session.add_all([NotificationPreference(user_id=ada.id, escalations=True),
                        NotificationPreference(user_id=mo.id, escalations=True),
                        NotificationPreference(user_id=quiet.id, answers=True)])
    db_session.commit()
    ids = [add(db_session, ring, hall, "Dr Okafor shouted at me") for _ in range(2)]

    desk.change_status(db_session, ids, "published", town_hall_id=hall.id, by=ada.actor, now=clock.now())
    assert db_session.scalars(sa.select(OutgoingMail)).all() == []
    desk.change_status(db_session, ids, "escalated", note="Formal complaint", town_hall_id=hall.id, by=ada.actor,
                       now=clock.now(), undo_minutes=10)

    db_session.rollback()
    [mail] = db_session.scalars(sa.select(OutgoingMail)).all()  # not the one who escalated, not one who chose other
    assert (mail.user_id, mail.kind, mail.status) == (mo.id, "escalations", "queued")
    assert "Okafor" not in mail.body + mail.subject and "2" in mail.body
