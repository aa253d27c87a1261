"""Flask commands: init, db upgrade, town halls, demo, keys, staff accounts, audit, erasure, purge, backups."""

from __future__ import annotations

import sys
from datetime import datetime
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup, with_appcontext

from feedback import audit, auth, clock, config, crypto, db, keyring
from feedback.db import get_db
from feedback.demo import loader
from feedback.models import Role
from feedback.services.admin import accounts, backup
from feedback.services.intake import town_halls
from feedback.services.privacy import erasure, retention, rotation

DATE = click.DateTime(formats=["%Y-%m-%d"])


@click.command("init")
@click.option("--instance-path", type=click.Path(file_okay=False, path_type=Path),
              default=lambda: config.instance_path(), help="Where to write config.py and the key ring [instance/].")
def init_command(instance_path: Path) -> None:
    """Write instance/config.py with a fresh SECRET_KEY and a new key ring (mode 0600).

    Existing files are never overwritten: a lost key ring means lost identities and receipts.
    """
    files = config.init_instance(instance_path)
    click.echo(f"Wrote {files.config_file}." if files.wrote_config else f"Kept {files.config_file} (already there).")
    click.echo(f"Wrote {files.keyring_file} (mode 600). Back it up apart from the database." if files.wrote_keyring
               else f"Kept {files.keyring_file} (already there).")


db_cli = AppGroup("db", help="Database schema (Alembic migrations).")


@db_cli.command("upgrade")
@click.argument("revision", default="head")
def db_upgrade(revision: str) -> None:
    """Bring the database schema up to date (or to REVISION)."""
    db.upgrade_schema(current_app.extensions["feedback_engine"], revision)
    click.echo(f"Database upgraded to {revision}.")


@click.command("create-town-hall")
@with_appcontext
@click.option("--title", prompt=True, help="What the town hall is about.")
@click.option("--date", "held_on", type=DATE, prompt="Date held (YYYY-MM-DD)", help="The day it is held.")
@click.option("--description", default="", help="A few sentences shown above the form.")
@click.option("--opens", type=DATE, prompt="Intake opens (YYYY-MM-DD)", help="First day input is taken.")
@click.option("--closes", type=DATE, prompt="Intake closes (YYYY-MM-DD)", help="Last day input is taken.")
def create_town_hall_command(title: str, held_on: datetime, description: str, opens: datetime,
                             closes: datetime) -> None:
    """Create a town hall and print its address."""
    new = town_halls.NewTownHall(title=title, description=description, held_on=held_on.date(),
                                 intake_opens_on=opens.date(), intake_closes_on=closes.date())
    try:
        hall = town_halls.create_town_hall(get_db(), new)
    except town_halls.InvalidTownHall as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"Created '{hall.title}' at /t/{hall.slug}")


@click.command("demo")
@with_appcontext
@click.option("--force", is_flag=True, help="Load it even into an instance with staff accounts or submissions of "
              "its own (the demo accounts' password is published).")
def demo_command(force: bool) -> None:
    """Load demo town halls, a theme codebook and about 250 moderated and tagged submissions.

    Refused on an instance that has staff accounts, town halls or submissions the demo did not make.
    """
    try:
        loaded = loader.load(get_db(), keyring.current(), auth.hasher(), today=clock.today(), now=clock.now(),
                             force=force)
    except loader.RealInstance as refusal:
        raise click.ClickException(str(refusal)) from None
    click.echo(f"Loaded {loaded.submissions} demo submissions." if loaded.submissions
               else "The demo is already loaded.")
    for email, role in loaded.staff:
        click.echo(f"Demo {role}: {email} / password {loader.DEMO_PASSWORD}")
    if loaded.staff:
        click.echo("Demo accounts are for trying the tool only: never load the demo on a real instance.")


@click.command("rotate-keys")
@with_appcontext
@click.option("--retire-old", is_flag=True, help="Remove old master keys from the ring once nothing uses them.")
def rotate_keys_command(retire_old: bool) -> None:
    """Add a new master key and re-wrap every identity under it."""
    done = rotation.rotate(get_db(), current_app.config["KEYRING_PATH"], retire_old=retire_old,
                           by=audit.Actor(audit.SYSTEM), now=clock.now())
    click.echo(f"New master key {done.new_key_id}; re-wrapped {done.rewrapped} identities.")
    if done.still_in_use:
        raise click.ClickException("some identities still use an old key; nothing retired")
    if retire_old:
        click.echo(f"Retired {len(done.retired_key_ids)} old master key(s). Keep the previous key ring with the old "
                   "database backups it opens.")


@click.command("create-user")
@with_appcontext
@click.option("--email", prompt=True, help="Their login email.")
@click.option("--name", "display_name", prompt=True, help="Their name as colleagues know it.")
@click.option("--role", type=click.Choice([r.value for r in Role]), prompt=True, help="What they may do.")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input (never argv).")
def create_user_command(email: str, display_name: str, role: str, password_stdin: bool) -> None:
    """Create a staff account; the password comes from a prompt or standard input, never the command line."""
    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        accounts.create_user(get_db(), auth.hasher(), email, display_name, role, password,
                             by=audit.Actor(audit.SYSTEM), now=clock.now())
    except accounts.AccountError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"Created {role} account for {accounts.normalise_email(email)}.")


@click.command("audit-verify")
@with_appcontext
def audit_verify_command() -> None:
    """Check the audit log's hash chain; exit 1 naming the first broken link."""
    broken = audit.first_broken_link(get_db())
    if broken is not None:
        click.echo(f"The audit log is broken at event {broken}: it or the one before it was altered or removed.",
                   err=True)
        raise SystemExit(1)
    count, head = audit.head(get_db())
    click.echo(f"The audit log is intact: {count} events, last hash {head}.")
    click.echo("Keep that line somewhere outside the database: a log cut short would still verify.")


def _identities(count: int) -> str:
    return f"{count} {'identity' if count == 1 else 'identities'}"


@click.command("erase-email")
@with_appcontext
@click.option("--email", prompt="Email whose identities to erase",
              help="The email to erase (the prompt keeps it out of your shell history).")
def erase_email_command(email: str) -> None:
    """Erase every named identity given with this email; the submissions stay, unnamed."""
    if not crypto.normalise_email(email):
        raise click.ClickException("Give the email whose identities to erase.")
    count = erasure.erase_email(get_db(), keyring.current(), email, by=audit.Actor(audit.SYSTEM), now=clock.now())
    click.echo(f"Erased {_identities(count)}.")


@click.command("purge")
@with_appcontext
@click.option("--dry-run", is_flag=True, help="Only say what would be purged; change nothing.")
def purge_command(dry_run: bool) -> None:
    """Delete identities whose town hall closed more than RETENTION_DAYS days ago (safe from cron)."""
    days = current_app.config["RETENTION_DAYS"]  # a whole number, 0 or more: feedback.config refuses others
    session, today = get_db(), clock.today()
    if dry_run:
        due = retention.due(session, today, days)
        for item in due:
            click.echo(f"Would purge {_identities(item.identities)} of '{item.town_hall_title}' "
                       f"(intake closed {item.intake_closes_on.isoformat()}).")
        click.echo(f"Dry run: would purge {_identities(sum(d.identities for d in due))}; nothing changed.")
        return
    count = retention.purge(session, today, days, by=audit.Actor(audit.SYSTEM), now=clock.now())
    click.echo(f"Purged {_identities(count)} of town halls closed before "
               f"{retention.cutoff(today, days).isoformat()}.")


@click.command("backup")
@with_appcontext
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
def backup_command(path: Path) -> None:
    """Copy the database to PATH (a new file) while the app keeps running; the key ring is not included.

    SQLite: the online backup API, then an integrity check of the copy. PostgreSQL: pg_dump --format=custom.
    """
    try:
        result = backup.backup(current_app.config["DATABASE_URL"], path)
    except backup.BackupError as error:
        raise click.ClickException(str(error)) from None
    counted = "" if result.submissions is None else f", {result.submissions} submissions, integrity ok"
    click.echo(f"Backed up to {result.path} ({result.bytes:,} bytes{counted}). It holds no keys: "
               "back up the key ring separately (README.md, 'Backups and restore').")


@click.command("restore")
@with_appcontext
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Replace an existing database (stop the app first).")
def restore_command(path: Path, force: bool) -> None:
    """Restore a SQLite backup made by `backup` into the configured database; stop the app first.

    The backup is checked (integrity, tables) before anything is written. PostgreSQL: use pg_restore.
    """
    target = backup.sqlite_file(current_app.config["DATABASE_URL"])
    if target is None:
        raise click.ClickException("restore works on SQLite only. " + backup.PG_DUMP_GUIDE)
    current_app.extensions["feedback_engine"].dispose()  # this command's own connections, if any
    if target.exists() and target.stat().st_size and not force:
        raise click.ClickException(f"{target} already exists. Stop the app, keep a copy of it, then run "
                                   "restore again with --force to replace it.")
    try:
        count = backup.restore_sqlite(path, target)
    except backup.BackupError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"Restored {count} submissions into {target} (integrity ok). Start the app with the key ring "
               "that was in use when the backup was made.")


def init_app(app: Flask) -> None:
    for command in (db_cli, create_town_hall_command, demo_command, rotate_keys_command, create_user_command,
                    audit_verify_command, erase_email_command, purge_command, backup_command, restore_command):
        app.cli.add_command(command)
