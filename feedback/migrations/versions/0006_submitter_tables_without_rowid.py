"""Tables a submitter writes (submission, identity, reply) rebuilt WITHOUT ROWID on SQLite, keyed by their UUID.

A rowid table numbers its rows in arrival order, and reply's one counter put each submitter's answer between
two staff replies, whose times the audit log keeps. Without a rowid, rows are stored and scanned in the order
of their random ids. PostgreSQL has no rowid: nothing to do there (see feedback/services/privacy/shuffling.py).

The rebuild copies, drops and renames each table; feedback.db.migrating turns foreign keys off meanwhile, so
dropping submission does not cascade to the rows that refer to it, and checks them all at the end.

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

from alembic import op

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None

TABLES = ('submission', 'identity', 'reply')


def _rebuild(with_rowid: bool) -> None:
    if op.get_bind().dialect.name != 'sqlite':
        return
    for table in TABLES:
        with op.batch_alter_table(table, recreate='always', table_kwargs={'sqlite_with_rowid': with_rowid}):
            pass


def upgrade() -> None:
    _rebuild(with_rowid=False)


def downgrade() -> None:
    _rebuild(with_rowid=True)
