"""Deny by default: every URL rule, as anonymous, leader, facilitator and admin, gets the expected answer."""

from __future__ import annotations

import uuid

import pytest

from tests.staff import staff_client

PUBLIC = "public"
ADMIN = {"admin"}
MODERATORS = {"admin", "facilitator"}
STAFF = {"admin", "facilitator", "leader"}
PUBLISHERS = {"admin", "leader"}

# Every endpoint of the app, classified. A new route that is not listed here fails the test.
EXPECTED = {
    "static": PUBLIC,
    "public.index": PUBLIC,
    "public.town_hall": PUBLIC,
    "receipts.check": PUBLIC,
    "auth.login": PUBLIC,
    "language.switch": PUBLIC,
    "auth.logout": STAFF,
    "auth.home": STAFF,
    "admin.users": ADMIN,
    "admin.change_role": ADMIN,
    "admin.deactivate": ADMIN,
    "admin.reactivate": ADMIN,
    "admin.reset_password": ADMIN,
    "admin.settings_page": ADMIN,
    "admin.audit_log": ADMIN,
    "admin.audit_csv": ADMIN,
    "notifications.choose": STAFF,
    "notifications.failures": ADMIN,
    "notifications.retry": ADMIN,
    # --- moderation desk ---
    "facilitate.index": MODERATORS,
    "facilitate.desk": MODERATORS,
    "facilitate.bulk": MODERATORS,
    "facilitate.undo": MODERATORS,
    "facilitate.save_and_next": MODERATORS,
    "facilitate.submission": MODERATORS,
    "facilitate.redact": MODERATORS,
    "facilitate.set_status": MODERATORS,
    "facilitate.reply": MODERATORS,
    "releases.page": MODERATORS,
    "releases.release": MODERATORS,
    # --- identity escrow, replies, withdrawal ---
    "escrow.reveal": MODERATORS,
    "escrow.open_approved": MODERATORS,
    "escrow.requests": MODERATORS,
    "escrow.approve": MODERATORS,
    "escrow.deny": MODERATORS,
    "receipts.reply": PUBLIC,
    "receipts.withdraw": PUBLIC,
    # --- codebook ---
    "codebook.index": MODERATORS,
    "codebook.create": MODERATORS,
    "codebook.edit": MODERATORS,
    "codebook.update": MODERATORS,
    "codebook.merge": MODERATORS,
    "codebook.archive": MODERATORS,
    "codebook.unarchive": MODERATORS,
    "codebook.export": MODERATORS,
    "codebook.import_csv": MODERATORS,
    # --- tagging ---
    "tagging.set_themes": MODERATORS,
    "tagging.bulk_tag": MODERATORS,
    "tagging.accept": MODERATORS,
    "tagging.dismiss": MODERATORS,
    "tagging.group": MODERATORS,
    "tagging.ungroup": MODERATORS,
    # --- leadership ---
    "leadership.index": STAFF,
    "leadership.town_hall": STAFF,
    "leadership.brief": STAFF,
    "leadership.themes_csv": STAFF,
    "leadership.submissions_csv": MODERATORS,
    # --- town halls run from the web ---
    "town_halls.index": MODERATORS,
    "town_halls.new": MODERATORS,
    "town_halls.create": MODERATORS,
    "town_halls.edit": MODERATORS,
    "town_halls.update": MODERATORS,
    "town_halls.open_now": MODERATORS,
    "town_halls.close_now": MODERATORS,
    "town_halls.archive": MODERATORS,
    # --- the action plan: in public, and for staff (facilitators draft; leaders and admins publish) ---
    "plan.index": PUBLIC,
    "plan.action": PUBLIC,
    "plan.feedback": PUBLIC,
    "plan.feed": PUBLIC,
    "plan.response": PUBLIC,
    "plan.did_this_help": PUBLIC,
    "receipts.help_question": PUBLIC,
    "receipts.did_this_help": PUBLIC,
    "plan_staff.release_answers": MODERATORS,
    "leadership.plan_report": STAFF,
    "leadership.actions_csv": STAFF,
    "plan_staff.index": STAFF,
    "plan_staff.new": STAFF,
    "plan_staff.create": STAFF,
    "plan_staff.show": STAFF,
    "plan_staff.edit": STAFF,
    "plan_staff.save": STAFF,
    "plan_staff.link": STAFF,
    "plan_staff.unlink": STAFF,
    "plan_staff.publish": PUBLISHERS,
    "plan_staff.unpublish": PUBLISHERS,
    "plan_staff.post_update": PUBLISHERS,
    # --- live sessions: the audience and the presenter screen (its token) need no login ---
    "live.join": PUBLIC,
    "live.audience": PUBLIC,
    "live.ask": PUBLIC,
    "live.vote": PUBLIC,
    "live.feed": PUBLIC,
    "live.qr": PUBLIC,
    "presenter.screen": PUBLIC,
    "presenter.feed": PUBLIC,
    "live_staff.index": MODERATORS,
    "live_staff.start": MODERATORS,
    "live_staff.end": MODERATORS,
    "live_staff.queue_feed": MODERATORS,
    "live_staff.print_code": MODERATORS,
    "live_staff.presenter_link": MODERATORS,
    "live_staff.revoke_presenter_link": MODERATORS,
    "live_staff.act": MODERATORS,
}
ARGUMENTS = {"IntegerConverter": 1, "UUIDConverter": uuid.uuid4(), "PathConverter": "css/site.css"}


ALLOWED_ANSWERS = {200, 302, 400, 404, 405, 409, 422, 429}


def _argument(converter):
    """A plausible value for one converter: one of the words an any() converter accepts, else by its type."""
    if type(converter).__name__ == "AnyConverter":
        return min(converter.items)
    return ARGUMENTS.get(type(converter).__name__, "x")


def url_for_rule(app, rule) -> str:
    """The rule's URL with a plausible value for each argument."""
    values = {name: _argument(converter) for name, converter in rule._converters.items()}
    return app.url_map.bind("localhost").build(rule.endpoint, values, method=sorted(rule.methods)[0])


def answers(app, client, rule) -> list[tuple[str, int, str]]:
    url = url_for_rule(app, rule)
    results = []
    for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
        response = client.open(url, method=method)
        response.get_data()  # read streamed bodies (CSV exports) to the end, so their transaction ends
        results.append((method, response.status_code, response.headers.get("Location", "")))
        response.close()
    return results


@pytest.fixture
def clients(app):
    return {"anonymous": app.test_client(), **{role: staff_client(app, role) for role in sorted(STAFF)}}


def test_every_route_is_classified(app):
    unclassified = sorted({rule.endpoint for rule in app.url_map.iter_rules()} - set(EXPECTED))
    assert unclassified == [], "classify these endpoints in EXPECTED"


def test_every_route_answers_each_role_as_classified(app, clients):
    for rule in app.url_map.iter_rules():
        allowed = EXPECTED[rule.endpoint]
        for who, client in clients.items():
            for method, status, location in answers(app, client, rule):
                where = f"{who} {method} {rule.rule} -> {status} {location}"
                # Anonymous visitors are sent to the login page (GET) or shown the "session ended" page (POST).
                denied_as_anonymous = (status == 302 and "/login" in location) or (method == "POST" and status == 401)
                if allowed == PUBLIC or who in allowed:
                    # Reached the view: it answers (with dummy arguments, often "not found" or "bad input").
                    assert status in ALLOWED_ANSWERS and not denied_as_anonymous, where
                elif who == "anonymous":
                    assert denied_as_anonymous, where
                else:
                    assert status == 403, where


def test_staff_pages_show_the_login_form_to_anonymous_visitors(client):
    response = client.get("/admin/users", follow_redirects=True)
    assert "Staff login" in response.get_data(as_text=True)
