"""The flask commands: init, db upgrade and revision, create-town-hall, demo, rotate-keys, purge."""

from __future__ import annotations

import ast
import os
import stat
import subprocess
import sys
from datetime import timedelta

import sqlalchemy as sa
from alembic.script import ScriptDirectory

from feedback import cli, clock, create_app, keyfile, keyring
from feedback.db import MIGRATIONS, writing
from feedback.demo import loader
from feedback.models import (
    AuditEvent,
    Identity,
    NotificationPreference,
    OutgoingMail,
    Release,
    SimilarityBucket,
    StaffUser,
    Submission,
    TownHall,
)
from feedback.services.notify import choices, events
from feedback.services.privacy.identities import unseal
from feedback.services.summary import releases
from feedback.services.summary.disclosure import Mechanism
from tests import smtp
from tests.conftest import base_config
from tests.factories import make_submission, make_town_hall
from tests.staff import make_staff


def run_flask(*args: str, env: dict | None = None, cwd=None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "flask", "--app", "feedback", *args], capture_output=True,
                          text=True, env={**os.environ, **(env or {})}, cwd=cwd, timeout=120)


def test_init_writes_a_secret_and_a_private_key_ring_and_never_overwrites(tmp_path):
    instance = tmp_path / "instance"
    env = {"FEEDBACK_KEYRING_PATH": ""}
    first = run_flask("init", "--instance-path", str(instance), env=env)
    assert first.returncode == 0, first.stderr
    config, keyring = instance / "config.py", instance / "keyring.json"
    assert "SECRET_KEY = " in config.read_text()
    assert stat.S_IMODE(keyring.stat().st_mode) == 0o600
    assert stat.S_IMODE(config.stat().st_mode) == 0o600
    assert stat.S_IMODE(instance.stat().st_mode) == 0o700
    ring = keyfile.load(keyring)
    assert len(set(ring.all_keys())) == 3
    before = keyring.read_bytes(), config.read_bytes()
    second = run_flask("init", "--instance-path", str(instance), env=env)
    assert second.returncode == 0 and "Kept" in second.stdout
    assert (keyring.read_bytes(), config.read_bytes()) == before


def test_the_app_refuses_to_start_before_init_and_names_the_command(tmp_path):
    env = {"FEEDBACK_INSTANCE_PATH": str(tmp_path), "FEEDBACK_SECRET_KEY": "", "FEEDBACK_KEYRING_PATH": ""}
    result = run_flask("db", "upgrade", env=env)
    assert result.returncode != 0
    assert "flask --app feedback init" in result.stderr


def test_db_upgrade_creates_the_schema_from_nothing(tmp_path):
    database = tmp_path / "fresh.sqlite3"
    env = {"FEEDBACK_INSTANCE_PATH": str(tmp_path), "FEEDBACK_DATABASE_URL": f"sqlite:///{database}"}
    assert run_flask("init", "--instance-path", str(tmp_path), env=env).returncode == 0
    result = run_flask("db", "upgrade", env=env)
    assert result.returncode == 0, result.stderr
    tables = set(sa.inspect(sa.create_engine(f"sqlite:///{database}")).get_table_names())
    assert {"town_hall", "submission", "identity", "alembic_version"} <= tables


def test_create_town_hall_prints_its_address(runner, db_session):
    result = runner.invoke(args=["create-town-hall", "--title", "Racism on the wards", "--date", "2026-12-01",
                                 "--opens", "2026-11-20", "--closes", "2026-12-15", "--description", "Speak up."])
    assert result.exit_code == 0, result.output
    assert "/t/racism-on-the-wards" in result.output
    hall = db_session.scalar(sa.select(TownHall))
    assert (hall.title, str(hall.intake_closes_on), hall.description) == ("Racism on the wards", "2026-12-15",
                                                                           "Speak up.")
    created = db_session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "town_hall.created")).all()
    assert [(e.actor, hall.slug in e.details) for e in created] == [("system", True)]


def test_create_town_hall_refuses_a_window_that_closes_before_it_opens(runner, db_session):
    result = runner.invoke(args=["create-town-hall", "--title", "Backwards", "--date", "2026-12-01",
                                 "--opens", "2026-12-10", "--closes", "2026-12-01"])
    assert result.exit_code != 0
    assert "closes before it opens" in result.output
    assert db_session.scalar(sa.select(sa.func.count()).select_from(TownHall)) == 0


def test_create_town_hall_refuses_an_over_long_title(runner, db_session):
    result = runner.invoke(args=["create-town-hall", "--title", "T" * 201, "--date", "2026-12-01",
                                 "--opens", "2026-11-20", "--closes", "2026-12-15"])
    assert result.exit_code != 0 and "at most 200 characters" in result.output


def test_two_town_halls_with_one_title_get_different_addresses(runner):
    args = ["create-town-hall", "--title", "Equity", "--date", "2026-12-01", "--opens", "2026-11-20",
            "--closes", "2026-12-15"]
    assert "/t/equity\n" in runner.invoke(args=args).output
    assert "/t/equity-2" in runner.invoke(args=args).output


def test_reindex_similarity_indexes_submissions_stored_before_the_index(runner, db_session, ring):
    hall = make_town_hall(db_session, "Racism on the wards")
    other = make_town_hall(db_session, "Pay and hours")
    for n in range(3):
        make_submission(db_session, ring, hall, f"The night rota ignores requests for leave, again {n}")
    make_submission(db_session, ring, other, "Overtime is never paid on the surgical wards")
    stored = db_session.scalar(sa.select(sa.func.count()).select_from(SimilarityBucket))
    db_session.execute(sa.delete(SimilarityBucket))  # as a database upgraded to 0011 holds them: none
    db_session.commit()

    one = runner.invoke(args=["reindex-similarity", "--town-hall", hall.slug])
    assert one.exit_code == 0, one.output
    assert one.output == "Indexed 3 submissions for near-duplicates and suggestions.\n"
    every = runner.invoke(args=["reindex-similarity"])
    assert every.output == "Indexed 4 submissions for near-duplicates and suggestions.\n"
    db_session.rollback()
    assert db_session.scalar(sa.select(sa.func.count()).select_from(SimilarityBucket)) == stored > 0
    unknown = runner.invoke(args=["reindex-similarity", "--town-hall", "no-such-hall"])
    assert unknown.exit_code != 0 and "There is no town hall at /t/no-such-hall." in unknown.output


def test_release_summary_prints_the_release_and_its_epsilon_and_refuses_past_the_budget(app, runner, db_session,
                                                                                         ring):
    hall = make_town_hall(db_session, "Racism on the wards")
    for n in range(3):
        make_submission(db_session, ring, hall, f"Concern {n}")
    epsilon = Mechanism.from_config(app.config).epsilon()
    allowed = releases.Budget(0.0, app.config["SUMMARY_BUDGET"], epsilon).releases_left

    outputs = [runner.invoke(args=["release-summary", hall.slug]) for _ in range(allowed)]

    assert [result.exit_code for result in outputs] == [0] * allowed, [result.output for result in outputs]
    assert outputs[0].output.startswith(f"Released Racism on the wards: release 1, epsilon {round(epsilon, 2):g} "
                                        "spent (")
    assert f"release {allowed}," in outputs[-1].output and "0 releases left" in outputs[-1].output
    refused = runner.invoke(args=["release-summary", hall.slug])
    assert refused.exit_code == 1
    assert "Racism on the wards has spent its privacy budget" in refused.output
    db_session.rollback()
    assert db_session.scalars(sa.select(Release.number).order_by(Release.number)).all() == list(range(1, allowed + 1))
    events = db_session.scalars(sa.select(AuditEvent.actor).where(AuditEvent.action == "summary.released")).all()
    assert events == ["system"] * allowed


def test_release_summary_of_an_unknown_town_hall_says_so(runner, db_session):
    result = runner.invoke(args=["release-summary", "no-such-hall"])
    assert result.exit_code == 1 and "There is no town hall at /t/no-such-hall." in result.output
    assert db_session.scalar(sa.select(sa.func.count()).select_from(Release)) == 0


def test_demo_loads_four_town_halls_and_their_submissions_once(runner, db_session):
    result = runner.invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    count = lambda model: db_session.scalar(sa.select(sa.func.count()).select_from(model))  # noqa: E731
    assert (count(TownHall), count(Submission)) == (4, 260)  # 253, and 7 live questions
    named = count(Identity)
    assert 20 <= named < 100
    affiliations = set(db_session.scalars(sa.select(Submission.affiliation).distinct()))
    assert len(affiliations - {None}) >= 4
    assert "already loaded" in runner.invoke(args=["demo"]).output
    assert count(Submission) == 260


def test_demo_refuses_an_instance_with_a_staff_account_of_its_own_and_writes_nothing(app, runner, db_session):
    make_staff(app, "admin", "dean@university.edu")
    result = runner.invoke(args=["demo"])
    assert result.exit_code == 1
    assert "1 staff account (dean@university.edu)" in result.output and "demo --force" in result.output
    assert "Loaded" not in result.output and loader.DEMO_PASSWORD not in result.output
    count = lambda model: db_session.scalar(sa.select(sa.func.count()).select_from(model))  # noqa: E731
    assert (count(TownHall), count(Submission), count(StaffUser)) == (0, 0, 1)


def test_demo_force_loads_it_beside_a_real_submission(runner, db_session, ring):
    make_submission(db_session, ring, make_town_hall(db_session, "Real one"), "A real concern")
    assert runner.invoke(args=["demo"]).exit_code == 1
    result = runner.invoke(args=["demo", "--force"])
    assert result.exit_code == 0, result.output
    # 253 loaded, then the demo live session's 7 questions: 261 with the real one
    assert "Loaded 253 demo submissions." in result.output and "Demo admin: admin@example.org" in result.output
    assert db_session.scalar(sa.select(sa.func.count()).select_from(Submission)) == 261


def test_rotate_keys_leaves_every_identity_readable_and_none_under_the_old_key(app, runner, db_session, ring):
    hall = make_town_hall(db_session)
    for n in range(3):
        make_submission(db_session, ring, hall, f"Concern {n}", name=f"Person {n}", email=f"p{n}@example.org")
    old_id = ring.active_id
    result = runner.invoke(args=["rotate-keys", "--retire-old"])
    assert result.exit_code == 0, result.output
    new_ring = keyfile.load(app.config["KEYRING_PATH"])
    assert new_ring.active_id != old_id and old_id not in new_ring.master_keys
    db_session.expire_all()
    identities = list(db_session.scalars(sa.select(Identity)))
    assert {i.key_id for i in identities} == {new_ring.active_id}
    assert sorted(unseal(new_ring, i).name for i in identities) == ["Person 0", "Person 1", "Person 2"]
    with app.test_request_context():  # a running worker picks the new ring up on its next request
        assert keyring.current() == new_ring


def test_a_town_hall_never_takes_a_slug_the_staff_pages_use(runner):
    args = ["create-town-hall", "--title", "Reveals", "--date", "2026-12-01", "--opens", "2026-11-20",
            "--closes", "2026-12-15"]
    assert "/t/reveals-2" in runner.invoke(args=args).output


def test_a_bad_retention_period_stops_the_purge_and_names_the_setting(tmp_path):
    env = {"FEEDBACK_INSTANCE_PATH": str(tmp_path), "FEEDBACK_KEYRING_PATH": "",
           "FEEDBACK_DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}"}
    assert run_flask("init", "--instance-path", str(tmp_path), env=env).returncode == 0
    result = run_flask("purge", "--dry-run", env={**env, "FEEDBACK_RETENTION_DAYS": "-1"})
    assert result.returncode != 0
    assert "RETENTION_DAYS must be a whole number of days, 0 or more (it is -1)" in result.stderr


def test_db_revision_on_a_database_at_head_writes_an_empty_migration_after_the_newest(database_url, tmp_path):
    """Models and migrations agree: autogenerate finds nothing to add (on every backend)."""
    app = create_app(base_config(tmp_path, database_url))
    runner, versions = app.test_cli_runner(), tmp_path / "versions"
    versions.mkdir()
    try:
        assert runner.invoke(args=["db", "upgrade"]).exit_code == 0
        result = runner.invoke(args=["db", "revision", "-m", "Nothing new", "--versions-dir", str(versions)])
    finally:
        app.extensions["feedback_engine"].dispose()
    assert result.exit_code == 0, result.output
    head = ScriptDirectory(str(MIGRATIONS)).get_current_head()
    [written] = versions.glob("*.py")
    assert written.name == f"{int(head) + 1:04d}_nothing_new.py" and str(written) in result.output
    module = ast.parse(written.read_text())
    upgrade = next(node for node in module.body if isinstance(node, ast.FunctionDef) and node.name == "upgrade")
    assert [type(statement) for statement in upgrade.body] == [ast.Pass], written.read_text()
    assert f"down_revision = {head!r}" in written.read_text()
    assert not list((MIGRATIONS / "versions").glob("*nothing_new*"))


def test_db_revision_refuses_a_database_that_is_not_at_head(runner, tmp_path):
    result = runner.invoke(args=["db", "revision", "-m", "Too early", "--versions-dir", str(tmp_path)])
    assert result.exit_code == 1
    assert "not up to date" in result.output
    assert not list(tmp_path.glob("*too_early*"))


mail_server = smtp.mail_server  # a local SMTP server, as a fixture


def _escalation_for(app, session, told_email: str) -> None:
    """An escalation that a moderator who chose escalations is to be told about."""
    actor = make_staff(app, "facilitator", "actor@example.org")
    told = make_staff(app, "admin", told_email)
    chosen = choices.Choices(escalations=True, answers=True, daily_digest=True)
    choices.choose(session, chosen, role="admin", by=told.actor, now=clock.now())
    hall = make_town_hall(session)
    submission_id = make_submission(session, app.extensions["feedback_keyring"], hall).submission_id
    with writing(session):
        events.escalated(session, [submission_id], by=actor.actor, now=clock.now())


def test_send_mail_sends_what_is_queued_through_the_configured_server(make_app, mail_server):
    app = make_app(**mail_server.config())
    session = app.extensions["feedback_db"]()
    try:
        _escalation_for(app, session, "told@example.org")
        result = app.test_cli_runner().invoke(args=["send-mail"])
        again = app.test_cli_runner().invoke(args=["send-mail"])
        session.rollback()
        told_for, told_until = session.execute(sa.select(NotificationPreference.digest_told_for,
                                                         NotificationPreference.answers_told_until)).one()
    finally:
        session.close()
    assert result.exit_code == 0, result.output
    # The digest's and the answers' turns came (nothing to tell: nothing received yesterday, no answer waiting).
    assert told_for == clock.today() - timedelta(days=1) and told_until is not None
    assert "Sent 1;" in result.output and "Sent 0;" in again.output
    assert [(m.to, m.subject) for m in mail_server.received] == [("told@example.org", "1 submission was escalated")]


def test_send_mail_sends_nothing_while_mail_server_is_empty(make_app, mail_server):
    app = make_app(MAIL_SERVER="")
    session = app.extensions["feedback_db"]()
    try:
        _escalation_for(app, session, "told@example.org")
        result = app.test_cli_runner().invoke(args=["send-mail"])
        queued = session.scalar(sa.select(sa.func.count()).select_from(OutgoingMail).where(
            OutgoingMail.status == "queued"))
    finally:
        session.close()
    assert result.exit_code == 0 and "MAIL_SERVER is not set" in result.output
    assert queued == 1 and mail_server.received == []


def test_send_mail_with_loop_makes_a_pass_every_so_many_seconds(make_app, mail_server, monkeypatch):
    app = make_app(**mail_server.config())
    pauses: list[float] = []

    def sleep(seconds: float) -> None:
        pauses.append(seconds)
        if len(pauses) == 2:
            raise SystemExit(0)  # stop the worker after its second pass

    monkeypatch.setattr(cli.time, "sleep", sleep)
    result = app.test_cli_runner().invoke(args=["send-mail", "--loop", "30"])
    assert result.exit_code == 0, result.output
    assert result.output.count("Sent 0;") == 2 and pauses == [30.0, 30.0]


def test_send_mail_with_loop_outlives_a_pass_that_failed(make_app, mail_server, monkeypatch):
    app = make_app(**mail_server.config())
    passes: list[str] = []

    def failing_once(server):
        passes.append("pass")
        if len(passes) == 1:
            raise ConnectionError("the database is restarting")
        raise SystemExit(0)

    monkeypatch.setattr(cli, "_send_mail_once", failing_once)
    monkeypatch.setattr(cli.time, "sleep", lambda seconds: None)
    result = app.test_cli_runner().invoke(args=["send-mail", "--loop", "5"])
    assert result.exit_code == 0 and len(passes) == 2
    assert "This pass failed (ConnectionError); trying again in 5 seconds." in result.output
    assert "restarting" not in result.output  # class names only: an error's text may hold an address
