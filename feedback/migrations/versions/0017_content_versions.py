"""Content in other languages: a versions column (JSON, {} for every row before) on town_hall, theme and action.

Revision ID: 0017
Revises: 0016
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None

TABLES = ('town_hall', 'theme', 'action')


# Plain ALTER TABLE, not a batch, as in 0016: SQLite adds and drops a column in place (3.35 and later).
def upgrade() -> None:
    for table in TABLES:
        op.add_column(table, sa.Column('versions', sa.JSON(), server_default='{}', nullable=False))


def downgrade() -> None:
    for table in reversed(TABLES):
        op.drop_column(table, 'versions')
