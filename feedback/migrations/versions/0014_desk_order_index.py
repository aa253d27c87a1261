"""The desk's indexes: its order (a town hall's submissions pending first, then by day and id) and its affiliations.

Revision ID: 0014
Revises: 0013
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Autogenerate does not see expression indexes: written by hand, as in models.Submission.
    op.create_index('ix_submission_desk_order', 'submission',
                    ['town_hall_id', sa.text("(CASE WHEN status = 'pending' THEN 0 ELSE 1 END)"), 'received_on', 'id'])
    op.create_index('ix_submission_hall_affiliation', 'submission', ['town_hall_id', 'affiliation'])


def downgrade() -> None:
    op.drop_index('ix_submission_hall_affiliation', table_name='submission')
    op.drop_index('ix_submission_desk_order', table_name='submission')
