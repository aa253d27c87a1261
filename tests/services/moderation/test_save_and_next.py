"""One page load per submission: the Moderate form tags, redacts and sets the status in one POST, then
opens the next pending submission of the town hall ("Save and next"), or the desk when none is left."""

from __future__ import annotations

import json
import re
from html import unescape

import sqlalchemy as sa
from sqlalchemy.orm import Session

from feedback.forms.moderate import ModerateForm
from feedback.models import Submission
from feedback.services.moderation import desk
from tests.browsing import hidden_fields, post_form, text
from tests.factories import make_theme, make_town_hall
from tests.services.moderation.desk_pages import add, statuses
from tests.services.themes.tagging_pages import ticked_themes
from tests.staff import staff_client
from tests.stored import events, themes_of

NEXT = {"then": "next"}


SHOWN = re.compile(r'<input name="(shown_[a-z_]+)" type="hidden" value="([^"]*)">')


def opened(client, submission_id) -> dict[str, str]:
    """The hidden fields of the Moderate form as the page shows it now (its CSRF token, what the page showed)."""
    page = client.get(f"/facilitate/s/{submission_id}").get_data(as_text=True)
    return {**hidden_fields(page), **{name: unescape(value) for name, value in SHOWN.findall(page)}}


def moderate(client, submission_id, *, page: dict[str, str] | None = None, **fields):
    """Fill in and post the submission page's Moderate form, opened now or as `page` (opened() earlier)."""
    return client.post(f"/facilitate/s/{submission_id}/save-and-next",
                       data={**(page or opened(client, submission_id)), **fields})


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
        data = {**hidden_fields(page), **dict(SHOWN.findall(page)), **published(pay), **NEXT}
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


def test_a_save_from_a_page_opened_before_a_colleagues_save_leaves_their_work_alone(
        app, facilitator, db_session, ring, hall):
    pay = make_theme(db_session, "Pay")
    first = add(db_session, ring, hall, "Dr Okafor said it")
    colleague = staff_client(app, "facilitator", "b@example.org")
    stale = opened(colleague, first)  # B opens the page: pending, the original text, no theme
    moderate(facilitator, first, redacted="[name] said it", status="published", then="stay")  # A saves
    response = moderate(colleague, first, page=stale, themes=[str(pay.id)], redacted="Dr Okafor said it",
                        status="pending", then="stay")  # B ticks Pay on the page as loaded
    assert response.status_code == 302
    db_session.rollback()
    row = db_session.get(Submission, first)
    assert (row.status, row.redacted_body) == ("published", "[name] said it")  # A's work stands
    assert themes_of(db_session, first) == {pay.id}  # and B's too
    assert [len(events(db_session, a)) for a in ("status_changed", "redacted", "tag")] == [1, 1, 1]


def test_a_part_a_colleague_changed_since_is_refused_with_what_it_is_now_and_the_input_kept(
        app, facilitator, db_session, ring, hall):
    pay, rota = make_theme(db_session, "Pay"), make_theme(db_session, "Rota")
    first = add(db_session, ring, hall, "Dr Okafor said it")
    colleague = staff_client(app, "facilitator", "b@example.org")
    stale = opened(colleague, first)
    moderate(facilitator, first, themes=[str(pay.id)], redacted="[name] said it", status="published", then="stay")
    response = moderate(colleague, first, page=stale, themes=[str(rota.id)], redacted="Dr Okafor said it",
                        status="hidden", hidden_reason="off-topic", then="stay")
    page = text(response)
    assert response.status_code == 409
    assert ("Someone changed this submission since you opened it. Its themes are now: Pay. "
            "Its status is now published.") in page
    assert ticked_themes(page) == {rota.id}  # B's input, to save again knowingly
    assert '<input checked id="status-2" name="status" type="radio" value="hidden">' in page
    assert "[name] said it</textarea>" in page  # a part B did not change shows A's work, not B's stale copy
    db_session.rollback()
    assert db_session.get(Submission, first).status == "published" and themes_of(db_session, first) == {pay.id}
    again = moderate(colleague, first, page={**opened(colleague, first), **SHOWN_FROM(page)}, themes=[str(rota.id)],
                     redacted="[name] said it", status="hidden", hidden_reason="off-topic", then="stay")
    assert again.status_code == 302  # saving again, having seen A's work, is B's choice
    db_session.rollback()
    row = db_session.get(Submission, first)
    assert (row.status, row.redacted_body, themes_of(db_session, first)) == ("hidden", "[name] said it", {rota.id})


def SHOWN_FROM(page: str) -> dict[str, str]:  # noqa: N802 - reads like the constant it pairs with
    return {name: unescape(value) for name, value in SHOWN.findall(page)}


def test_a_form_without_what_the_page_showed_is_refused(facilitator, db_session, ring, hall):
    first = add(db_session, ring, hall, "Original")
    response = post_form(facilitator, f"/facilitate/s/{first}/save-and-next", f"/facilitate/s/{first}",
                         redacted="Changed", status="published", then="stay")
    assert response.status_code == 422
    assert '<a href="#save-and-next">This form is out of date.' in response.get_data(as_text=True)
    assert statuses(db_session, [first]) == ["pending"]


def test_a_bad_then_links_to_the_save_and_next_button(facilitator, db_session, ring, hall):
    first = add(db_session, ring, hall, "Original")
    page = moderate(facilitator, first, redacted="Original", status="pending", then="bogus").get_data(as_text=True)
    assert '<li><a href="#save-and-next">Press “Save” or “Save and next”.</a></li>' in page
    assert 'id="save-and-next"' in page


def test_a_submission_erased_while_saving_goes_back_to_the_desk_with_a_message(
        facilitator, db_session, ring, hall, monkeypatch):
    first = add(db_session, ring, hall, "Original")
    data = {**opened(facilitator, first), "redacted": "Changed", "status": "published", "then": "next"}
    real = ModerateForm.validate_on_submit

    def erased_meanwhile(form) -> bool:
        with Session(db_session.get_bind()) as other:
            other.execute(sa.delete(Submission).where(Submission.id == first))
            other.commit()
        return real(form)

    monkeypatch.setattr(ModerateForm, "validate_on_submit", erased_meanwhile)
    response = facilitator.post(f"/facilitate/s/{first}/save-and-next", data=data)
    assert response.status_code == 302 and response.headers["Location"] == f"/facilitate/{hall.slug}"
    monkeypatch.undo()
    assert "This submission is no longer here" in text(facilitator.get(response.headers["Location"]))


def test_a_step_refused_at_its_last_write_leaves_nothing_of_the_earlier_ones(facilitator, db_session, ring, hall,
                                                                             monkeypatch):
    pay = make_theme(db_session, "Pay")
    first = add(db_session, ring, hall, "Dr Okafor said it")

    def refused(*args, **kwargs):
        raise desk.InvalidModeration("Some of the selected submissions are no longer here.")

    monkeypatch.setattr(desk, "change_status_in_write", refused)  # the status write fails, as a vanished row would
    response = moderate(facilitator, first, **published(pay), then="stay")
    assert response.status_code == 422 and "no longer here" in response.get_data(as_text=True)
    db_session.rollback()
    assert db_session.get(Submission, first).redacted_body is None and themes_of(db_session, first) == set()
    assert [events(db_session, action) for action in ("tag", "redacted", "status_changed")] == [[], [], []]
