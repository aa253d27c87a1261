"""Town halls run from the web: facilitators and admins create, edit, open, close and archive them."""

from __future__ import annotations

from collections.abc import Callable

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext, lazy_gettext

from feedback import auth, clock
from feedback.auth import MODERATORS, roles
from feedback.db import get_db
from feedback.filters import format_date
from feedback.forms.staff import ConfirmForm
from feedback.forms.town_halls import TownHallForm
from feedback.i18n import explain
from feedback.models import TownHall
from feedback.services.intake import town_halls

bp = Blueprint("town_halls", __name__, url_prefix="/facilitate/town-halls")

# A town hall's state (town_halls.state) as staff read it; the stored value stays English.
# TRANSLATORS: the state of a town hall (foro): it is upcoming, open, closed or archived.
STATE_LABELS = {"upcoming": lazy_gettext("upcoming"), "open": lazy_gettext("open"), "closed": lazy_gettext("closed"),
                town_halls.ARCHIVED: lazy_gettext("archived")}


def _show(form: TownHallForm, error: town_halls.InvalidTownHall) -> None:
    """Put a service's message on the field it is about (the title when it names none)."""
    field = form._fields.get(error.field) or form.title
    field.errors = [*field.errors, explain(error)]


def _form_page(form: TownHallForm, town_hall: TownHall | None = None, status: int = 200):
    state = town_halls.state(town_hall, clock.today()) if town_hall else None
    return render_template("facilitate/town_hall_form.html", form=form, town_hall=town_hall, state=state,
                           state_labels=STATE_LABELS, confirm=ConfirmForm()), status


def _town_hall(town_hall_id: int) -> TownHall:
    return town_halls.get(get_db(), town_hall_id) or abort(404)


@bp.get("")
@roles(*MODERATORS)
def index():
    return render_template("facilitate/town_halls.html", town_halls=town_halls.staff_listing(get_db(), clock.today()),
                           state_labels=STATE_LABELS)


@bp.get("/new")
@roles(*MODERATORS)
def new():
    return _form_page(TownHallForm(formdata=None))


@bp.post("/new")
@roles(*MODERATORS)
def create():
    form = TownHallForm()
    if not form.validate_on_submit():
        return _form_page(form, status=422)
    try:
        hall = town_halls.create(get_db(), form.values(), by=auth.staff().actor, now=clock.now())
    except town_halls.InvalidTownHall as error:
        _show(form, error)
        return _form_page(form, status=422)
    flash(gettext("Created “%(title)s” at %(address)s: input opens on %(opens)s.", title=hall.title,
                  address=url_for("public.town_hall", slug=hall.slug), opens=format_date(hall.intake_opens_on)))
    return redirect(url_for("town_halls.edit", town_hall_id=hall.id))


@bp.get("/<int:town_hall_id>")
@roles(*MODERATORS)
def edit(town_hall_id: int):
    hall = _town_hall(town_hall_id)
    return _form_page(TownHallForm.for_town_hall(hall), hall)


@bp.post("/<int:town_hall_id>")
@roles(*MODERATORS)
def update(town_hall_id: int):
    hall = _town_hall(town_hall_id)
    form = TownHallForm()
    if not form.validate_on_submit():
        return _form_page(form, hall, 422)
    try:
        changed = town_halls.update(get_db(), hall.id, form.values(), by=auth.staff().actor, now=clock.now())
    except town_halls.InvalidTownHall as error:
        _show(form, error)
        return _form_page(form, hall, 422)
    flash(gettext("Saved “%(title)s”.", title=form.title.data) if changed else gettext("Nothing changed."))
    return redirect(url_for("town_halls.edit", town_hall_id=hall.id))


def _one_button(town_hall_id: int, change: Callable[..., TownHall], done: Callable[[TownHall], str]):
    """Make one change from a button (open now, close now, archive) and say what it did, or why not."""
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        hall = change(get_db(), _town_hall(town_hall_id).id, by=auth.staff().actor, now=clock.now())
    except town_halls.InvalidTownHall as error:
        flash(explain(error), "error")
    else:
        flash(done(hall))
    return redirect(url_for("town_halls.edit", town_hall_id=town_hall_id))


@bp.post("/<int:town_hall_id>/open")
@roles(*MODERATORS)
def open_now(town_hall_id: int):
    return _one_button(town_hall_id, town_halls.open_now, lambda hall: gettext(
        "“%(title)s” is open: it takes input from today until %(closes)s.", title=hall.title,
        closes=format_date(hall.intake_closes_on)))


@bp.post("/<int:town_hall_id>/close")
@roles(*MODERATORS)
def close_now(town_hall_id: int):
    return _one_button(town_hall_id, town_halls.close_now, lambda hall: gettext(
        "“%(title)s” is closed: it takes no more input from now on. Its last day of input is recorded as "
        "yesterday, %(closed)s.", title=hall.title, closed=format_date(hall.intake_closes_on)))


@bp.post("/<int:town_hall_id>/archive")
@roles(*MODERATORS)
def archive(town_hall_id: int):
    return _one_button(town_hall_id, town_halls.archive, lambda hall: gettext(
        "“%(title)s” is archived: it is off the home page and takes no input. Its submissions stay on the desk.",
        title=hall.title))
