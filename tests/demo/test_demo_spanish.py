"""The demo in Spanish: one town hall, a few themes and one action with Spanish versions, and Spanish submissions."""

from __future__ import annotations

import sqlalchemy as sa

from feedback import clock
from feedback.demo import loader
from feedback.demo.content import THEME_NAMES_ES
from feedback.models import Action, Submission, Theme, TownHall
from tests.browsing import text


def test_the_demo_has_a_spanish_town_hall_themes_action_and_submissions(app, client, db_session, ring):
    loader.load(db_session, ring, app.extensions["feedback_password_hasher"], today=clock.today(), now=clock.now())
    db_session.rollback()
    halls = db_session.scalars(sa.select(TownHall)).all()
    spanish = [hall for hall in halls if hall.versions.get("es")]
    assert len(spanish) == 1 and {"title", "prompt"} <= set(spanish[0].versions["es"])
    names = {t.name: t.versions.get("es", {}).get("name") for t in db_session.scalars(sa.select(Theme))}
    assert {name: names[name] for name in THEME_NAMES_ES} == THEME_NAMES_ES
    assert sum(bool(a.versions) for a in db_session.scalars(sa.select(Action))) == 1
    languages = list(db_session.scalars(sa.select(Submission.language)))
    assert languages.count("es") == 4
    client.set_cookie("lang", "es")
    page = text(client.get(f"/t/{spanish[0].slug}"))
    assert f"<h1>{spanish[0].versions['es']['title']}</h1>" in page
