"""The leadership summary, its printable brief and its exports; small groups are never shown."""

from __future__ import annotations

from flask import Blueprint, Response, abort, current_app, redirect, render_template, request, url_for

from feedback import audit, auth, charts, clock
from feedback.auth import MODERATORS, STAFF, roles
from feedback.db import get_db, stream_rows
from feedback.models import SLUG_PATTERN
from feedback.services.moderation import desk
from feedback.services.summary import counts, exports

bp = Blueprint("leadership", __name__, url_prefix="/leadership")
bp.add_app_template_filter(exports.cell_text, "cell_text")
bp.add_app_template_filter(exports.change_text, "change_text")


def _settings() -> dict:
    config = current_app.config  # SUMMARY_K is at least 3: feedback.config refuses less
    return {"k": config["SUMMARY_K"], "affiliations": list(config["AFFILIATIONS"])}


def _summary(slug: str | None) -> counts.Summary:
    found = counts.summary(get_db(), slug, **_settings())
    if found is None:
        abort(404)
    return found


def _page(found: counts.Summary):
    return render_template("leadership/summary.html", summary=found,
                           bars=charts.bar_chart(found.themes, found.k),
                           trend=charts.line_chart(found.trend_themes, found.over_time, found.k),
                           may_export_text=auth.staff().role in MODERATORS)


@bp.get("")
@roles(*STAFF)
def index():
    chosen = request.args.get("town_hall", "").strip()
    if chosen:  # the town-hall switch is a plain GET form
        if not SLUG_PATTERN.fullmatch(chosen):
            abort(404)
        return redirect(url_for("leadership.town_hall", slug=chosen))
    return _page(_summary(None))


@bp.get("/<slug>")
@roles(*STAFF)
def town_hall(slug: str):
    return _page(_summary(slug))


@bp.get("/<slug>/brief")
@roles(*STAFF)
def brief(slug: str):
    found = _summary(slug)
    audit.record_now(get_db(), auth.staff().actor, "export.brief", now=clock.now(), details={"town_hall": slug})
    return render_template("leadership/brief.html", summary=found)


def _csv(rows, filename: str) -> Response:
    return Response(rows, mimetype="text/csv", headers={"Content-Disposition": f"attachment; filename={filename}"})


@bp.get("/themes.csv")
@roles(*STAFF)
def themes_csv():
    settings = _settings()
    audit.record_now(get_db(), auth.staff().actor, "export.themes_csv", now=clock.now(), details={"k": settings["k"]})
    return _csv(stream_rows(lambda session: exports.theme_rows(session, **settings)), "themes.csv")


@bp.get("/<slug>/submissions.csv")
@roles(*MODERATORS)
def submissions_csv(slug: str):
    hall = desk.town_hall(get_db(), slug)
    if hall is None:
        abort(404)
    hall_id = hall.id
    audit.record_now(get_db(), auth.staff().actor, "export.submissions_csv", now=clock.now(),
                     details={"town_hall": slug})
    return _csv(stream_rows(lambda session: exports.submission_rows(session, hall_id)), f"{slug}-submissions.csv")
