"""Admin pages: staff accounts, instance settings, and the audit log."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for

from feedback import audit, auth, clock
from feedback.auth import roles
from feedback.db import get_db, stream_rows
from feedback.forms.staff import ConfirmForm, NewUserForm, RoleForm
from feedback.models import Role
from feedback.services.admin import accounts, settings

bp = Blueprint("admin", __name__, url_prefix="/admin")


def _users_page(form: NewUserForm, status: int = 200, new_password: tuple[str, str] | None = None):
    return render_template("admin/users.html", users=accounts.list_users(get_db()), form=form,
                           role_form=RoleForm(), confirm=ConfirmForm(), new_password=new_password), status


@bp.route("/users", methods=["GET", "POST"])
@roles(Role.ADMIN)
def users():
    form = NewUserForm()
    if not form.validate_on_submit():
        return _users_page(form, 422 if form.is_submitted() else 200)
    try:
        accounts.create_user(get_db(), auth.hasher(), form.email.data, form.display_name.data, form.role.data,
                             form.password.data, by=auth.staff().actor, now=clock.now())
    except accounts.AccountError as error:
        form.email.errors = [str(error)]
        return _users_page(form, 422)
    flash(f"Added {form.email.data}.")
    return redirect(url_for("admin.users"))


def _account_action(action, *args, message: str):
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        result = action(get_db(), *args, by=auth.staff().actor, now=clock.now())
    except accounts.AccountError as error:
        flash(str(error), "error")
        return redirect(url_for("admin.users"))
    flash(message)
    return result


@bp.post("/users/<int:user_id>/role")
@roles(Role.ADMIN)
def change_role(user_id: int):
    form = RoleForm()
    if not form.validate_on_submit():
        abort(400)
    _account_action(accounts.change_role, user_id, form.role.data, message="Role changed; their sessions ended.")
    return redirect(url_for("admin.users"))


@bp.post("/users/<int:user_id>/deactivate")
@roles(Role.ADMIN)
def deactivate(user_id: int):
    _account_action(accounts.set_active, user_id, False, message="Account deactivated; its sessions ended.")
    return redirect(url_for("admin.users"))


@bp.post("/users/<int:user_id>/reactivate")
@roles(Role.ADMIN)
def reactivate(user_id: int):
    _account_action(accounts.set_active, user_id, True, message="Account reactivated.")
    return redirect(url_for("admin.users"))


@bp.post("/users/<int:user_id>/reset-password")
@roles(Role.ADMIN)
def reset_password(user_id: int):
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        password = accounts.reset_password(get_db(), auth.hasher(), user_id, by=auth.staff().actor, now=clock.now())
    except accounts.AccountError:
        abort(404)
    user = next(u for u in accounts.list_users(get_db()) if u.id == user_id)
    # Shown once, on this response only; never stored in clear or put in a URL.
    return _users_page(NewUserForm(formdata=None), new_password=(user.email, password))


@bp.route("/settings", methods=["GET", "POST"])
@roles(Role.ADMIN)
def settings_page():
    form = ConfirmForm()
    if form.validate_on_submit():
        on = request.form.get(settings.REVEAL_NEEDS_APPROVAL) == "yes"
        settings.set_flag(get_db(), settings.REVEAL_NEEDS_APPROVAL, on, by=auth.staff().actor, now=clock.now())
        flash("Settings saved.")
        return redirect(url_for("admin.settings_page"))
    needs_approval = settings.is_on(get_db(), settings.REVEAL_NEEDS_APPROVAL)
    return render_template("admin/settings.html", form=form, needs_approval=needs_approval)


def _audit_filter() -> audit.AuditFilter:
    def day(name: str) -> date | None:
        try:
            return date.fromisoformat(request.args.get(name, ""))
        except ValueError:
            return None

    return audit.AuditFilter(action=request.args.get("action", ""), actor=request.args.get("actor", "").strip(),
                             since=day("since"), until=day("until"))


@bp.get("/audit")
@roles(Role.ADMIN)
def audit_log():
    wanted = _audit_filter()
    page = max(request.args.get("page", 1, type=int), 1)
    events, total = audit.browse(get_db(), wanted, page)
    return render_template("admin/audit.html", events=events, total=total, page=page, wanted=wanted,
                           actions=audit.actions(get_db()), per_page=50)


@bp.get("/audit.csv")
@roles(Role.ADMIN)
def audit_csv():
    rows = audit.export_csv(get_db(), _audit_filter(), by=auth.staff().actor, now=clock.now())
    headers = {"Content-Disposition": "attachment; filename=audit-log.csv"}
    return Response(stream_rows(rows), mimetype="text/csv", headers=headers)
