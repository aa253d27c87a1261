"""One submission on the desk: identifying details, redaction, status with a note, replies, the named badge."""

from __future__ import annotations

import json

from feedback.models import Submission
from feedback.services.moderation import replies
from tests.browsing import check_receipt
from tests.factories import make_submission, make_theme, make_town_hall, tag, today
from tests.services.moderation.desk_pages import add, listed, post_on, statuses
from tests.services.themes.tagging_pages import ticked_themes
from tests.staff import staff_client
from tests.stored import events

# --- one submission ---

def test_the_submission_page_highlights_identifying_details_as_escaped_text(app_with):
    app, db_session, ring = app_with(IDENTIFYING_NAMES=["Okafor"])
    hall = make_town_hall(db_session)
    body = '<script>alert(1)</script> Mail jo@uni.edu, Dr okafor, class of 2027, "><img src=x onerror=alert(1)>'
    submission_id = add(db_session, ring, hall, body)
    page = staff_client(app, "facilitator").get(f"/facilitate/s/{submission_id}").get_data(as_text=True)
    assert '<mark class="flag" title="Possible email address">jo@uni.edu</mark>' in page
    assert '<mark class="flag" title="Possible personal name">okafor</mark>' in page
    assert '<mark class="flag" title="Possible cohort or year of training">class of 2027</mark>' in page
    assert "<script>alert(1)" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<img src=x" not in page and "&lt;img src=x onerror=alert(1)&gt;" in page


def test_a_redaction_is_audited_and_shown_to_the_submitter_as_others_see_it(facilitator, client, db_session, ring,
                                                                            hall):
    receipt = make_submission(db_session, ring, hall, "Dr Okafor in the class of 2027 said it")
    page = facilitator.get(f"/facilitate/s/{receipt.submission_id}").get_data(as_text=True)
    assert "\nDr Okafor in the class of 2027 said it</textarea>" in page  # prefilled with the original
    response = post_on(facilitator, receipt.submission_id, "redaction", redacted="[name] in [cohort] said it")
    assert response.status_code == 302
    assert "Redaction saved." in facilitator.get(response.headers["Location"]).get_data(as_text=True)
    seen = check_receipt(client, receipt.code)
    seen = seen.get_data(as_text=True)
    assert "As others see it" in seen and "[name] in [cohort] said it" in seen
    [event] = events(db_session, "redacted")
    assert event.submission_id == receipt.submission_id and event.actor == "facilitator@example.org"
    assert "Okafor" not in event.details and "[name]" not in event.details


def test_emptying_the_redaction_removes_it(facilitator, db_session, ring, hall):
    submission_id = add(db_session, ring, hall, "Original")
    post_on(facilitator, submission_id, "redaction", redacted="Changed")
    response = post_on(facilitator, submission_id, "redaction", redacted="   ")
    assert "Redaction removed." in facilitator.get(response.headers["Location"]).get_data(as_text=True)
    db_session.rollback()
    assert db_session.get(Submission, submission_id).redacted_body is None
    assert [json.loads(e.details)["cleared"] for e in events(db_session, "redacted")] == [False, True]


def test_an_overlong_redaction_is_refused_with_the_text_kept(facilitator, db_session, ring, hall):
    submission_id = add(db_session, ring, hall)
    response = post_on(facilitator, submission_id, "redaction", redacted="<long> " + "y" * 6000)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Shorten the redacted text to 6,000 characters or fewer." in page
    assert "&lt;long&gt; yyyy" in page


def test_the_status_changes_on_the_submission_page_with_a_note_in_the_audit_log(facilitator, db_session, ring, hall):
    submission_id = add(db_session, ring, hall)
    response = post_on(facilitator, submission_id, "status", status="escalated", note="Harassment report")
    assert response.status_code == 302
    assert statuses(db_session, [submission_id]) == ["escalated"]
    [event] = events(db_session, "status_changed")
    assert event.reason == "Harassment report"
    response = post_on(facilitator, submission_id, "status", status="pending")
    assert statuses(db_session, [submission_id]) == ["pending"]


def test_hiding_one_submission_without_a_reason_keeps_the_note(facilitator, db_session, ring, hall):
    submission_id = add(db_session, ring, hall)
    response = post_on(facilitator, submission_id, "status", status="hidden", note="My careful note")
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Choose why the submission is hidden." in page and 'value="My careful note"' in page
    assert statuses(db_session, [submission_id]) == ["pending"]


def test_a_staff_reply_joins_the_thread_and_answers_it(facilitator, db_session, ring, hall):
    submission_id = add(db_session, ring, hall)
    replies.add_submitter_reply(db_session, submission_id, "Is anyone reading this?", today())
    assert "Unanswered" in facilitator.get(f"/facilitate/{hall.slug}").get_data(as_text=True)
    response = post_on(facilitator, submission_id, "reply", reply="Yes: we <read> every one.")
    assert response.status_code == 302
    page = facilitator.get(f"/facilitate/s/{submission_id}").get_data(as_text=True)
    assert page.index("Is anyone reading this?") < page.index("Yes: we &lt;read&gt; every one.")
    assert listed(facilitator, hall.slug, unanswered="y") == []
    [event] = events(db_session, "reply_sent")
    assert event.actor == "facilitator@example.org" and "read" not in event.details


def test_an_empty_reply_is_refused_with_a_message(facilitator, db_session, ring, hall):
    submission_id = add(db_session, ring, hall)
    response = post_on(facilitator, submission_id, "reply", reply="  \n ")
    assert response.status_code == 422
    assert "Write your reply before sending it." in response.get_data(as_text=True)


def test_a_named_submission_shows_the_badge_and_a_reveal_link_but_no_identity(facilitator, db_session, ring, hall):
    named = add(db_session, ring, hall, name="Jo Bloggs", email="jo@example.org")
    anonymous = add(db_session, ring, hall)
    page = facilitator.get(f"/facilitate/s/{named}").get_data(as_text=True)
    assert ">Named</span>" in page and "Jo Bloggs" not in page and "jo@example.org" not in page
    assert f'href="/facilitate/s/{named}/reveal"' in page
    page = facilitator.get(f"/facilitate/s/{anonymous}").get_data(as_text=True)
    assert ">Named</span>" not in page and "Reveal identity" not in page


def test_a_refused_separate_form_comes_back_inside_the_moderate_form_with_the_rest_as_stored(facilitator, db_session,
                                                                                            ring, hall):
    pay = make_theme(db_session, "Pay")
    submission_id = add(db_session, ring, hall, status="published")
    tag(db_session, submission_id, pay)
    response = post_on(facilitator, submission_id, "redaction", redacted="<long> " + "y" * 6000)
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and page.count('id="moderate-form"') == 1
    assert "&lt;long&gt; yyyy" in page and ticked_themes(page) == {pay.id}
    assert '<input checked id="status-1" name="status" type="radio" value="published">' in page
