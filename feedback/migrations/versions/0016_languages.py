"""Languages: each submission's (the page's when it was sent; 'en' for those before) and a staff member's choice.

Revision ID: 0016
Revises: 0015
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


# Plain ALTER TABLE, not a batch: on SQLite a batch drop would rebuild submission and lose its expression index
# (ix_submission_desk_order, which reflection does not see); SQLite has dropped columns in place since 3.35.
def upgrade() -> None:
    op.add_column('submission', sa.Column('language', sa.String(length=8), server_default='en', nullable=False))
    op.add_column('staff_user', sa.Column('language', sa.String(length=8), nullable=True))


def downgrade() -> None:
    op.drop_column('staff_user', 'language')
    op.drop_column('submission', 'language')
