"""The audit log: chained, verifiable, browsable and exportable by admins only."""

from __future__ import annotations

import csv
import io
import json

import sqlalchemy as sa

from feedback import audit, clock, crypto
from feedback.db import writing
from feedback.models import AuditEvent
from feedback.views.admin import AUDIT_LABELS
from tests.staff import staff_client

ACTOR = audit.Actor("fola@example.org", 7)


def append(db_session, n: int) -> None:
    with writing(db_session):
        for i in range(n):
            audit.record(db_session, ACTOR, audit.Action.STATUS_CHANGED, now=clock.now(), reason=f"reason {i}",
                         details={"to": "published"})


def test_each_event_carries_the_hash_of_the_one_before(db_session):
    append(db_session, 3)
    events = list(db_session.scalars(sa.select(AuditEvent).order_by(AuditEvent.id)))
    assert events[0].prev_hash == audit.GENESIS
    assert [e.prev_hash for e in events[1:]] == [e.hash for e in events[:-1]]
    assert audit.first_broken_link(db_session) is None


def test_audit_verify_reports_an_altered_row(runner, db_session):
    append(db_session, 4)
    intact = runner.invoke(args=["audit-verify"]).output
    last = db_session.scalar(sa.select(AuditEvent.hash).order_by(AuditEvent.id.desc()).limit(1))
    assert f"intact: 4 events, last hash {last}" in intact
    db_session.execute(sa.text("UPDATE audit_event SET reason = 'covered up' WHERE id = 3"))
    db_session.commit()
    result = runner.invoke(args=["audit-verify"])
    assert result.exit_code == 1
    assert "broken at event 3" in result.output


def test_audit_verify_reports_a_removed_row(runner, db_session):
    append(db_session, 4)
    db_session.execute(sa.text("DELETE FROM audit_event WHERE id = 2"))
    db_session.commit()
    result = runner.invoke(args=["audit-verify"])
    assert result.exit_code == 1 and "broken at event 3" in result.output


def test_an_admin_filters_the_log_by_action_and_person(app, db_session):
    admin = staff_client(app, "admin", "ada@example.org")
    append(db_session, 2)
    page = admin.get("/admin/audit?action=status_changed").get_data(as_text=True)
    assert page.count('<td title="status_changed">Status changed</td>') == 2 and '<td title="login">' not in page
    page = admin.get("/admin/audit?actor=ada@").get_data(as_text=True)
    assert '<td title="login">Logged in</td>' in page and '<td title="status_changed">' not in page


def test_every_audit_action_has_a_label_for_people_and_the_filter_keeps_the_stored_name(app, db_session):
    assert set(AUDIT_LABELS) == set(audit.Action)
    admin = staff_client(app, "admin", "ada@example.org")
    page = admin.get("/admin/audit?action=login").get_data(as_text=True)
    assert '<option value="login" selected>Logged in</option>' in page


def test_the_csv_export_streams_every_event_and_is_itself_audited(app, db_session):
    admin = staff_client(app, "admin", "ada@example.org")
    with writing(db_session):
        audit.record(db_session, ACTOR, "status_changed", now=clock.now(), reason='=HYPERLINK("http://x")')
    response = admin.get("/admin/audit.csv")
    assert response.headers["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert rows[0][:4] == ["id", "occurred_at", "actor", "action"]
    reasons = [row[5] for row in rows[1:]]
    assert '\'=HYPERLINK("http://x")' in reasons  # neutralised for spreadsheets
    db_session.rollback()
    exported = db_session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "audit_exported"))
    assert exported.actor == "ada@example.org"


def test_rewriting_the_whole_chain_without_the_key_ring_does_not_verify(runner, db_session):
    """Someone who can write to the database, but has not the key ring, cannot forge a valid chain."""
    append(db_session, 3)
    events = list(db_session.scalars(sa.select(AuditEvent).order_by(AuditEvent.id)))
    events[1].reason = "covered up"
    prev = audit.GENESIS
    forged_key = b"\x00" * 32  # any key but the one in the key ring
    for event in events:
        payload = {"occurred_at": event.occurred_at.isoformat(timespec="seconds"), "actor_id": event.actor_id,
                   "actor": event.actor, "action": event.action, "submission_id": None, "reason": event.reason,
                   "details": event.details}
        event.prev_hash = prev
        event.hash = prev = crypto.chain_hash(forged_key, prev, json.dumps(payload, sort_keys=True,
                                                                           ensure_ascii=False, separators=(",", ":")))
    db_session.commit()
    result = runner.invoke(args=["audit-verify"])
    assert result.exit_code == 1 and "broken at event 1" in result.output


# Every action as chains already written hold it: the chain hashes this text, and the admin page filters by it.
STORED_ACTIONS = {
    "USER_CREATED": "user_created", "LOGIN": "login", "LOGIN_REFUSED": "login_refused", "LOGOUT": "logout",
    "ROLE_CHANGED": "role_changed", "USER_ACTIVATED": "user_activated", "USER_DEACTIVATED": "user_deactivated",
    "PASSWORD_RESET": "password_reset", "SETTING_CHANGED": "setting_changed", "STATUS_CHANGED": "status_changed",
    "REDACTED": "redacted", "REPLY_SENT": "reply_sent", "REVEAL_REQUESTED": "reveal_requested",
    "REVEAL_APPROVED": "reveal_approved", "REVEAL_DENIED": "reveal_denied",
    "IDENTITY_REVEALED": "identity_revealed", "THEME_CREATE": "theme.create", "THEME_UPDATE": "theme.update",
    "THEME_ARCHIVE": "theme.archive", "THEME_UNARCHIVE": "theme.unarchive", "THEME_MERGE": "theme.merge",
    "THEME_EXPORT": "theme.export", "THEME_IMPORT": "theme.import", "TAG": "tag", "UNTAG": "untag",
    "SUGGESTION_DISMISSED": "suggestion_dismissed", "DUPLICATE_GROUPED": "duplicate_grouped",
    "DUPLICATE_UNGROUPED": "duplicate_ungrouped", "EXPORT_BRIEF": "export.brief",
    "EXPORT_THEMES_CSV": "export.themes_csv", "EXPORT_SUBMISSIONS_CSV": "export.submissions_csv",
    "EXPORT_PLAN_REPORT": "export.plan_report", "EXPORT_ACTIONS_CSV": "export.actions_csv",
    "AUDIT_EXPORTED": "audit_exported", "IDENTITIES_ERASED": "identities_erased",
    "IDENTITIES_PURGED": "identities_purged", "KEYS_ROTATED": "keys_rotated", "KEYS_RETIRED": "keys_retired",
    "SUMMARY_RELEASED": "summary.released", "TOWN_HALL_CREATED": "town_hall.created",
    "TOWN_HALL_EDITED": "town_hall.edited", "TOWN_HALL_OPENED": "town_hall.opened",
    "TOWN_HALL_CLOSED": "town_hall.closed", "TOWN_HALL_ARCHIVED": "town_hall.archived",
    "ACTION_CREATED": "action.created", "ACTION_EDITED": "action.edited", "ACTION_PUBLISHED": "action.published",
    "ACTION_UNPUBLISHED": "action.unpublished", "ACTION_UPDATE_POSTED": "action.update_posted",
    "ACTION_LINKED": "action.linked", "ACTION_UNLINKED": "action.unlinked", "ANSWER_RELEASED": "answers.released",
    "BULK_UNDONE": "bulk.undone", "NOTIFICATIONS_CHOSEN": "notifications.chosen",
    "MAIL_TO_SUBMITTER_HANDLED": "mail.to_submitter_handled", "MAIL_RETRIED": "mail.retried",
    "LIVE_STARTED": "live.started", "LIVE_ENDED": "live.ended", "LIVE_PRESENTER_LINK_MADE": "live.presenter_link_made",
    "LIVE_PRESENTER_LINK_REVOKED": "live.presenter_link_revoked", "LIVE_SHOWN": "live.shown",
    "LIVE_ANSWERED": "live.answered", "LIVE_MOVED": "live.moved", "LIVE_NOTE": "live.note",
    "LIVE_VOTES_CHECKED": "live.votes_checked",
}


def test_the_action_registry_keeps_the_names_existing_chains_hold():
    assert {action.name: action.value for action in audit.Action} == STORED_ACTIONS


def test_an_event_recorded_through_the_registry_stores_and_hashes_the_text_an_older_event_has(db_session):
    with writing(db_session):
        audit.record(db_session, ACTOR, "theme.create", now=clock.now())  # as recorded before the registry
        audit.record(db_session, ACTOR, audit.Action.THEME_CREATE, now=clock.now())
    db_session.expire_all()
    stored = db_session.execute(sa.text("SELECT action FROM audit_event ORDER BY id")).scalars().all()
    assert stored == ["theme.create", "theme.create"]
    assert audit.first_broken_link(db_session) is None
