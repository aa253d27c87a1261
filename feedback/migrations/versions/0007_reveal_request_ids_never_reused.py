"""reveal_request ids never reused: the table rebuilt with AUTOINCREMENT on SQLite.

A plain INTEGER PRIMARY KEY gives the next row the highest id in the table plus one, so when the highest
request is deleted (a withdrawal cascades to its submission's requests), the next request takes its number.
Audit events name requests by id ({"request": id}): two events naming one id for two submissions would
bracket the withdrawal between their times. With AUTOINCREMENT, SQLite keeps the highest id ever given
(in sqlite_sequence, seeded here from the rows copied over) and never gives it again. PostgreSQL's
sequences never go back: nothing to do there.

Ids deleted before this upgrade cannot be known: the first new request continues after the highest row
left, as it did before.

The rebuild copies, drops and renames the table; feedback.db.migrating turns foreign keys off meanwhile.

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

from alembic import op

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def _rebuild(autoincrement: bool) -> None:
    if op.get_bind().dialect.name != 'sqlite':
        return
    with op.batch_alter_table('reveal_request', recreate='always',
                              table_kwargs={'sqlite_autoincrement': autoincrement}):
        pass


def upgrade() -> None:
    _rebuild(autoincrement=True)


def downgrade() -> None:
    _rebuild(autoincrement=False)
