"""Organisation text in the reader's language: Spanish versions of town halls, themes and actions, written by
staff, shown on public pages with a fallback to the English, marked with lang where the page's language differs."""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa

from feedback.models import AuditEvent, Submission, TownHall
from feedback.services import content_language
from tests.browsing import check_receipt, post_form, text
from tests.factories import make_submission, make_theme, make_town_hall, tag
from tests.plan_rows import make_action
from tests.staff import staff_client
from tests.views.test_town_halls import fields

SPANISH = {"es": {"title": "Pertenencia en las salas", "prompt": "¿Qué haría más seguro informar?"}}


@pytest.fixture
def spanish_hall(db_session):
    hall = make_town_hall(db_session)
    hall.versions = SPANISH
    db_session.commit()
    return hall


def read_in(client, language: str, path: str) -> str:
    client.set_cookie("lang", language)
    return text(client.get(path))


def test_a_spanish_reader_sees_the_spanish_title_and_prompt_with_no_lang_mark(client, spanish_hall):
    page = read_in(client, "es", f"/t/{spanish_hall.slug}")
    assert "<h1>Pertenencia en las salas</h1>" in page
    assert '<h2 id="prompt">¿Qué haría más seguro informar?</h2>' in page
    assert "<title>Pertenencia en las salas" in page
    assert "Belonging on the wards" not in page
    home = read_in(client, "es", "/")
    assert ">Pertenencia en las salas</a>" in home and "<strong>¿Qué haría más seguro informar?</strong>" in home


def test_an_english_reader_sees_the_english(client, spanish_hall):
    page = read_in(client, "en", f"/t/{spanish_hall.slug}")
    assert "<h1>Belonging on the wards</h1>" in page
    assert "Pertenencia" not in page


def test_a_town_hall_without_a_spanish_version_shows_the_english_marked_as_english(client, db_session):
    hall = make_town_hall(db_session, "Pay and hours")
    page = read_in(client, "es", f"/t/{hall.slug}")
    assert '<h1><span lang="en">Pay and hours</span></h1>' in page
    assert "<title>Pay and hours" in page  # the plain text, no markup in the title
    assert '<p class="lead"><span lang="en">Tell us what you saw and what should change.</span></p>' in page


def test_an_english_reader_of_a_town_hall_with_only_a_spanish_prompt_sees_it_marked_spanish(client, spanish_hall,
                                                                                             db_session):
    page = read_in(client, "en", f"/t/{spanish_hall.slug}")
    assert '<h2 id="prompt"><span lang="es">¿Qué haría más seguro informar?</span></h2>' in page


def raw_in(client, language: str, path: str) -> str:
    client.set_cookie("lang", language)
    return client.get(path).get_data(as_text=True)


def test_organisation_text_is_escaped_in_every_language(client, db_session):
    hall = make_town_hall(db_session, "Pay <b>now</b>")
    hall.versions = {"es": {"title": "Pago <script>alert(1)</script>"}}
    db_session.commit()
    assert "<h1>Pago &lt;script&gt;alert(1)&lt;/script&gt;</h1>" in raw_in(client, "es", f"/t/{hall.slug}")
    assert '<span lang="es">Pago &lt;script&gt;' not in raw_in(client, "en", f"/t/{hall.slug}")
    assert "<h1>Pay &lt;b&gt;now&lt;/b&gt;</h1>" in raw_in(client, "en", f"/t/{hall.slug}")


# --- staff write the Spanish version ---

def hall_in(db_session, slug: str = "belonging-on-the-wards") -> TownHall:
    db_session.rollback()
    return db_session.scalar(sa.select(TownHall).where(TownHall.slug == slug))


def test_staff_can_save_a_spanish_version_and_clear_it(app, db_session):
    client = staff_client(app, "facilitator")
    post_form(client, "/facilitate/town-halls/new", "/facilitate/town-halls/new",
              **fields(title_es="  Pertenencia   en las salas ", prompt_es="¿Qué cambiaría?"))
    hall = hall_in(db_session)
    assert hall.versions == {"es": {"title": "Pertenencia en las salas", "prompt": "¿Qué cambiaría?"}}
    page = text(client.get(f"/facilitate/town-halls/{hall.id}"))
    assert 'lang="es"' in page and 'value="Pertenencia en las salas"' in page
    assert f"<h1>{hall.title}</h1>" in page  # staff pages show the base text
    post_form(client, f"/facilitate/town-halls/{hall.id}", f"/facilitate/town-halls/{hall.id}",
              **fields(title_es="", prompt_es=""))
    assert hall_in(db_session).versions == {}
    edits = [json.loads(details) for action, details in db_session.execute(
        sa.select(AuditEvent.action, AuditEvent.details).order_by(AuditEvent.id)) if action == "town_hall.edited"]
    assert edits[-1]["changed"] == ["versions"]
    assert "Pertenencia" not in json.dumps(edits)


def test_a_form_error_keeps_the_spanish_fields_as_typed(app, db_session):
    client = staff_client(app, "facilitator")
    response = post_form(client, "/facilitate/town-halls/new", "/facilitate/town-halls/new",
                         **fields(title="", title_es="Pertenencia", prompt_es="¿Qué cambiaría?"))
    assert response.status_code == 422
    page = text(response)
    assert 'value="Pertenencia"' in page and "¿Qué cambiaría?</textarea>" in page


def test_a_too_long_spanish_title_is_refused_on_its_own_field(app, db_session):
    client = staff_client(app, "facilitator")
    response = post_form(client, "/facilitate/town-halls/new", "/facilitate/town-halls/new",
                         **fields(title_es="a" * 201))
    assert response.status_code == 422
    assert 'id="title_es-error"' in text(response)
    assert content_language.version(getattr(hall_in(db_session), "versions", None), "es", "title") == ""


# --- the public action plan and the receipt's status page ---

def test_the_plan_shows_actions_and_themes_in_the_readers_language_and_the_rest_marked_english(client, db_session):
    theme = make_theme(db_session, "Belonging", versions={"es": {"name": "Pertenencia"}})
    action = make_action(db_session, "Publish the call rota", themes=[theme])
    action.versions = {"es": {"title": "Publicar el turno de guardias", "description": "Un mes antes."}}
    action.description = "A month ahead."
    other = make_action(db_session, "Fix the lifts")
    db_session.commit()
    plan = read_in(client, "es", "/plan")
    assert ">Pertenencia</h2>" in plan and ">Publicar el turno de guardias</a>" in plan
    assert '<span lang="en">Fix the lifts</span>' in plan
    page = read_in(client, "es", f"/plan/{action.id}")
    assert "<h1>Publicar el turno de guardias</h1>" in page and "<dd>Pertenencia</dd>" in page
    assert 'dir="auto">Un mes antes.</div>' in page
    english = read_in(client, "en", f"/plan/{action.id}")
    assert "<h1>Publish the call rota</h1>" in english and "Pertenencia" not in english
    assert '<h1><span lang="en">Fix the lifts</span></h1>' in read_in(client, "es", f"/plan/{other.id}")


def test_the_status_page_shows_the_town_hall_and_themes_in_the_readers_language(client, db_session, ring,
                                                                                spanish_hall):
    receipt = make_submission(db_session, ring, spanish_hall)
    theme = make_theme(db_session, "Belonging", versions={"es": {"name": "Pertenencia"}})
    db_session.execute(sa.update(Submission).where(Submission.id == receipt.submission_id).values(status="published"))
    db_session.commit()
    tag(db_session, receipt.submission_id, theme)
    client.set_cookie("lang", "es")
    page = text(check_receipt(client, receipt.code))
    assert "<dd>Pertenencia en las salas</dd>" in page
    assert "Pertenencia." in page and "Belonging" not in page
