"""`flask backup` and `flask restore`: a consistent copy while submissions keep arriving, and a round trip."""

from __future__ import annotations

import secrets
import shutil
import sqlite3
import threading
import time

import pytest
import sqlalchemy as sa

from feedback import create_app, crypto, keyfile
from feedback.models import Base, Identity, Submission
from feedback.services.admin import backup
from feedback.services.privacy.identities import unseal
from tests.conftest import POSTGRES_SERVER_URL, base_config
from tests.factories import make_submission, make_town_hall


def bodies(path) -> list[str]:
    connection = sqlite3.connect(path)
    try:
        return [row[0] for row in connection.execute("SELECT body FROM submission")]
    finally:
        connection.close()


class Writer(threading.Thread):
    """Submits one concern after another through the intake service, noting each one's commit."""

    def __init__(self, app, hall) -> None:
        super().__init__(daemon=True)
        self.app, self.hall = app, hall
        self.committed: list[tuple[float, str]] = []
        self.stop = threading.Event()
        self.error: BaseException | None = None

    def run(self) -> None:
        session = self.app.extensions["feedback_db"]()
        ring = self.app.extensions["feedback_keyring"]
        try:
            n = 0
            while not self.stop.is_set():
                body = f"Concern number {n} under load"
                make_submission(session, ring, self.hall, body, name=f"Person {n}" if n % 3 == 0 else None,
                                email=f"p{n}@example.org" if n % 3 == 0 else "")
                self.committed.append((time.monotonic(), body))
                n += 1
        except BaseException as error:  # reported by the test
            self.error = error
        finally:
            session.close()

    def wait_for(self, count: int) -> None:
        deadline = time.monotonic() + 60
        while len(self.committed) < count:
            assert self.error is None, self.error
            assert time.monotonic() < deadline, "the writer is stuck"
            time.sleep(0.01)


def test_a_backup_taken_during_writes_is_sound_and_holds_everything_committed_before_it(sqlite_app, tmp_path):
    hall = make_town_hall(sqlite_app.extensions["feedback_db"]())
    writer = Writer(sqlite_app, hall)
    writer.start()
    try:
        writer.wait_for(30)
        started = time.monotonic()
        result = backup.backup(sqlite_app.config["DATABASE_URL"], tmp_path / "copy.sqlite3")
        writer.wait_for(len(writer.committed) + 20)  # writes went on during and after the copy
    finally:
        writer.stop.set()
        writer.join(timeout=30)
    assert writer.error is None
    copy = tmp_path / "copy.sqlite3"
    assert backup.integrity(copy) == "ok"
    assert (copy.stat().st_mode & 0o777) == 0o600
    assert not copy.with_name("copy.sqlite3-wal").exists()
    stored = set(bodies(copy))
    before = {body for at, body in writer.committed if at < started}
    assert before <= stored
    assert len(stored) == result.submissions < len(writer.committed)


def test_backup_never_overwrites_and_says_why(sqlite_app, tmp_path):
    runner = sqlite_app.test_cli_runner()
    make_submission(sqlite_app.extensions["feedback_db"](), sqlite_app.extensions["feedback_keyring"],
                    make_town_hall(sqlite_app.extensions["feedback_db"]()))
    target = tmp_path / "nightly.sqlite3"
    first = runner.invoke(args=["backup", str(target)])
    assert first.exit_code == 0, first.output
    assert "1 submissions, integrity ok" in first.output and "key ring separately" in first.output
    again = runner.invoke(args=["backup", str(target)])
    assert again.exit_code != 0 and "already exists" in again.output
    missing_folder = runner.invoke(args=["backup", str(tmp_path / "nowhere" / "b.sqlite3")])
    assert missing_folder.exit_code != 0 and "does not exist" in missing_folder.output


def test_restore_round_trip_and_identities_still_unseal_with_the_key_ring(sqlite_app, tmp_path):
    session = sqlite_app.extensions["feedback_db"]()
    ring = sqlite_app.extensions["feedback_keyring"]
    hall = make_town_hall(session)
    named = make_submission(session, ring, hall, "Named concern", name="Ada Lovelace", email="ada@example.org")
    anonymous = make_submission(session, ring, hall, "Anonymous concern")
    session.close()
    copy = tmp_path / "backup.sqlite3"
    assert sqlite_app.test_cli_runner().invoke(args=["backup", str(copy)]).exit_code == 0

    # A new host: a new database path, the key ring restored from its own (separate) backup.
    restored_dir = tmp_path / "restored"
    restored_dir.mkdir()
    shutil.copy2(sqlite_app.config["KEYRING_PATH"], restored_dir / "keyring.json")
    target = restored_dir / "feedback.sqlite3"
    restored_app = create_app(base_config(restored_dir, f"sqlite:///{target}"))
    result = restored_app.test_cli_runner().invoke(args=["restore", str(copy)])
    assert result.exit_code == 0, result.output
    assert "Restored 2 submissions" in result.output
    assert backup.integrity(target) == "ok"

    restored_ring = keyfile.load(restored_dir / "keyring.json")
    restored = restored_app.extensions["feedback_db"]()
    try:
        assert {s.id for s in restored.scalars(sa.select(Submission))} == {named.submission_id,
                                                                             anonymous.submission_id}
        identity = restored.scalar(sa.select(Identity))
        assert identity.submission_id == named.submission_id
        assert unseal(restored_ring, identity).name == "Ada Lovelace"
        stored = restored.get(Submission, named.submission_id)
        assert stored.receipt_hash == crypto.receipt_hash(restored_ring, named.code)
    finally:
        restored.close()
        restored_app.extensions["feedback_engine"].dispose()


def test_restore_refuses_to_overwrite_without_force_and_refuses_a_damaged_backup(sqlite_app, tmp_path):
    session = sqlite_app.extensions["feedback_db"]()
    make_submission(session, sqlite_app.extensions["feedback_keyring"], make_town_hall(session), "Kept")
    session.close()
    runner = sqlite_app.test_cli_runner()
    copy = tmp_path / "backup.sqlite3"
    assert runner.invoke(args=["backup", str(copy)]).exit_code == 0
    refused = runner.invoke(args=["restore", str(copy)])  # the app's own database exists
    assert refused.exit_code != 0 and "--force" in refused.output

    damaged = tmp_path / "damaged.sqlite3"
    data = bytearray(copy.read_bytes())
    data[4096:8192] = secrets.token_bytes(4096)  # scribble over a page
    damaged.write_bytes(bytes(data))
    bad = runner.invoke(args=["restore", "--force", str(damaged)])
    assert bad.exit_code != 0
    not_ours = tmp_path / "other.sqlite3"
    sqlite3.connect(not_ours).execute("CREATE TABLE t (x)").connection.close()
    other = runner.invoke(args=["restore", "--force", str(not_ours)])
    assert other.exit_code != 0 and "not a Town Hall Feedback database" in other.output
    assert bodies(sqlite_app.config["DATABASE_URL"].removeprefix("sqlite:///")) == ["Kept"]

    forced = runner.invoke(args=["restore", "--force", str(copy)])
    assert forced.exit_code == 0, forced.output


@pytest.fixture
def own_postgres_databases():
    """Two databases of this test's own on the PostgreSQL server (never the shared `test` one)."""
    if not POSTGRES_SERVER_URL:
        pytest.skip("set FEEDBACK_TEST_DATABASE_URL to test pg_dump backups (.ci/run does)")
    if not shutil.which("pg_dump") or not shutil.which("pg_restore"):
        pytest.fail("pg_dump and pg_restore are needed beside PostgreSQL (Debian's postgresql-client)")
    server = sa.make_url(POSTGRES_SERVER_URL)
    names = [f"thf_backup_{secrets.token_hex(4)}", f"thf_restore_{secrets.token_hex(4)}"]
    admin = sa.create_engine(server.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        for name in names:
            connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    yield [server.set(database=name).render_as_string(hide_password=False) for name in names]
    with admin.connect() as connection:
        for name in names:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.dispose()


def test_on_postgresql_backup_runs_pg_dump_and_pg_restore_brings_it_back(own_postgres_databases, tmp_path):
    import subprocess

    source_url, restore_url = own_postgres_databases
    app = create_app(base_config(tmp_path, source_url))
    Base.metadata.create_all(app.extensions["feedback_engine"])
    session = app.extensions["feedback_db"]()
    ring = app.extensions["feedback_keyring"]
    named = make_submission(session, ring, make_town_hall(session), "On PostgreSQL", name="Grace Hopper")
    session.close()
    dump = tmp_path / "feedback.dump"
    result = app.test_cli_runner().invoke(args=["backup", str(dump)])
    app.extensions["feedback_engine"].dispose()
    assert result.exit_code == 0, result.output
    assert (dump.stat().st_mode & 0o777) == 0o600

    restored = subprocess.run(["pg_restore", "--no-owner", "--dbname",
                               restore_url.replace("postgresql+psycopg://", "postgresql://"), str(dump)],
                              capture_output=True, text=True, timeout=120)
    assert restored.returncode == 0, restored.stderr
    engine = sa.create_engine(restore_url)
    try:
        with sa.orm.Session(engine) as check:
            identity = check.scalar(sa.select(Identity))
            assert check.scalar(sa.select(Submission.body)) == "On PostgreSQL"
            assert unseal(ring, identity).name == "Grace Hopper"
            assert identity.submission_id == named.submission_id
    finally:
        engine.dispose()

    refused = app.test_cli_runner().invoke(args=["restore", str(dump)])
    assert refused.exit_code != 0 and "pg_restore" in refused.output
