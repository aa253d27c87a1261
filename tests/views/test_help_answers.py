"""'Did this help?' over HTTP: asked of done actions, from their page and a receipt; released to leadership noisy."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from feedback import audit
from feedback.forms.public import COMMENT_MAX
from feedback.models import AnswerRelease, HelpAnswer, ReleasedAnswer
from feedback.padding import BUCKET
from feedback.services.actions.answers import ANSWERS
from feedback.services.actions.answers import COMMENT_MAX as HELP_COMMENT_MAX
from feedback.services.actions.public import RECEIPT_ACTIONS, RECEIPT_THEMES
from feedback.services.summary.disclosure import Cell, cell_text
from tests.browsing import check_receipt, hidden_fields, post_form, text
from tests.factories import make_submission, make_theme, tag, today
from tests.plan_rows import add_update, make_action, publish
from tests.staff import staff_client
from tests.stored import details, events

QUESTION = "Did this help?"
BUTTON = "Did this help? Answer"
_RECEIPT_FIELD = re.compile(r'<input[^>]* name="(code|action)"[^>]* type="hidden" value="([^"]*)"')


def stored(db_session) -> list[HelpAnswer]:
    db_session.rollback()  # a fresh read: not the snapshot of an earlier one
    return list(db_session.scalars(sa.select(HelpAnswer)))


def answer_on_page(client, action_id: int, helped: str = "helped", comment: str = "", **fields):
    form = hidden_fields(client.get(f"/plan/{action_id}").get_data(as_text=True))
    return client.post(f"/plan/{action_id}/did-this-help",
                       data={"helped": helped, "help_comment": comment, **form, **fields})


def help_fields(page, path: str = "/receipt/did-this-help/question") -> dict[str, str]:
    """The hidden fields of the form posting to path (the receipt code and the action ride there)."""
    html = page.get_data(as_text=True)
    form = html[html.index(f'action="{path}"'):]
    form = form[:form.index("</form>")]
    return {**hidden_fields(html), **dict(_RECEIPT_FIELD.findall(form))}


def release_from_plan(client):
    """Press "Release answers" on the staff plan page (its CSRF token and the release number it shows ride along)."""
    page = client.get("/staff/plan").get_data(as_text=True)
    return client.post("/staff/plan/answers/release", data=hidden_fields(page))


def question_page(client, status_page):
    """Press "Did this help? Answer" on the status page."""
    return client.post("/receipt/did-this-help/question", data=help_fields(status_page))


def answer_from_receipt(client, status_page, helped: str = "helped", comment: str = "", **fields):
    """Open the question from the status page, answer it and send it."""
    question = question_page(client, status_page)
    assert question.status_code == 200, text(question)
    return client.post("/receipt/did-this-help", data={"helped": helped, "help_comment": comment,
                                                       **help_fields(question, "/receipt/did-this-help"), **fields})


@pytest.fixture
def concern(db_session, ring, hall):
    """A published concern on the theme Childcare: its receipt code and the theme."""
    theme = make_theme(db_session, "Childcare")
    receipt = make_submission(db_session, ring, hall, "The rota ignores childcare.")
    tag(db_session, receipt.submission_id, theme)
    publish(db_session, receipt.submission_id)
    return receipt.code, theme


def test_a_done_action_s_page_asks_did_this_help_and_others_do_not(client, db_session):
    done = make_action(db_session, "Open a nursery", status="done")
    doing = make_action(db_session, "Publish pay bands", status="in-progress")
    assert QUESTION in text(client.get(f"/plan/{done.id}"))
    assert QUESTION not in text(client.get(f"/plan/{doing.id}"))
    token = hidden_fields(client.get(f"/plan/{done.id}").get_data(as_text=True))
    refused = client.post(f"/plan/{doing.id}/did-this-help", data={"helped": "helped", **token})
    assert refused.status_code == 404 and stored(db_session) == []


def test_an_answer_from_the_action_page_is_stored_anonymously_with_its_comment_normalised(client, db_session):
    action = make_action(db_session, "Open a nursery", status="done")
    response = answer_on_page(client, action.id, "somewhat", " Cafe\u0301 hours\u0007 are better \r\n")
    assert response.status_code == 200 and "your answer was stored" in text(response)
    [row] = stored(db_session)
    assert (row.action_id, row.answer, row.comment, row.receipt_hash) == (action.id, "somewhat",
                                                                          "Caf\u00e9 hours are better", None)
    assert "Caf\u00e9 hours" not in text(client.get(f"/plan/{action.id}"))  # comments are never public


@pytest.mark.parametrize(("helped", "comment", "message"), [
    ("", "Kept <words>", "Choose one answer"),
    ("maybe", "Kept <words>", "Choose one answer"),
    ("no", "Kept <words>" + "x" * HELP_COMMENT_MAX, "Shorten your comment"),
])
def test_a_bad_answer_gets_a_message_with_the_form_kept_and_stores_nothing(client, db_session, helped, comment,
                                                                         message):
    action = make_action(db_session, "Open a nursery", status="done")
    response = answer_on_page(client, action.id, helped, comment)
    assert response.status_code == 422 and message in text(response)
    assert "Kept &lt;words&gt;" in response.get_data(as_text=True)
    assert stored(db_session) == []


def test_the_status_page_asks_about_a_done_action_on_the_concern_s_theme_and_only_once(client, db_session, ring,
                                                                                      concern):
    code, theme = concern
    doing = make_action(db_session, "Publish the rota", status="in-progress", themes=[theme])
    done = make_action(db_session, "Open a nursery", status="done", themes=[theme])
    make_action(db_session, "Paint the car park", status="done", themes=[make_theme(db_session, "Parking")])
    page = check_receipt(client, code)
    assert BUTTON in text(page) and help_fields(page)["action"] == str(done.id)
    assert "Paint the car park" not in text(page)
    question = question_page(client, page)
    assert question.status_code == 200 and "“Open a nursery” is done" in text(question)
    assert "Publish the rota" not in text(question) and str(doing.id) != help_fields(page)["action"]

    answer = {"helped": "helped", "help_comment": "It did.", **help_fields(question, "/receipt/did-this-help")}
    sent = client.post("/receipt/did-this-help", data=answer)
    assert sent.status_code == 200 and "was stored" in text(sent) and "Your submission" in text(sent)
    assert BUTTON not in text(sent)  # answered: not offered again
    again = client.post("/receipt/did-this-help", data={**answer, "helped": "no", "help_comment": "Changed"})
    assert again.status_code == 409 and "You have already answered" in text(again)
    reopened = question_page(client, page)
    assert reopened.status_code == 409 and "You have already answered" in text(reopened)
    [row] = stored(db_session)
    assert (row.answer, row.comment) == ("helped", "It did.")
    assert row.receipt_hash is not None  # a hash of its own: never the submission's (see the test below)
    assert row.receipt_hash != db_session.execute(sa.text("SELECT receipt_hash FROM submission")).scalar_one()


def test_the_receipt_code_travels_in_post_bodies_never_a_url_or_cookie(client, db_session, concern):
    code, theme = concern
    make_action(db_session, "Open a nursery", status="done", themes=[theme])
    status_page = check_receipt(client, code)
    question = question_page(client, status_page)
    sent = answer_from_receipt(client, status_page)
    for page, path in [(status_page, "/receipt/did-this-help/question"), (question, "/receipt/did-this-help")]:
        html = page.get_data(as_text=True)
        assert f'action="{path}"' in html and help_fields(page, path)["code"] == code
        assert all(code not in target for target in re.findall(r'(?:href|action|src)="([^"]*)"', html))
    for response in (status_page, question, sent):
        assert all(code not in header for header in response.headers.getlist("Set-Cookie"))
        assert code not in (response.headers.get("Location") or "")


def test_a_bad_answer_from_a_receipt_keeps_the_form_and_the_code_in_its_hidden_field(client, db_session, concern):
    code, theme = concern
    make_action(db_session, "Open a nursery", status="done", themes=[theme])
    response = answer_from_receipt(client, check_receipt(client, code), "", "Kept <words>")
    assert response.status_code == 422 and "Choose one answer" in text(response)
    assert "Kept &lt;words&gt;</textarea>" in response.get_data(as_text=True)
    assert help_fields(response, "/receipt/did-this-help")["code"] == code
    assert stored(db_session) == []


def test_no_value_stored_with_a_receipt_s_answer_is_found_in_the_submission_table(client, db_session, ring, hall):
    """A reader of the database cannot join the answer, or its comment, to the named concern it came from."""
    theme = make_theme(db_session, "Childcare")
    named = make_submission(db_session, ring, hall, "The rota ignores childcare.", name="Ana Person",
                            email="ana@example.org")
    tag(db_session, named.submission_id, theme)
    publish(db_session, named.submission_id)
    make_action(db_session, "Open a nursery", status="done", themes=[theme])
    sent = answer_from_receipt(client, check_receipt(client, named.code), "no", "It did not help me, the night nurse")
    assert sent.status_code == 200 and "Thank you" in text(sent)
    db_session.expire_all()

    def values(table: str, skip: tuple[str, ...] = ()) -> set:
        rows = db_session.execute(sa.text(f"SELECT * FROM {table}")).mappings()  # noqa: S608
        return {bytes(v) if isinstance(v, memoryview) else v
                for row in rows for k, v in row.items() if k not in skip and v not in (None, "")}

    answer = values("help_answer", skip=("action_id",))
    assert answer and not answer & (values("submission") | values("identity"))
    # Nor does a join on any hash link them: the answer's hash is not the submission's.
    joined = db_session.execute(sa.text("SELECT count(*) FROM help_answer JOIN submission "
                                        "ON submission.receipt_hash = help_answer.receipt_hash")).scalar()
    assert joined == 0
    assert len(stored(db_session)) == 1


def test_a_double_click_on_the_action_page_stores_one_answer_and_thanks_both(client, db_session):
    action = make_action(db_session, "Open a nursery", status="done")
    page = client.get(f"/plan/{action.id}").get_data(as_text=True)
    form = hidden_fields(page[page.index(f'action="/plan/{action.id}/did-this-help"'):])  # the question's own form
    assert form.get("form_token")
    data = {"helped": "no", "help_comment": "Same words", **form}
    first = client.post(f"/plan/{action.id}/did-this-help", data=data)
    second = client.post(f"/plan/{action.id}/did-this-help", data=data)
    assert first.status_code == second.status_code == 200
    assert "Thank you: your answer was stored" in text(first) and "Thank you: your answer was stored" in text(second)
    assert [(a.answer, a.comment) for a in stored(db_session)] == [("no", "Same words")]
    changed = client.post(f"/plan/{action.id}/did-this-help", data={**data, "helped": "helped"})
    assert changed.status_code == 409 and "nothing was changed" in text(changed) and len(stored(db_session)) == 1
    fresh = answer_on_page(client, action.id, "helped")  # a new page is a new answer
    assert fresh.status_code == 200 and len(stored(db_session)) == 2


def test_a_form_without_its_token_is_shown_back_and_stores_nothing(client, db_session, concern):
    code, theme = concern
    action = make_action(db_session, "Open a nursery", status="done", themes=[theme])
    refused = answer_on_page(client, action.id, "no", "Kept <words>", form_token="")
    assert refused.status_code == 422 and "Kept &lt;words&gt;</textarea>" in refused.get_data(as_text=True)
    assert "form was incomplete" in text(refused) and hidden_fields(refused.get_data(as_text=True))["form_token"]
    from_receipt = answer_from_receipt(client, check_receipt(client, code), "no", "Kept too", form_token="")
    assert from_receipt.status_code == 422 and "Kept too</textarea>" in from_receipt.get_data(as_text=True)
    assert stored(db_session) == []


def test_a_double_click_from_a_receipt_stores_one_answer_and_thanks_both(client, db_session, concern):
    code, theme = concern
    make_action(db_session, "Open a nursery", status="done", themes=[theme])
    question = question_page(client, check_receipt(client, code))
    data = {"helped": "somewhat", "help_comment": "Better", **help_fields(question, "/receipt/did-this-help")}
    assert data.get("form_token")
    first = client.post("/receipt/did-this-help", data=data)
    second = client.post("/receipt/did-this-help", data=data)
    assert first.status_code == second.status_code == 200
    assert all("Thank you: your answer to “Did this help?” was stored" in text(r) for r in (first, second))
    assert [(a.answer, a.comment) for a in stored(db_session)] == [("somewhat", "Better")]


def test_a_receipt_s_comment_comes_back_when_the_action_is_no_longer_asked(client, db_session, concern):
    code, theme = concern
    action = make_action(db_session, "Open a nursery", status="done", themes=[theme])
    question = question_page(client, check_receipt(client, code))
    add_update(db_session, action, "Reopened: the nursery closes for repairs.", status="in-progress")
    sent = client.post("/receipt/did-this-help", data={"helped": "no", "help_comment": "My <long> comment",
                                                       **help_fields(question, "/receipt/did-this-help")})
    assert sent.status_code == 404 and "no longer, asking" in text(sent) and "nothing was stored" in text(sent)
    assert "My &lt;long&gt; comment" in sent.get_data(as_text=True)
    refused = client.post("/receipt/did-this-help", data={"helped": "", "help_comment": "Still mine",
                                                          **help_fields(question, "/receipt/did-this-help")})
    assert refused.status_code == 404 and "Still mine" in text(refused)
    assert stored(db_session) == []


def test_a_comment_from_the_action_page_comes_back_when_the_action_is_no_longer_asked(client, db_session):
    action = make_action(db_session, "Open a nursery", status="done")
    page = client.get(f"/plan/{action.id}")
    add_update(db_session, action, "Reopened: the nursery closes for repairs.", status="in-progress")
    sent = client.post(f"/plan/{action.id}/did-this-help",
                       data={"helped": "no", "help_comment": "My <long> comment", **hidden_fields(page.get_data(
                           as_text=True))})
    assert sent.status_code == 404 and "no longer, asking" in text(sent) and "nothing was stored" in text(sent)
    assert "My &lt;long&gt; comment" in sent.get_data(as_text=True)
    assert f'href="/plan/{action.id}"' in sent.get_data(as_text=True)
    assert stored(db_session) == []


def test_a_receipt_cannot_answer_about_an_action_off_its_themes(client, db_session, concern):
    code, theme = concern
    make_action(db_session, "Open a nursery", status="done", themes=[theme])
    elsewhere = make_action(db_session, "Paint the car park", status="done", themes=[make_theme(db_session, "Parking")])
    page = check_receipt(client, code)
    response = answer_from_receipt(client, page, action=str(elsewhere.id))
    assert response.status_code == 404 and "nothing was stored" in text(response)
    opened = client.post("/receipt/did-this-help/question", data={**help_fields(page), "action": str(elsewhere.id)})
    assert opened.status_code == 404 and "is done" not in text(opened) and stored(db_session) == []


def test_a_wrong_code_gets_the_same_answer_as_any_wrong_code(client, db_session, concern):
    code, theme = concern
    make_action(db_session, "Open a nursery", status="done", themes=[theme])
    response = answer_from_receipt(client, check_receipt(client, code), code="ABCD-EFGH-JKMN-PQRS-TVWX")
    assert response.status_code == 404 and "We could not find a submission with that code" in text(response)
    assert stored(db_session) == []


def test_withdrawing_deletes_the_answers_given_with_the_receipt(client, db_session, concern):
    code, theme = concern
    action = make_action(db_session, "Open a nursery", status="done", themes=[theme])
    answer_from_receipt(client, check_receipt(client, code), "helped", "Mine")
    answer_on_page(client, action.id, "no", "Someone else's")
    withdrawn = post_form(client, "/receipt/withdraw", "/receipt", code=code, confirm="y")
    assert withdrawn.status_code == 200
    assert [(a.comment, a.receipt_hash) for a in stored(db_session)] == [("Someone else's", None)]


def test_a_status_page_asking_with_the_longest_text_stays_one_padded_size(client, db_session, ring, hall):
    september = today().replace(month=9, day=23)
    longest_date_ago = (today() - september).days % 365 or 365  # "last update 23 September 2026", the longest
    receipt = make_submission(db_session, ring, hall, "&" * COMMENT_MAX)
    themes = [make_theme(db_session, "&" * 79 + str(n)) for n in range(RECEIPT_THEMES + 1)]
    tag(db_session, receipt.submission_id, *themes)
    publish(db_session, receipt.submission_id)
    for n in range(RECEIPT_ACTIONS + 2):
        action = make_action(db_session, "&" * 199 + str(n), status="done", themes=themes)
        add_update(db_session, action, "Done.", days_ago=longest_date_ago + n)
    page = check_receipt(client, receipt.code)
    assert BUTTON in text(page) and len(page.get_data()) == BUCKET
    refused = answer_from_receipt(client, page, "", "&" * HELP_COMMENT_MAX)
    assert refused.status_code == 422 and len(refused.get_data()) % BUCKET == 0


def test_both_questions_need_the_csrf_token_and_keep_the_comment(client, db_session, concern):
    code, theme = concern
    action = make_action(db_session, "Open a nursery", status="done", themes=[theme])
    page = check_receipt(client, code)
    from_page = client.post(f"/plan/{action.id}/did-this-help", data={"helped": "no", "help_comment": "Kept"})
    from_receipt = client.post("/receipt/did-this-help", data={**help_fields(page), "csrf_token": "forged",
                                                              "helped": "no", "help_comment": "Kept too"})
    assert from_page.status_code == 400 and "Kept</textarea>" in from_page.get_data(as_text=True)
    assert from_receipt.status_code == 400 and "Kept too" in text(from_receipt)
    assert stored(db_session) == []


def test_answers_over_the_submission_rate_limit_are_refused_with_the_comment_kept(make_app):
    app = make_app(SUBMISSION_RATE_LIMIT="1 per day")
    session = app.extensions["feedback_db"]()
    try:
        action = make_action(session, "Open a nursery", status="done")
        client = app.test_client()
        assert answer_on_page(client, action.id, "helped", "First").status_code == 200
        refused = answer_on_page(client, action.id, "no", "Second <words>")
        assert refused.status_code == 429 and "Second &lt;words&gt;</textarea>" in refused.get_data(as_text=True)
        assert len(stored(session)) == 1
    finally:
        session.close()


def test_a_facilitator_releases_the_answers_and_leaders_see_the_released_values_only(app, db_session, facilitator,
                                                                                    leader):
    action = make_action(db_session, "Open a nursery", status="done")
    make_action(db_session, "Publish pay bands", status="in-progress")
    client = app.test_client()
    for _ in range(7):
        answer_on_page(client, action.id, "helped", "SECRET-COMMENT-9Z")
    plan = text(leader.get("/staff/plan"))
    assert "No answers have been released yet" in plan and "Release answers" not in plan
    assert post_form(leader, "/staff/plan/answers/release", "/staff/plan").status_code == 403

    released = release_from_plan(facilitator)
    assert released.status_code == 302
    values = {r.answer: r.value for r in db_session.scalars(sa.select(ReleasedAnswer))}
    assert set(values) == set(ANSWERS)
    words = [cell_text(Cell(values[a], 5)) for a in ANSWERS]
    row = re.search(r'Open a nursery</a></th>(.*?)</tr>', leader.get("/staff/plan").get_data(as_text=True), re.S)
    assert row and re.findall(r"<td>([^<]*)</td>", row.group(1)) == words
    page = text(leader.get(f"/staff/plan/{action.id}"))
    assert all(f"<dt>{label}</dt><dd>{word}</dd>" in page for label, word in zip(ANSWERS.values(), words, strict=True))
    for staff_page in (page, text(leader.get("/staff/plan"))):
        assert "SECRET-COMMENT-9Z" not in staff_page and "Answers so far" not in staff_page
    assert "SECRET-COMMENT-9Z" not in text(client.get(f"/plan/{action.id}"))
    moderator_page = text(facilitator.get(f"/staff/plan/{action.id}"))
    assert "SECRET-COMMENT-9Z" in moderator_page and "Answers so far" in moderator_page
    assert "<dt>It helped</dt><dd>7</dd>" in moderator_page
    [event] = events(db_session, audit.Action.ANSWER_RELEASED)
    assert details(event)["release"] == 1


def test_the_answers_budget_refuses_a_release_with_a_clear_message(make_app):
    app = make_app(SUMMARY_BUDGET=1.0)  # one release of 1/1.5 fits, a second does not
    session = app.extensions["feedback_db"]()
    try:
        make_action(session, "Open a nursery", status="done")
        admin = staff_client(app, "admin")
        assert release_from_plan(admin).status_code == 302
        refused = release_from_plan(admin)
        assert refused.status_code == 409
        assert "spent their privacy budget" in text(refused) and "Release answers" in text(refused)
        assert len(events(session, audit.Action.ANSWER_RELEASED)) == 1
    finally:
        session.close()


def test_a_double_press_on_release_answers_releases_once_and_says_so(app, db_session, facilitator):
    make_action(db_session, "Open a nursery", status="done")
    fields = hidden_fields(facilitator.get("/staff/plan").get_data(as_text=True))
    assert fields["seen"] == "0"
    first = facilitator.post("/staff/plan/answers/release", data=fields)
    second = facilitator.post("/staff/plan/answers/release", data=fields)  # the same page, pressed again
    assert first.status_code == 302
    assert second.status_code == 409
    assert "Answer release 1 was made after this page was shown" in text(second)
    assert 'name="seen" type="hidden" value="1"' in second.get_data(as_text=True)  # the page back, up to date
    db_session.expire_all()
    assert [r.number for r in db_session.scalars(sa.select(AnswerRelease))] == [1]
    assert len(events(db_session, audit.Action.ANSWER_RELEASED)) == 1


def test_a_release_form_without_the_page_s_number_releases_nothing(make_app):
    app = make_app()
    session = app.extensions["feedback_db"]()
    try:
        make_action(session, "Open a nursery", status="done")
        admin = staff_client(app, "admin")
        assert post_form(admin, "/staff/plan/answers/release", "/staff/plan").status_code == 409
        assert post_form(admin, "/staff/plan/answers/release", "/staff/plan", seen="7").status_code == 400
        assert events(session, audit.Action.ANSWER_RELEASED) == []
    finally:
        session.close()


def test_a_concern_not_yet_published_is_not_asked(client, db_session, ring, hall):
    theme = make_theme(db_session, "Childcare")
    receipt = make_submission(db_session, ring, hall, "The rota ignores childcare.")
    tag(db_session, receipt.submission_id, theme)  # tagged, still waiting for review
    action = make_action(db_session, "Open a nursery", status="done", themes=[theme])
    page = check_receipt(client, receipt.code)
    assert BUTTON not in text(page)
    forged = client.post("/receipt/did-this-help", data={**hidden_fields(page.get_data(as_text=True)),
                                                         "code": receipt.code, "action": str(action.id),
                                                         "helped": "helped", "help_comment": ""})
    assert forged.status_code == 404 and stored(db_session) == []
