"""Releasing a town hall's numbers to leadership: facilitators and admins only, one audited POST.

Leadership sees only released numbers (feedback.services.summary.releases): this page shows the
moderator the exact counts, the hall's privacy budget and its past releases, and makes the next release.
The form carries the latest release number the page showed, so a second press (or a page shown before a
colleague released) spends nothing more of the budget.
"""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from flask import Blueprint, abort, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext

from feedback import auth, clock
from feedback.auth import MODERATORS, roles
from feedback.db import get_db
from feedback.forms.desk import STATUS_LABELS
from feedback.forms.releases import ReleaseForm
from feedback.i18n import explain
from feedback.models import Release, TownHall
from feedback.services.moderation import desk as moderation
from feedback.services.summary import releases
from feedback.services.summary.disclosure import Mechanism
from feedback.views.town_halls import STATE_LABELS

bp = Blueprint("releases", __name__, url_prefix="/facilitate")


def _mechanism() -> Mechanism:
    return Mechanism.from_config(current_app.config)


def _town_hall(slug: str) -> TownHall:
    hall = moderation.town_hall(get_db(), slug)
    if hall is None:
        abort(404)
    return hall


def _history(hall: TownHall) -> list[Release]:
    """The hall's releases, oldest first."""
    return list(get_db().scalars(sa.select(Release).where(Release.town_hall_id == hall.id)
                                 .order_by(Release.number)))


def _latest(history: list[Release]) -> int:
    """The number of the latest release (0: none yet)."""
    return history[-1].number if history else 0


def _page(hall: TownHall, *, refused: str | None = None, status: int = 200):
    db = get_db()
    counts = moderation.status_counts(db, hall.id)
    history = _history(hall)
    form = ReleaseForm(formdata=None)
    form.seen.data = _latest(history)
    return render_template(
        "facilitate/release.html", town_hall=hall, counts=counts, status_labels=STATUS_LABELS,
        total=sum(counts.values()), intake=hall.intake_state(clock.today()), state_labels=STATE_LABELS,
        budget=releases.budget(db, hall.id, _mechanism(), float(current_app.config["SUMMARY_BUDGET"])),
        history=history, form=form, refused=refused,
    ), status


@bp.get("/<slug>/release")
@roles(*MODERATORS)
def page(slug: str):
    return _page(_town_hall(slug))


@bp.post("/<slug>/release")
@roles(*MODERATORS)
def release(slug: str):
    hall = _town_hall(slug)
    form = ReleaseForm()
    if not form.validate_on_submit():
        abort(400)
    if form.seen.data > _latest(_history(hall)):
        abort(400)  # a page showing releases that do not exist: not a form this app made
    config = current_app.config
    try:
        made = releases.release(get_db(), hall, mechanism=_mechanism(), total_budget=float(config["SUMMARY_BUDGET"]),
                                k=config["SUMMARY_K"], affiliations=list(config["AFFILIATIONS"]),
                                by=auth.staff().actor, now=clock.now(), after=form.seen.data)
    except releases.Refused as refusal:
        return _page(hall, refused=explain(refusal), status=409)
    flash(gettext("Release %(number)s is now what leadership sees.", number=made.number))
    return redirect(url_for("releases.page", slug=slug))


@bp.app_template_global()
def latest_release_dates() -> dict[str, date]:
    """Each released town hall's latest release date, by slug (the facilitator index shows it)."""
    query = sa.select(TownHall.slug, sa.func.max(Release.released_on)).join(Release).group_by(TownHall.slug)
    return {slug: released_on for slug, released_on in get_db().execute(query)}
