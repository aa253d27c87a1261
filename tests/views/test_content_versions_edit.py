"""Staff write the Spanish of a theme's name (the codebook) and of an action's title and description (the staff
plan); public pages show it to readers of Spanish, the English to the rest, and the English marked lang="en" once
it is cleared."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from feedback import audit, clock
from feedback.models import Action, Theme
from feedback.services.themes import codebook
from feedback.services.themes.codebook_values import ThemeValues
from tests.browsing import post_form, text
from tests.factories import make_theme
from tests.plan_rows import make_action
from tests.services.themes.codebook_pages import INDEX, add_theme, by_name, events, post
from tests.staff import staff_client
from tests.stored import details
from tests.stored import events as audit_events


def read_in(client, language: str, path: str) -> str:
    client.set_cookie("lang", language)
    return text(client.get(path))


# --- themes ---

def theme_fields(theme: Theme, **changes) -> dict[str, str]:
    """The edit form of a theme as stored, with changes."""
    return {"name": theme.name, "name_es": "", "definition": theme.definition, "example": theme.example,
            "colour": theme.colour, "keywords": theme.keywords, "parent": "", **changes}


def test_a_spanish_theme_name_shows_to_a_spanish_reader_and_clearing_it_falls_back_to_english(app, client,
                                                                                             db_session):
    staff = staff_client(app, "facilitator")
    assert add_theme(staff, "Belonging", name_es="  Pertenencia ").status_code == 302
    theme = by_name(db_session, "Belonging")
    assert theme.versions == {"es": {"name": "Pertenencia"}}
    edit_page = text(staff.get(f"{INDEX}/{theme.id}"))
    assert 'lang="es"' in edit_page and 'value="Pertenencia"' in edit_page
    action = make_action(db_session, "Publish the call rota", themes=[theme])
    assert "<dd>Pertenencia</dd>" in read_in(client, "es", f"/plan/{action.id}")
    english = read_in(client, "en", f"/plan/{action.id}")
    assert "<dd>Belonging</dd>" in english and "Pertenencia" not in english

    response = post(staff, f"{INDEX}/{theme.id}", **theme_fields(theme, name_es=""))
    assert response.status_code == 302, text(response)
    assert by_name(db_session, "Belonging").versions == {}
    assert '<dd><span lang="en">Belonging</span></dd>' in read_in(client, "es", f"/plan/{action.id}")
    edits = events(db_session, "theme.update")
    assert edits[-1]["changed"] == ["versions"]
    assert "Pertenencia" not in str(events(db_session, "theme.create") + edits)


def test_editing_only_the_spanish_name_is_audited_and_nothing_else_changes(app, db_session):
    staff = staff_client(app, "facilitator")
    theme = make_theme(db_session, "Workload")
    response = post(staff, f"{INDEX}/{theme.id}", **theme_fields(theme, name_es="Carga de trabajo"))
    assert response.status_code == 302
    stored = by_name(db_session, "Workload")
    assert stored.versions == {"es": {"name": "Carga de trabajo"}} and stored.definition == theme.definition
    assert events(db_session, "theme.update")[-1]["changed"] == ["versions"]
    assert post(staff, f"{INDEX}/{theme.id}", **theme_fields(stored, name_es="Carga de trabajo")).status_code == 302
    assert len(events(db_session, "theme.update")) == 1  # the same again: nothing changed, nothing audited


def test_a_too_long_spanish_theme_name_comes_back_with_its_error_and_both_fields_kept(app, db_session):
    staff = staff_client(app, "facilitator")
    response = add_theme(staff, "Belonging", name_es="P" * 81)
    assert response.status_code == 422
    page = text(response)
    assert 'id="name_es-error"' in page and "Shorten the name to 80 characters or fewer." in page
    assert 'value="Belonging"' in page and f'value="{"P" * 81}"' in page
    assert by_name(db_session, "Belonging") is None

    theme = make_theme(db_session, "Workload")
    response = post(staff, f"{INDEX}/{theme.id}", **theme_fields(theme, name="Work load", name_es="C" * 81))
    assert response.status_code == 422
    page = text(response)
    assert 'id="name_es-error"' in page and 'value="Work load"' in page and f'value="{"C" * 81}"' in page
    assert by_name(db_session, "Workload").versions == {}


def test_the_service_refuses_a_spanish_name_on_two_lines_on_its_field(app, db_session):
    with pytest.raises(codebook.CodebookError, match="Keep the name on one line.") as refused:
        codebook.create(db_session, ThemeValues("Belonging"), by=audit.Actor("test"), now=clock.now(),
                        versions={"es": {"name": "Perte\nnencia"}})
    assert refused.value.field == "name_es"


# --- actions ---

PLAN = "/staff/plan"
ACTION = {"title": "Publish the pay bands", "title_es": "", "description": "For every grade, on the intranet.",
          "description_es": "", "owner": "Office of HR", "status": "planned", "wont_do_reason": "",
          "progress_from": "status", "progress": "", "parent": "", "target_on": "", "next_update_due": ""}
TITLE_ES, DESCRIPTION_ES = "Publicar las bandas salariales", "Para cada categoría, en la intranet."


def publish(db_session, action_id: int) -> None:
    db_session.rollback()
    db_session.execute(sa.update(Action).where(Action.id == action_id).values(published=True))
    db_session.commit()


def stored_versions(db_session, action_id: int) -> dict:
    db_session.rollback()
    db_session.expire_all()
    return db_session.get(Action, action_id).versions


def test_an_actions_spanish_title_and_description_show_on_the_public_action_page_and_clear(app, client,
                                                                                          db_session):
    staff = staff_client(app, "admin")
    response = post_form(staff, f"{PLAN}/new", f"{PLAN}/new",
                         **{**ACTION, "title_es": f"  {TITLE_ES} ", "description_es": DESCRIPTION_ES})
    assert response.status_code == 302, text(response)
    action_id = int(response.headers["Location"].rsplit("/", 1)[1])
    assert stored_versions(db_session, action_id) == {"es": {"title": TITLE_ES, "description": DESCRIPTION_ES}}
    form = text(staff.get(f"{PLAN}/{action_id}/edit"))
    assert f'value="{TITLE_ES}"' in form and f"{DESCRIPTION_ES}</textarea>" in form and 'lang="es"' in form
    publish(db_session, action_id)
    spanish = read_in(client, "es", f"/plan/{action_id}")
    assert f"<h1>{TITLE_ES}</h1>" in spanish and f'dir="auto">{DESCRIPTION_ES}</div>' in spanish
    english = read_in(client, "en", f"/plan/{action_id}")
    assert "<h1>Publish the pay bands</h1>" in english and TITLE_ES not in english and DESCRIPTION_ES not in english

    response = post_form(staff, f"{PLAN}/{action_id}/edit", f"{PLAN}/{action_id}/edit", **ACTION)
    assert response.status_code == 302, text(response)
    assert stored_versions(db_session, action_id) == {}
    spanish = read_in(client, "es", f"/plan/{action_id}")
    assert '<h1><span lang="en">Publish the pay bands</span></h1>' in spanish and TITLE_ES not in spanish
    edited = [details(event) for event in audit_events(db_session, "action.edited")]
    assert edited[-1]["changed"] == ["versions"] and TITLE_ES not in str(edited)


def test_a_too_long_spanish_action_title_comes_back_with_its_error_and_the_fields_kept(app, db_session):
    staff = staff_client(app, "admin")
    response = post_form(staff, f"{PLAN}/new", f"{PLAN}/new",
                         **{**ACTION, "title_es": "T" * 201, "description_es": DESCRIPTION_ES})
    assert response.status_code == 422
    page = text(response)
    assert 'id="title_es-error"' in page and "Shorten the title to 200 characters or fewer." in page
    assert 'value="Publish the pay bands"' in page and f'value="{"T" * 201}"' in page
    assert f"{DESCRIPTION_ES}</textarea>" in page


def test_the_spanish_action_fields_are_kept_when_another_field_is_refused(app, db_session):
    staff = staff_client(app, "admin")
    response = post_form(staff, f"{PLAN}/new", f"{PLAN}/new",
                         **{**ACTION, "owner": "", "title_es": TITLE_ES, "description_es": DESCRIPTION_ES})
    assert response.status_code == 422
    page = text(response)
    assert f'value="{TITLE_ES}"' in page and f"{DESCRIPTION_ES}</textarea>" in page
