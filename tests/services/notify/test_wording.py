"""Mail in its reader's language: a staff member's chosen one (English when unset), a submitter's as written."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from flask_babel import force_locale, gettext

from feedback import clock, crypto
from feedback.db import writing
from feedback.models import OutgoingMail
from feedback.sentences import PluralSentence, Sentence
from feedback.services.intake import submitting
from feedback.services.moderation import replies
from feedback.services.notify import events, messages
from feedback.services.notify.wording import say
from tests.factories import make_submission, make_town_hall
from tests.services.notify.conftest import send_queued, staff_who_chose


@pytest.fixture
def spanish_mail():
    """The Spanish catalog holds the mail's sentences (they are merged into it from the helpers' fragments; until
    then these tests are skipped, while tests/test_i18n.py says what is missing)."""
    if say(Sentence("There is a reply for you"), "es") == "There is a reply for you":
        pytest.skip("the Spanish catalog does not hold the mail's sentences yet")


def choose_language(session, user_id: int, language: str) -> None:
    with writing(session):
        session.execute(sa.text("UPDATE staff_user SET language = :language WHERE id = :id"),
                        {"language": language, "id": user_id})


def test_mail_reads_the_catalog_the_pages_read(app):
    """Flask-Babel (the pages) and wording.say (the mail, outside any request) find the same Spanish."""
    with app.test_request_context(), force_locale("es"):
        assert gettext("Language") == say(Sentence("Language"), "es") == "Idioma"
    assert say(Sentence("Language"), "en") == say(Sentence("Language"), None) == "Language"
    assert say(PluralSentence("%(num)s submission was escalated", "%(num)s submissions were escalated", 2),
               "fr") == "2 submissions were escalated"  # a language without a catalog: English


def test_a_spanish_staff_member_is_told_in_spanish_and_an_english_one_in_english(mail_app, session, mail_server,
                                                                                 spanish_mail):
    ring = mail_app.extensions["feedback_keyring"]
    hall = make_town_hall(session, "Belonging on the wards")
    ids = [make_submission(session, ring, hall).submission_id for _ in range(2)]
    actor = staff_who_chose(mail_app, "facilitator", "actor@example.org")
    spanish = staff_who_chose(mail_app, "facilitator", "sofia@example.org", escalations=True)
    staff_who_chose(mail_app, "admin", "ada@example.org", escalations=True)  # no language chosen: English
    choose_language(session, spanish.id, "es")
    with writing(session):
        events.escalated(session, ids, by=actor.actor, now=clock.now())

    send_queued(mail_app)

    received = {mail.to: mail for mail in mail_server.received}
    assert received["ada@example.org"].subject == "2 submissions were escalated"
    assert "A colleague escalated 2 submissions." in received["ada@example.org"].body
    sofia = received["sofia@example.org"]
    assert sofia.subject == "Se escalaron 2 inquietudes"
    assert "Una persona colega escaló 2 inquietudes." in sofia.body and "colleague" not in sofia.body
    assert "Belonging on the wards: 2" in sofia.body  # the organisation's words, as written
    assert f"https://feedback.example.org/facilitate/{hall.slug}?status=escalated" in sofia.body
    assert "https://feedback.example.org/account/notifications" in sofia.body


def test_a_spanish_staff_members_digest_is_in_spanish(mail_app, session, spanish_mail):
    message = messages.daily_digest("2026-12-01", [messages.HallCount("ward", "Ward 7", 1)], "es")
    assert message.subject == "1 inquietud nueva el 2026-12-01"
    assert message.body.startswith("Se recibió 1 inquietud el 2026-12-01. Por foro, con su mesa de moderación:")


def _named(session, ring, hall, language: str):
    return submitting.submit(session, ring, hall.slug, crypto.new_form_token(), submitting.NewSubmission(
        body="Una inquietud." if language == "es" else "A concern.", language=language,
        identity=crypto.Identity(name="Cy Dee", email=f"cy-{language}@patients.example", contact_ok=True)),
        clock.today())


def test_a_submitter_is_told_of_a_reply_in_the_language_they_wrote_in(mail_app, session, mail_server, spanish_mail):
    ring = mail_app.extensions["feedback_keyring"]
    hall = make_town_hall(session)
    staff = staff_who_chose(mail_app, "facilitator", "f@example.org")
    choose_language(session, staff.id, "es")  # the staff member's language is theirs, not the submitter's
    for language in ("es", "en"):
        receipt = _named(session, ring, hall, language)
        replies.add_staff_reply(session, receipt.submission_id, "A question.", by=staff.actor, now=clock.now())
    session.rollback()
    assert sorted(session.scalars(sa.select(OutgoingMail.subject))) == ["There is a reply for you",
                                                                         "Tiene una respuesta"]

    send_queued(mail_app)

    received = {mail.to: mail for mail in mail_server.received}
    assert "consúltela con su comprobante" in received["cy-es@patients.example"].body
    assert "check it with your receipt" in received["cy-en@patients.example"].body
