"""One page load per submission: the Moderate form tags, redacts and sets the status in one POST, then
opens the next pending submission of the town hall ("Save and next"), or the desk when none is left."""

from __future__ import annotations

import json

from feedback.models import Submission
from tests.browsing import hidden_fields, post_form, text
from tests.factories import make_theme, make_town_hall
from tests.services.moderation.desk_pages import add, statuses
from tests.services.themes.tagging_pages import ticked_themes
from tests.stored import events, themes_of

NEXT = {"then": "next"}


def moderate(client, submission_id, **fields):
    """Fill in and post the submission page's Moderate form (its CSRF token from the page)."""
    page = f"/facilitate/s/{submission_id}"
    return post_form(client, f"{page}/save-and-next", page, **fields)


def published(theme, **fields) -> dict:
    return {"themes": [str(theme.id)], "redacted": "[name] said it", "status": "published", **fields}


def test_one_post_tags_redacts_publishes_and_opens_the_next_pending_submission(facilitator, db_session, ring, hall):
    pay = make_theme(db_session, "Pay")
    first = add(db_session, ring, hall, "Dr Okafor said it", days_ago=3)
    second = add(db_session, ring, hall, "The rota is late.", days_ago=1)
    add(db_session, ring, hall, "Already done.", status="published", days_ago=2)

    response = moderate(facilitator, first, **published(pay), **NEXT)

    assert response.status_code == 302
    assert response.headers["Location"] == f"/facilitate/s/{second}"
    assert statuses(db_session, [first, second]) == ["published", "pending"]
    assert db_session.get(Submission, first).redacted_body == "[name] said it"
    assert themes_of(db_session, first) == {pay.id} and themes_of(db_session, second) == set()
    page = text(facilitator.get(response.headers["Location"]))
    assert "Tagged with Pay. Redaction saved." in page and "Status changed to published." in page
    assert "The rota is late." in page and 'id="moderate-form" data-focus-first>' in page  # focus goes there
    assert "data-focus-first" not in facilitator.get(f"/facilitate/s/{second}").get_data(as_text=True)


def test_the_audit_log_holds_the_same_events_as_the_separate_forms(facilitator, db_session, ring, hall):
    pay = make_theme(db_session, "Pay")
    first = add(db_session, ring, hall, "Dr Okafor said it")
    moderate(facilitator, first, **published(pay, status="escalated", note="Harassment report"), **NEXT)
    [tag] = events(db_session, "tag")
    [redacted] = events(db_session, "redacted")
    [status] = events(db_session, "status_changed")
    assert {tag.submission_id, redacted.submission_id, status.submission_id} == {first}
    assert json.loads(tag.details)["themes"] == ["Pay"]
    assert json.loads(redacted.details) == {"cleared": False} and "Okafor" not in redacted.details
    assert status.reason == "Harassment report" and json.loads(status.details)["to"] == "escalated"
    assert {tag.actor, redacted.actor, status.actor} == {"facilitator@example.org"}


def test_save_shows_the_same_submission_again(facilitator, db_session, ring, hall):
    pay = make_theme(db_session, "Pay")
    first = add(db_session, ring, hall, days_ago=2)
    add(db_session, ring, hall, days_ago=1)
    response = moderate(facilitator, first, **published(pay), then="stay")
    assert response.headers["Location"] == f"/facilitate/s/{first}"
    page = facilitator.get(response.headers["Location"]).get_data(as_text=True)
    assert ticked_themes(page) == {pay.id} and '<span class="status status--published">' in page
    assert "data-focus-first" not in page


def test_hiding_without_a_reason_changes_nothing_and_keeps_the_whole_form(facilitator, db_session, ring, hall):
    pay = make_theme(db_session, "Pay")
    first = add(db_session, ring, hall, "Dr Okafor said it")
    response = moderate(facilitator, first, **published(pay, status="hidden", redacted="<b>[name]</b> said it",
                                                       note="My careful note"), **NEXT)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Choose why the submission is hidden." in page
    assert ticked_themes(page) == {pay.id}
    assert "&lt;b&gt;[name]&lt;/b&gt; said it</textarea>" in page and 'value="My careful note"' in page
    assert '<input checked id="status-2" name="status" type="radio" value="hidden">' in page
    assert statuses(db_session, [first]) == ["pending"]
    assert db_session.get(Submission, first).redacted_body is None and themes_of(db_session, first) == set()
    assert [events(db_session, action) for action in ("tag", "redacted", "status_changed")] == [[], [], []]


def test_escalating_without_a_note_changes_nothing(facilitator, db_session, ring, hall):
    pay = make_theme(db_session, "Pay")
    first = add(db_session, ring, hall)
    response = moderate(facilitator, first, **published(pay, status="escalated"), **NEXT)
    assert response.status_code == 422
    assert "escalating needs a note." in response.get_data(as_text=True)
    assert statuses(db_session, [first]) == ["pending"] and themes_of(db_session, first) == set()
    assert events(db_session, "redacted") == []


def test_a_note_without_a_change_of_status_is_refused_rather_than_lost(facilitator, db_session, ring, hall):
    first = add(db_session, ring, hall, "Original")
    response = moderate(facilitator, first, redacted="Changed", status="pending", note="Why I redacted it", **NEXT)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "A note goes into the audit log with a change of status" in page and 'value="Why I redacted it"' in page
    assert db_session.get(Submission, first).redacted_body is None


def test_the_last_pending_submission_goes_back_to_the_desk_with_a_message(facilitator, db_session, ring, hall):
    first = add(db_session, ring, hall, "Original")
    add(db_session, ring, hall, status="escalated")
    other_hall = make_town_hall(db_session, "Another town hall")
    add(db_session, ring, other_hall)  # pending, but in another town hall
    response = moderate(facilitator, first, redacted="Original", status="published", **NEXT)
    assert response.headers["Location"] == f"/facilitate/{hall.slug}"
    page = text(facilitator.get(response.headers["Location"]))
    assert "Status changed to published." in page
    assert "No more pending submissions in Belonging on the wards." in page


def test_next_follows_the_desks_order_and_passes_over_one_kept_pending(facilitator, db_session, ring, hall):
    oldest = add(db_session, ring, hall, days_ago=5)
    middle = add(db_session, ring, hall, days_ago=3)
    newest = add(db_session, ring, hall, days_ago=1)
    keep = {"redacted": "A concern.", "status": "pending", **NEXT}
    assert moderate(facilitator, middle, **keep).headers["Location"] == f"/facilitate/s/{newest}"
    assert moderate(facilitator, newest, **keep).headers["Location"] == f"/facilitate/s/{oldest}"
    response = moderate(facilitator, oldest, redacted="A concern.", status="published", **NEXT)
    assert response.headers["Location"] == f"/facilitate/s/{middle}"


def test_moderating_three_submissions_takes_three_page_loads_and_three_posts(facilitator, db_session, ring, hall):
    pay = make_theme(db_session, "Pay")
    ids = [add(db_session, ring, hall, f"Concern {n}", days_ago=5 - n) for n in range(3)]
    loads, posts = [], 0
    response = facilitator.get(f"/facilitate/s/{ids[0]}")
    loads.append(response.request.path)
    while response.request.path.startswith("/facilitate/s/"):
        page = response.get_data(as_text=True)
        data = {"csrf_token": hidden_fields(page)["csrf_token"], **published(pay), **NEXT}
        response = facilitator.post(f"{response.request.path}/save-and-next", data=data, follow_redirects=True)
        posts += 1
        assert [r.status_code for r in response.history] == [302] and response.status_code == 200
        loads.append(response.request.path)
    assert loads == [f"/facilitate/s/{i}" for i in ids] + [f"/facilitate/{hall.slug}"]
    assert posts == 3 and len(loads) - 1 == 3  # three submission pages, then the desk saying none is left
    assert statuses(db_session, ids) == ["published"] * 3
    assert all(themes_of(db_session, i) == {pay.id} for i in ids)


def test_the_moderate_form_is_the_pages_one_form_for_themes_redaction_and_status(facilitator, db_session, ring,
                                                                               hall):
    make_theme(db_session, "Pay")
    first = add(db_session, ring, hall)
    page = facilitator.get(f"/facilitate/s/{first}").get_data(as_text=True)
    assert page.count('name="themes"') == 1 and page.count('name="redacted"') == 1
    assert page.count('name="status"') == 4 and page.count('name="hidden_reason"') == 1
    assert f'action="/facilitate/s/{first}/save-and-next"' in page
    assert '>Save</button>' in page and '>Save and next</button>' in page
    assert 'src="/static/js/submission.js"' in page
