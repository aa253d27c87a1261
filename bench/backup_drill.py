"""Backup drill: back up under load, restore elsewhere, and check that nothing acknowledged is missing.

    .venv/bin/python bench/backup_drill.py [--database sqlite|postgresql|both] [--submissions 2000] [--clients 16]

1. A fresh instance (`flask init`); its key ring is copied at once to a separate "key-ring backup"
   folder, as README.md asks (the database backup never holds keys).
2. gunicorn (the repository's gunicorn.conf.py, 2 workers) takes submissions from concurrent clients;
   a quarter of them are named, so their identities are sealed.
3. A third of the way through, `flask --app feedback backup PATH` runs while the clients keep sending
   (SQLite: the online backup API; PostgreSQL: pg_dump from a private throwaway cluster).
4. The backup is restored to a new place (`flask --app feedback restore` into a new SQLite file, or
   pg_restore into a new database), with the key ring taken from the key-ring backup.
5. Checks: SQLite's integrity_check on the restored file; every submission acknowledged before the
   backup started is there exactly once, under the receipt its sender was shown; every named one's
   identity unseals with the backed-up key ring and reads back the name and email that were sent.
Exits 1 if any check fails. Ports come from DRILL_PORTS (19000-19999).
"""

from __future__ import annotations

import argparse
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import sqlalchemy as sa  # noqa: E402

from feedback import crypto, keyfile  # noqa: E402
from tests.drill import (  # noqa: E402
    BODY_PREFIX,
    Instance,
    Load,
    PrivatePostgres,
    log,
    make_submissions,
    sqlite_integrity,
)
from tests.servers import Gunicorn  # noqa: E402


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--submissions", type=int, default=2000)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--backup-at", type=float, default=1 / 3, help="fraction acknowledged when the backup starts")
    parser.add_argument("--keep", action="store_true", help="keep the work folder afterwards")
    return parser.parse_args()


def restored_rows(url: str, run_id: str) -> dict[str, list[tuple]]:
    """marker -> [(submission id, receipt_hash, identity columns or None)] in the restored database."""
    engine = sa.create_engine(url)
    query = sa.text("SELECT s.id, s.body, s.receipt_hash, i.key_id, i.wrapped_key, i.nonce, i.ciphertext "
                    "FROM submission s LEFT JOIN identity i ON i.submission_id = s.id WHERE s.body LIKE :prefix")
    rows: dict[str, list[tuple]] = {}
    try:
        with engine.connect() as connection:
            for sid, body, receipt_hash, key_id, wrapped, nonce, ciphertext in connection.execute(
                    query, {"prefix": f"{BODY_PREFIX} {run_id}-%"}):
                marker = body.split(" ", 3)[2].rstrip(":")
                sealed = (crypto.SealedIdentity(key_id, bytes(wrapped), bytes(nonce), bytes(ciphertext))
                          if key_id else None)
                rows.setdefault(marker, []).append((uuid.UUID(str(sid)), bytes(receipt_hash), sealed))
    finally:
        engine.dispose()
    return rows


def drill(workdir: Path, database: str, submissions: int, clients: int, backup_at: float) -> dict:
    run_id = f"{int(time.time())}b"
    cluster = None
    try:
        url = ""
        if database == "postgresql":
            cluster = PrivatePostgres(workdir).start()
            url = cluster.create_database("live")
        instance = Instance(workdir, url)
        slug = instance.prepare("Backup drill")
        # The key ring is backed up on its own, apart from the database (README.md, "Keys").
        keyring_backup = workdir / "keyring-backup"
        keyring_backup.mkdir(mode=0o700)
        shutil.copy2(instance.keyring_path, keyring_backup / "keyring.json")

        items = make_submissions(run_id, submissions)
        backup_path = workdir / "backups" / ("feedback.sqlite3" if database == "sqlite" else "feedback.dump")
        backup_path.parent.mkdir()
        with Gunicorn(instance.env, workdir / "gunicorn.log", workers=2) as server:
            log(f"{database}: gunicorn on port {server.port}; {submissions} submissions from {clients} clients")
            load = Load(server.port, slug, items, clients).start()
            while load.acknowledged() < submissions * backup_at and any(t.is_alive() for t in load.threads):
                time.sleep(0.02)
            backup_started = time.monotonic()
            acknowledged_before, answered_before = load.acknowledged(), load.done
            made = instance.flask("backup", str(backup_path))
            backup_seconds = time.monotonic() - backup_started
            answered_during = load.done - answered_before  # the app kept taking submissions meanwhile
            log(f"  backup took {backup_seconds:.1f} s with {acknowledged_before} acknowledged before it: "
                f"{made.stdout.strip().splitlines()[0]}")
            load.wait()

        # Restore to a new place, with the key ring from its own backup.
        if database == "sqlite":
            restored = workdir / "restored"
            restored.mkdir()
            shutil.copy2(instance.path / "config.py", restored / "config.py")
            shutil.copy2(keyring_backup / "keyring.json", restored / "keyring.json")
            restored_url = f"sqlite:///{restored / 'feedback.sqlite3'}"
            done = instance.flask("restore", str(backup_path),
                                  env={"FEEDBACK_INSTANCE_PATH": str(restored), "FEEDBACK_DATABASE_URL": restored_url})
            log(f"  {done.stdout.strip()}")
            integrity = sqlite_integrity(restored / "feedback.sqlite3")
        else:
            restored_url = cluster.create_database("restored")
            libpq = restored_url.replace("postgresql+psycopg://", "postgresql://")
            subprocess.run(["pg_restore", "--no-owner", "--exit-on-error", "--dbname", libpq, str(backup_path)],
                           check=True, capture_output=True, text=True, timeout=600)
            integrity = "n/a (pg_restore --exit-on-error succeeded)"

        ring = keyfile.load(keyring_backup / "keyring.json")
        rows = restored_rows(restored_url, run_id)
        before = [item for item in items if item.acknowledged and item.acknowledged_at < backup_started]
        missing = [item.marker for item in before if item.marker not in rows]
        duplicated = sum(len(found) - 1 for found in rows.values() if len(found) > 1)
        wrong_receipt = sum(1 for item in before if item.marker in rows
                            and rows[item.marker][0][1] != crypto.receipt_hash(ring, item.receipt))
        named = unsealed = 0
        identity_failures = []
        for item in before:
            if not item.named or item.marker not in rows:
                continue
            named += 1
            submission_id, _, sealed = rows[item.marker][0]
            try:
                identity = crypto.unseal_identity(ring, submission_id, sealed) if sealed else None
            except crypto.IdentityUnreadable as error:
                identity_failures.append(f"{item.marker}: {error}")
                continue
            if identity and (identity.name, identity.email) == (item.name, item.email):
                unsealed += 1
            else:
                identity_failures.append(f"{item.marker}: identity missing or different")
        return {
            "database": database,
            "submissions / clients": f"{submissions} / {clients}",
            "acknowledged in all": sum(1 for item in items if item.acknowledged),
            "acknowledged before the backup": len(before),
            "answered while the backup ran": answered_during,
            "backup took": f"{backup_seconds:.1f} s",
            "in the restored copy (this run)": len(rows),
            "acknowledged before, missing": len(missing),
            "stored twice": duplicated,
            "receipt mismatches": wrong_receipt,
            "named before the backup": named,
            "identities unsealed with the key-ring backup": unsealed,
            "identity failures": len(identity_failures),
            "integrity_check (restored)": integrity,
            "_ok": (not missing and not duplicated and not wrong_receipt and not identity_failures
                    and unsealed == named and integrity.startswith(("ok", "n/a")) and len(before) > 0
                    and answered_during > 0),
        }
    finally:
        if cluster:
            cluster.stop()


def _terminated(*_args) -> None:
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    sys.exit(143)


def main() -> int:
    args = parse_args()
    signal.signal(signal.SIGTERM, _terminated)
    databases = ["sqlite", "postgresql"] if args.database == "both" else [args.database]
    results = []
    for database in databases:
        workdir = Path(tempfile.mkdtemp(prefix=f"thf-backup-drill-{database}-"))
        log(f"{database}: work folder {workdir}")
        try:
            results.append(drill(workdir, database, args.submissions, args.clients, args.backup_at))
        finally:
            if not args.keep:
                shutil.rmtree(workdir, ignore_errors=True)
    print()
    for result in results:
        for key, value in result.items():
            if not key.startswith("_"):
                print(f"{key:46} {value}")
        print(f"{'verdict':46} {'PASS' if result['_ok'] else 'FAIL'}")
        print()
    return 0 if all(result["_ok"] for result in results) else 1


if __name__ == "__main__":
    sys.exit(main())
