"""Each submission stores the language of the page it was written on (chosen, or the browser's), never the text's."""

from __future__ import annotations

import sqlalchemy as sa

from feedback.models import Submission
from tests.browsing import check_receipt, hidden_fields, receipt_code, send_concern
from tests.factories import make_town_hall
from tests.live_pages import ask, asked, start
from tests.plan_rows import make_action


def stored_language(session, body: str) -> str:
    session.rollback()  # a new snapshot: the request stored it on another connection
    return session.scalar(sa.select(Submission.language).where(Submission.body == body))


def test_the_form_sent_from_a_page_in_spanish_stores_spanish(client, db_session, hall):
    client.get("/language/es?next=/")
    assert send_concern(client, hall.slug, comment="El horario de guardias es injusto.").status_code == 200
    assert stored_language(db_session, "El horario de guardias es injusto.") == "es"


def test_the_browsers_language_counts_when_none_was_chosen(client, db_session, hall):
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "es-MX,es;q=0.9"
    send_concern(client, hall.slug, comment="Sent from a Spanish browser.")
    assert stored_language(db_session, "Sent from a Spanish browser.") == "es"


def test_the_language_is_the_pages_not_the_texts(client, db_session, hall):
    """Spanish words on an English page are stored as English: nothing guesses a language from what was written."""
    send_concern(client, hall.slug, comment="Nadie nos escucha en el turno de noche.")
    assert stored_language(db_session, "Nadie nos escucha en el turno de noche.") == "en"


def test_a_live_question_asked_in_spanish_stores_spanish(client, db_session, hall):
    live = start(db_session, hall)
    client.get("/language/es?next=/")
    assert ask(client, live.code, "¿Quién decide los turnos?").status_code == 200
    asked(db_session, "¿Quién decide los turnos?")
    assert stored_language(db_session, "¿Quién decide los turnos?") == "es"


def test_feedback_on_an_action_sent_in_spanish_stores_spanish(client, db_session):
    hall = make_town_hall(db_session, "Closed hall", state="closed")
    action = make_action(db_session, "Mentoring scheme", halls=[hall])
    client.get("/language/es?next=/")
    form = hidden_fields(client.get(f"/plan/{action.id}").get_data(as_text=True))
    sent = client.post(f"/plan/{action.id}/feedback",
                       data={"comment": "Buen comienzo.", "identity_choice": "anonymous", **form})
    assert sent.status_code == 200
    assert stored_language(db_session, "Buen comienzo.") == "es"


def test_the_staff_submission_page_says_the_language_it_was_written_in_and_leadership_never_sees_it(
        client, db_session, hall, facilitator, leader):
    client.get("/language/es?next=/")
    send_concern(client, hall.slug, comment="Nadie responde a las quejas del turno de noche.")
    db_session.rollback()
    submission_id = db_session.scalar(sa.select(Submission.id).where(Submission.language == "es"))
    page = facilitator.get(f"/facilitate/s/{submission_id}").get_data(as_text=True)
    assert '<dt>Written in</dt><dd lang="es">Español</dd>' in page
    for path in (f"/leadership/{hall.slug}", "/leadership"):
        shown = leader.get(path).get_data(as_text=True)
        assert "Written in" not in shown and '<dd lang="es">' not in shown


def test_the_receipt_reads_in_the_language_chosen_now_whatever_it_was_written_in(client, hall):
    """Written on a Spanish page, checked on an English one (and back): the status page follows the reader."""
    client.get("/language/es?next=/")
    code = receipt_code(send_concern(client, hall.slug, comment="Nadie responde a las quejas."))
    client.get("/language/en?next=/")
    english = check_receipt(client, code).get_data(as_text=True)
    assert '<html lang="en"' in english and "Received. A facilitator has not reviewed it yet." in english
    client.get("/language/es?next=/")
    spanish = check_receipt(client, code).get_data(as_text=True)
    assert '<html lang="es"' in spanish and "Received. A facilitator has not reviewed it yet." not in spanish
    assert "Nadie responde a las quejas." in english and "Nadie responde a las quejas." in spanish
