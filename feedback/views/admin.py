"""Admin pages: staff accounts, instance settings, and the audit log."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext, lazy_gettext

from feedback import audit, auth, clock
from feedback.auth import roles
from feedback.db import get_db, stream_rows
from feedback.forms.staff import ConfirmForm, NewUserForm, RoleForm
from feedback.i18n import explain
from feedback.models import Role
from feedback.services.admin import accounts, settings

bp = Blueprint("admin", __name__, url_prefix="/admin")

A = audit.Action
# Each audit event's name as people read it; the log keeps (and hashes) the stored name, which never changes.
AUDIT_LABELS = {
    A.USER_CREATED: lazy_gettext("Account added"),
    A.LOGIN: lazy_gettext("Logged in"),
    A.LOGIN_REFUSED: lazy_gettext("Login refused"),
    A.LOGOUT: lazy_gettext("Logged out"),
    A.ROLE_CHANGED: lazy_gettext("Role changed"),
    A.USER_ACTIVATED: lazy_gettext("Account reactivated"),
    A.USER_DEACTIVATED: lazy_gettext("Account deactivated"),
    A.PASSWORD_RESET: lazy_gettext("Password reset"),
    A.SETTING_CHANGED: lazy_gettext("Setting changed"),
    A.STATUS_CHANGED: lazy_gettext("Status changed"),
    A.REDACTED: lazy_gettext("Identifying details removed"),
    A.REPLY_SENT: lazy_gettext("Reply sent"),
    A.REVEAL_REQUESTED: lazy_gettext("Identity reveal requested"),
    A.REVEAL_APPROVED: lazy_gettext("Identity reveal approved"),
    A.REVEAL_DENIED: lazy_gettext("Identity reveal denied"),
    A.IDENTITY_REVEALED: lazy_gettext("Identity revealed"),
    A.THEME_CREATE: lazy_gettext("Theme added"),
    A.THEME_UPDATE: lazy_gettext("Theme edited"),
    A.THEME_ARCHIVE: lazy_gettext("Theme archived"),
    A.THEME_UNARCHIVE: lazy_gettext("Theme brought back"),
    A.THEME_MERGE: lazy_gettext("Themes merged"),
    A.THEME_EXPORT: lazy_gettext("Codebook exported"),
    A.THEME_IMPORT: lazy_gettext("Codebook imported"),
    A.TAG: lazy_gettext("Theme tagged"),
    A.UNTAG: lazy_gettext("Theme tag removed"),
    A.SUGGESTION_DISMISSED: lazy_gettext("Theme suggestion dismissed"),
    A.DUPLICATE_GROUPED: lazy_gettext("Grouped as duplicates"),
    A.DUPLICATE_UNGROUPED: lazy_gettext("Duplicate group undone"),
    A.BULK_UNDONE: lazy_gettext("Bulk change undone"),
    A.LIVE_STARTED: lazy_gettext("Live session started"),
    A.LIVE_ENDED: lazy_gettext("Live session ended"),
    A.LIVE_PRESENTER_LINK_MADE: lazy_gettext("Presenter screen link made"),
    A.LIVE_PRESENTER_LINK_REVOKED: lazy_gettext("Presenter screen link revoked"),
    A.LIVE_SHOWN: lazy_gettext("Live question shown"),
    A.LIVE_ANSWERED: lazy_gettext("Live question answered"),
    A.LIVE_MOVED: lazy_gettext("Live question moved"),
    A.LIVE_NOTE: lazy_gettext("Live session note"),
    A.LIVE_VOTES_CHECKED: lazy_gettext("Live votes checked"),
    A.EXPORT_BRIEF: lazy_gettext("Brief exported"),
    A.EXPORT_THEMES_CSV: lazy_gettext("Themes exported as CSV"),
    A.EXPORT_SUBMISSIONS_CSV: lazy_gettext("Submissions exported as CSV"),
    A.EXPORT_PLAN_REPORT: lazy_gettext("Action plan report exported"),
    A.EXPORT_ACTIONS_CSV: lazy_gettext("Actions exported as CSV"),
    A.AUDIT_EXPORTED: lazy_gettext("Audit log exported"),
    A.SUMMARY_RELEASED: lazy_gettext("Summary released"),
    A.ANSWER_RELEASED: lazy_gettext("Answers released"),
    A.TOWN_HALL_CREATED: lazy_gettext("Town hall created"),
    A.TOWN_HALL_EDITED: lazy_gettext("Town hall edited"),
    A.TOWN_HALL_OPENED: lazy_gettext("Town hall intake opened"),
    A.TOWN_HALL_CLOSED: lazy_gettext("Town hall intake closed"),
    A.TOWN_HALL_ARCHIVED: lazy_gettext("Town hall archived"),
    A.ACTION_CREATED: lazy_gettext("Action created"),
    A.ACTION_EDITED: lazy_gettext("Action edited"),
    A.ACTION_PUBLISHED: lazy_gettext("Action published"),
    A.ACTION_UNPUBLISHED: lazy_gettext("Action unpublished"),
    A.ACTION_UPDATE_POSTED: lazy_gettext("Action update posted"),
    A.ACTION_LINKED: lazy_gettext("Action linked"),
    A.ACTION_UNLINKED: lazy_gettext("Action unlinked"),
    A.NOTIFICATIONS_CHOSEN: lazy_gettext("Mail choices saved"),
    A.MAIL_TO_SUBMITTER_HANDLED: lazy_gettext("Mail to a submitter handled"),
    A.MAIL_RETRIED: lazy_gettext("Mail retried"),
    A.IDENTITIES_ERASED: lazy_gettext("Identities erased"),
    A.IDENTITIES_PURGED: lazy_gettext("Identities purged"),
    A.KEYS_ROTATED: lazy_gettext("Keys rotated"),
    A.KEYS_RETIRED: lazy_gettext("Keys retired"),
}


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
        form.email.errors = [explain(error)]
        return _users_page(form, 422)
    flash(gettext("Added %(email)s.", email=form.email.data))
    return redirect(url_for("admin.users"))


def _account_action(action, *args, message: str):
    """Run an account change, then flash message (already in the reader's language) or why it was refused."""
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        result = action(get_db(), *args, by=auth.staff().actor, now=clock.now())
    except accounts.AccountError as error:
        flash(explain(error), "error")
        return redirect(url_for("admin.users"))
    flash(message)
    return result


@bp.post("/users/<int:user_id>/role")
@roles(Role.ADMIN)
def change_role(user_id: int):
    form = RoleForm()
    if not form.validate_on_submit():
        abort(400)
    _account_action(accounts.change_role, user_id, form.role.data,
                    message=gettext("Role changed; their sessions ended."))
    return redirect(url_for("admin.users"))


@bp.post("/users/<int:user_id>/deactivate")
@roles(Role.ADMIN)
def deactivate(user_id: int):
    _account_action(accounts.set_active, user_id, False, message=gettext("Account deactivated; its sessions ended."))
    return redirect(url_for("admin.users"))


@bp.post("/users/<int:user_id>/reactivate")
@roles(Role.ADMIN)
def reactivate(user_id: int):
    _account_action(accounts.set_active, user_id, True, message=gettext("Account reactivated."))
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
        flash(gettext("Settings saved."))
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
                           actions=audit.actions(get_db()), labels=AUDIT_LABELS, per_page=50)


@bp.get("/audit.csv")
@roles(Role.ADMIN)
def audit_csv():
    rows = audit.export_csv(get_db(), _audit_filter(), by=auth.staff().actor, now=clock.now())
    headers = {"Content-Disposition": "attachment; filename=audit-log.csv"}
    return Response(stream_rows(rows), mimetype="text/csv", headers=headers)
