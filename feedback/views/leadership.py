"""The leadership summary, its printable brief and its exports: released numbers only, never live counts."""

from __future__ import annotations

from datetime import date

from babel import dates
from flask import Blueprint, Response, abort, current_app, redirect, render_template, request, url_for

from feedback import auth, charts, clock
from feedback.auth import MODERATORS, STAFF, roles
from feedback.db import get_db, stream_rows
from feedback.forms.desk import HIDDEN_REASON_LABELS  # the desk's words for why a submission is hidden
from feedback.i18n import current_language, explain
from feedback.models import SLUG_PATTERN
from feedback.sentences import Sentence
from feedback.services.actions import progress, reports
from feedback.services.moderation import desk
from feedback.services.summary import counts, disclosure, exports

TIMES_IN_TEN = 9  # the pages say each number is within a margin of the truth this many times in 10

bp = Blueprint("leadership", __name__, url_prefix="/leadership")


@bp.app_template_filter("cell_text")
def cell_text(cell: disclosure.Cell) -> str:
    """A released cell in the reader's words: "about N", "fewer than k", "not released yet"."""
    return explain(disclosure.cell_words(cell))


@bp.app_template_filter("change_text")
def change_text(change: int | None) -> str:
    """A change since the previous town hall in the reader's words; empty when there is none to say."""
    words = exports.change_words(change)
    return "" if words is None else explain(words)


@bp.app_template_filter("month_name")
def month_name(day: date) -> str:
    """The day's month as the reader's language names it standing alone ("October", "octubre")."""
    return dates.format_date(day, "LLLL", locale=current_language())


bp.add_app_template_filter(exports.share_text, "share_text")


@bp.context_processor
def _labels() -> dict:
    return {"hidden_reason_labels": HIDDEN_REASON_LABELS, "not_given": counts.NOT_GIVEN}


def _headers(sentences: list[Sentence]) -> list[str]:
    """A CSV's column headers in the reader's language (its cells stay as they are)."""
    return [explain(sentence) for sentence in sentences]


def _settings() -> dict:
    config = current_app.config  # SUMMARY_K is at least 3: feedback.config refuses less
    return {"k": config["SUMMARY_K"], "affiliations": list(config["AFFILIATIONS"]), "today": clock.today()}


def _noise() -> dict:
    """What the pages say about the noise: within margin of the true count TIMES_IN_TEN times in 10."""
    margin = disclosure.tail_bound(float(current_app.config["SUMMARY_NOISE_SCALE"]), 1 - TIMES_IN_TEN / 10)
    return {"margin": margin, "times_in_ten": TIMES_IN_TEN}


def _summary(slug: str | None) -> counts.Summary:
    found = counts.summary(get_db(), slug, **_settings())
    if found is None:
        abort(404)
    return found


def _known() -> dict[str, progress.Status]:
    return progress.statuses(current_app.config["ACTION_STATUSES"])


def _page(found: counts.Summary):
    return render_template("leadership/summary.html", summary=found, noise=_noise(),
                           actions=reports.by_theme(get_db(), clock.today(), _known()),
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
    found = exports.brief(get_db(), slug, **_settings(), by=auth.staff().actor, now=clock.now())
    if found is None:
        abort(404)
    top = exports.top_themes(found)
    actions = reports.for_brief(get_db(), slug, [row.theme.name for row in top], clock.today(), _known())
    return render_template("leadership/brief.html", summary=found, top=top, actions=actions, noise=_noise())


@bp.get("/plan-report")
@roles(*STAFF)
def plan_report():
    asked = request.args.get("quarter", "").strip()
    quarter = reports.parse_quarter(asked) if asked else reports.quarter_of(clock.today())
    found = reports.report(get_db(), quarter, clock.today(), _known(), by=auth.staff().actor,
                           now=clock.now()) if quarter else None
    if found is None:  # a clear page rather than the bare 404: say what a quarter looks like
        return render_template("leadership/plan_report_missing.html", asked=asked,
                               current=reports.quarter_of(clock.today())), 404
    return render_template("leadership/plan_report.html", report=found)


def _csv(rows, filename: str) -> Response:
    return Response(rows, mimetype="text/csv", headers={"Content-Disposition": f"attachment; filename={filename}"})


@bp.get("/themes.csv")
@roles(*STAFF)
def themes_csv():
    rows = exports.export_themes(get_db(), **_settings(), by=auth.staff().actor, now=clock.now(),
                                 columns=_headers(exports.THEME_HEADERS))
    return _csv(stream_rows(rows), "themes.csv")


@bp.get("/actions.csv")
@roles(*STAFF)
def actions_csv():
    rows = reports.export_actions(get_db(), today=clock.today(), known=_known(), by=auth.staff().actor,
                                  now=clock.now(), columns=_headers(reports.ACTION_HEADERS))
    return _csv(stream_rows(rows), "actions.csv")


@bp.get("/<slug>/submissions.csv")
@roles(*MODERATORS)
def submissions_csv(slug: str):
    hall = desk.town_hall(get_db(), slug)
    if hall is None:
        abort(404)
    rows = exports.export_submissions(get_db(), hall, k=current_app.config["SUMMARY_K"], by=auth.staff().actor,
                                      now=clock.now(), columns=_headers(exports.SUBMISSION_HEADERS))
    return _csv(stream_rows(rows), f"{slug}-submissions.csv")
