"""The action plan for staff: leaders and admins write and publish actions and updates; facilitators draft."""

from __future__ import annotations

import dataclasses

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_wtf import FlaskForm

from feedback import auth, clock
from feedback.auth import MODERATORS, STAFF, roles
from feedback.db import get_db
from feedback.filters import format_date
from feedback.forms.answers import AnswerReleaseForm
from feedback.forms.plan import ActionForm, SubmissionLinkForm, ThemeLinkForm, TownHallLinkForm, UpdateForm
from feedback.forms.staff import ConfirmForm
from feedback.i18n import explain
from feedback.models import Action, Role
from feedback.services.actions import answers, plan, progress, updates
from feedback.services.summary.disclosure import Mechanism

bp = Blueprint("plan_staff", __name__, url_prefix="/staff/plan")
PUBLISHERS = (Role.ADMIN, Role.LEADER)
KINDS = "any(theme, 'town-hall', submission)"


def _known() -> dict[str, progress.Status]:
    return progress.statuses(current_app.config["ACTION_STATUSES"])


def _role() -> str:
    return auth.staff().role


def _moderates() -> bool:
    """Facilitators and admins: the only ones who see live answers and their comments, and who release them."""
    return _role() in {r.value for r in MODERATORS}


def _released() -> answers.Released | None:
    return answers.latest(get_db(), current_app.config["SUMMARY_K"])


def _labels() -> dict[str, str]:
    """The answers to "Did this help?" in the reader's language (stored, and exported, in English)."""
    return {key: gettext(label) for key, label in answers.ANSWERS.items()}


def _show(form: FlaskForm, error: plan.PlanError) -> None:
    """Put each of the service's messages on the field it is about (the first field when it names none)."""
    first = next(f for f in form if f.type != "CSRFTokenField")
    for name, message in error.problems:
        field = form._fields.get(name) or first
        field.errors = [*field.errors, explain(message)]


def _action(action_id: int, editing: bool = False) -> Action:
    action = plan.get(get_db(), action_id)
    if action is None:
        abort(404)
    if editing and not plan.may_edit(action, _role()):
        abort(403)  # a facilitator and a published action: the service refuses it too
    return action


def _index(*, refused: str | None = None, status: int = 200):
    config = current_app.config
    budget = answers.budget(get_db(), Mechanism.from_config(config), config["SUMMARY_BUDGET"])
    release_form = AnswerReleaseForm(formdata=None)
    release_form.seen.data = answers.latest_number(get_db())
    return render_template("plan_staff/index.html", plan=updates.overview(get_db(), _known(), clock.today()),
                           known=_known(), may_publish=plan.may_publish(_role()), released=_released(),
                           may_release=_moderates(), budget=budget, release_form=release_form, refused=refused,
                           labels=_labels()), status


@bp.get("")
@roles(*STAFF)
def index():
    return _index()


@bp.post("/answers/release")
@roles(*MODERATORS)
def release_answers():
    form = AnswerReleaseForm()
    if not form.validate_on_submit():
        abort(400)
    if form.seen.data > answers.latest_number(get_db()):
        abort(400)  # a page showing releases that do not exist: not a form this app made
    config = current_app.config
    try:
        made = answers.release(get_db(), mechanism=Mechanism.from_config(config),
                               total_budget=config["SUMMARY_BUDGET"], by=auth.staff().actor, now=clock.now(),
                               after=form.seen.data)
    except answers.Refused as refused:
        return _index(refused=explain(refused), status=409)
    flash(gettext("Released the answers to “Did this help?” (release %(number)s): leaders now see them, with "
                  "noise, as rounded counts.", number=made.number))
    return redirect(url_for("plan_staff.index"))


def _form_page(form: ActionForm, action: Action | None = None, status: int = 200):
    return render_template("plan_staff/edit.html", form=form, action=action), status


def _action_form(action: Action | None = None) -> ActionForm:
    fixed = action is not None and plan.timeline_owns_state(get_db(), action)
    return ActionForm(statuses=_known(), parents=plan.parent_options(get_db(), action.id if action else None),
                      fixed_state=fixed)


@bp.get("/new")
@roles(*STAFF)
def new():
    # "Add a sub-action" on an action's page comes here with ?parent=<its id>, chosen in the form.
    return _form_page(ActionForm(formdata=None, statuses=_known(), parents=plan.parent_options(get_db()),
                                 parent=request.args.get("parent", "")))


@bp.post("/new")
@roles(*STAFF)
def create():
    form = _action_form()
    if not form.validate_on_submit():
        return _form_page(form, status=422)
    try:
        action = plan.create(get_db(), form.values(), _known(), role=_role(), by=auth.staff().actor,
                             now=clock.now(), today=clock.today())
    except plan.PlanError as error:
        _show(form, error)
        return _form_page(form, status=422)
    flash(gettext("Saved “%(title)s” as a draft: nothing is public until it is published.", title=action.title))
    return redirect(url_for("plan_staff.show", action_id=action.id))


@bp.get("/<int:action_id>/edit")
@roles(*STAFF)
def edit(action_id: int):
    action = _action(action_id, editing=True)
    fixed = plan.timeline_owns_state(get_db(), action)
    form = ActionForm.for_action(action, _known(), plan.parent_options(get_db(), action.id), fixed)
    return _form_page(form, action)


@bp.post("/<int:action_id>/edit")
@roles(*STAFF)
def save(action_id: int):
    action = _action(action_id, editing=True)
    form = _action_form(action)
    if not form.validate_on_submit():
        return _form_page(form, action, 422)
    try:
        changed = plan.edit(get_db(), action.id, form.values(action), _known(), role=_role(),
                            by=auth.staff().actor, now=clock.now())
    except plan.NotAllowed:
        abort(403)
    except plan.PlanError as error:
        _show(form, error)
        return _form_page(form, action, 422)
    flash(gettext("Saved “%(title)s”.", title=action.title) if changed else gettext("Nothing changed."))
    return redirect(url_for("plan_staff.show", action_id=action.id))


def _page(action: Action, forms: dict[str, FlaskForm] | None = None, status: int = 200):
    db, known, today = get_db(), _known(), clock.today()
    timeline = updates.timeline(db, action.id)
    subs = [(sub, updates.timeline(db, sub.id)) for sub in plan.sub_actions(db, action.id)]
    themes, halls = plan.link_options(db, action.id)
    forms = {"update": UpdateForm(formdata=None, statuses=known, publish_on=today),
             "theme": ThemeLinkForm(formdata=None, themes=themes),
             "town-hall": TownHallLinkForm(formdata=None, town_halls=halls),
             "submission": SubmissionLinkForm(formdata=None), **(forms or {})}
    failed = next((form for form in forms.values() if form.errors), forms["update"])
    return render_template(
        "plan_staff/action.html", action=action, known=known, today=today, timeline=timeline,
        standing=updates.standing(action, timeline, subs, known, today),
        subs=[updates.standing(sub, sub_timeline, [], known, today) for sub, sub_timeline in subs],
        links=_links(action), forms=forms, form=failed, confirm=ConfirmForm(),
        may_publish=plan.may_publish(_role()), may_edit=plan.may_edit(action, _role()), sees_desk=_moderates(),
        released=_released(), live=answers.live(db, action.id) if _moderates() else None,
        labels=_labels()), status


def _links(action: Action) -> plan.Links:
    """The action's links; its submissions only for those who see the desk (never for a leader)."""
    found = plan.links(get_db(), action.id)
    return found if plan.may_link_submissions(_role()) else dataclasses.replace(found, submission_ids=[])


def _may_link(kind: str) -> None:
    if kind == plan.SUBMISSION and not plan.may_link_submissions(_role()):
        abort(403)  # a leader: the service refuses it too, before looking the submission up


@bp.get("/<int:action_id>")
@roles(*STAFF)
def show(action_id: int):
    return _page(_action(action_id))


def _set_published(action_id: int, published: bool):
    if not ConfirmForm().validate_on_submit():
        abort(400)
    action = _action(action_id)
    try:
        changed = plan.set_published(get_db(), action.id, published, role=_role(), by=auth.staff().actor,
                                     now=clock.now())
    except plan.NotAllowed:
        abort(403)
    except plan.PlanError as error:
        flash(explain(error), "error")
        return redirect(url_for("plan_staff.show", action_id=action.id))
    if not changed:
        flash(gettext("Nothing changed."))
    elif published:
        flash(gettext("Published “%(title)s”: it is on the public plan, with the updates published so far.",
                      title=action.title))
    else:
        flash(gettext("“%(title)s” is a draft again: it is no longer on the public plan.", title=action.title))
    return redirect(url_for("plan_staff.show", action_id=action.id))


@bp.post("/<int:action_id>/publish")
@roles(*PUBLISHERS)
def publish(action_id: int):
    return _set_published(action_id, True)


@bp.post("/<int:action_id>/unpublish")
@roles(*PUBLISHERS)
def unpublish(action_id: int):
    return _set_published(action_id, False)


@bp.post("/<int:action_id>/updates")
@roles(*PUBLISHERS)
def post_update(action_id: int):
    action = _action(action_id)
    form = UpdateForm(statuses=_known())
    if not form.validate_on_submit():
        return _page(action, {"update": form}, 422)
    try:
        posted = updates.post(get_db(), action.id, form.new_update(), _known(), role=_role(),
                              by=auth.staff().actor, now=clock.now(), today=clock.today())
    except plan.NotAllowed:
        abort(403)
    except plan.PlanError as error:
        _show(form, error)
        return _page(action, {"update": form}, 422)
    scheduled = posted.publish_on > clock.today()
    flash(gettext("Scheduled the update: it will be public on %(day)s.", day=format_date(posted.publish_on))
          if scheduled else gettext("Posted the update to the timeline."))
    return redirect(url_for("plan_staff.show", action_id=action.id))


def _link_form(kind: str, action: Action) -> ThemeLinkForm | TownHallLinkForm | SubmissionLinkForm:
    themes, halls = plan.link_options(get_db(), action.id)
    if kind == plan.THEME:
        return ThemeLinkForm(themes=themes)
    return TownHallLinkForm(town_halls=halls) if kind == plan.TOWN_HALL else SubmissionLinkForm()


@bp.post(f"/<int:action_id>/links/<{KINDS}:kind>")
@roles(*STAFF)
def link(action_id: int, kind: str):
    _may_link(kind)
    action = _action(action_id, editing=True)
    form = _link_form(kind, action)
    if not form.validate_on_submit():
        return _page(action, {kind: form}, 422)
    try:
        linked = plan.set_link(get_db(), action.id, kind, form.target.data or "", True, role=_role(),
                               by=auth.staff().actor, now=clock.now())
    except plan.NotAllowed:
        abort(403)
    except plan.PlanError as error:
        _show(form, error)
        return _page(action, {kind: form}, 422)
    flash(gettext("Linked.") if linked else gettext("It was already linked."))
    return redirect(url_for("plan_staff.show", action_id=action.id))


@bp.post(f"/<int:action_id>/links/<{KINDS}:kind>/<target>/remove")
@roles(*STAFF)
def unlink(action_id: int, kind: str, target: str):
    _may_link(kind)
    action = _action(action_id, editing=True)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        removed = plan.set_link(get_db(), action.id, kind, target, False, role=_role(), by=auth.staff().actor,
                                now=clock.now())
    except plan.NotAllowed:
        abort(403)
    except plan.PlanError as error:
        flash(explain(error), "error")
        return redirect(url_for("plan_staff.show", action_id=action.id))
    flash(gettext("Unlinked.") if removed else gettext("It was not linked."))
    return redirect(url_for("plan_staff.show", action_id=action.id))
