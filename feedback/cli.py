"""Flask commands: init (keys and secret), db upgrade, create-town-hall, demo, rotate-keys."""

from __future__ import annotations

import os
import secrets
from datetime import datetime
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup, with_appcontext

from feedback import clock, crypto, db, keyring
from feedback.db import get_db
from feedback.config import KEYRING_FILENAME, instance_path
from feedback.services import demo, town_halls
from feedback.services import rotation

DATE = click.DateTime(formats=["%Y-%m-%d"])


@click.command("init")
@click.option("--instance-path", type=click.Path(file_okay=False, path_type=Path),
              default=lambda: instance_path(), help="Where to write config.py and the key ring [instance/].")
def init_command(instance_path: Path) -> None:
    """Write instance/config.py with a fresh SECRET_KEY and a new key ring (mode 0600).

    Existing files are never overwritten: a lost key ring means lost identities and receipts.
    """
    instance_path.mkdir(parents=True, exist_ok=True)
    config_file = instance_path / "config.py"
    keyring_file = Path(os.environ.get("FEEDBACK_KEYRING_PATH") or instance_path / KEYRING_FILENAME)
    if config_file.exists():
        click.echo(f"Kept {config_file} (already there).")
    else:
        fd = os.open(config_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write("# Written by `flask --app feedback init`. Keep it secret.\n")
            handle.write(f"SECRET_KEY = {secrets.token_urlsafe(48)!r}\n")
        click.echo(f"Wrote {config_file}.")
    if keyring_file.exists():
        click.echo(f"Kept {keyring_file} (already there).")
    else:
        crypto.save_keyring(crypto.generate_keyring(), keyring_file)
        click.echo(f"Wrote {keyring_file} (mode 600). Back it up apart from the database.")


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
def demo_command() -> None:
    """Load three demo town halls and about sixty submissions."""
    stored = demo.load_demo(get_db(), keyring.current(), clock.today())
    click.echo(f"Loaded {stored} demo submissions." if stored else "The demo is already loaded.")


@click.command("rotate-keys")
@with_appcontext
@click.option("--retire-old", is_flag=True, help="Remove old master keys from the ring once nothing uses them.")
def rotate_keys_command(retire_old: bool) -> None:
    """Add a new master key and re-wrap every identity under it."""
    path = current_app.config["KEYRING_PATH"]
    ring = crypto.with_new_master_key(crypto.load_keyring(path))
    # Save first: if re-wrapping stops half-way, both old and new keys are still on disk.
    crypto.save_keyring(ring, path)
    session = get_db()
    count = rotation.rewrap_all(session, ring)
    click.echo(f"New master key {ring.active_id}; re-wrapped {count} identities.")
    if retire_old:
        # A worker that read the old ring just before the rotation may have sealed one more identity
        # under the old key: re-wrap again, then retire only if nothing uses an old key.
        rotation.rewrap_all(session, ring)
        old = set(ring.master_keys) - {ring.active_id}
        if rotation.key_ids_in_use(session) & old:
            raise click.ClickException("some identities still use an old key; nothing retired")
        crypto.save_keyring(crypto.without_master_keys(ring, old), path)
        click.echo(f"Retired {len(old)} old master key(s). Keep the previous key ring with the old "
                   "database backups it opens.")


def init_app(app: Flask) -> None:
    for command in (db_cli, create_town_hall_command, demo_command, rotate_keys_command):
        app.cli.add_command(command)
