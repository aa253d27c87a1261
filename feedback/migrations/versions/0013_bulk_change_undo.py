"""Bulk changes kept for undo: what each submission was before a bulk action.

Revision ID: 0013
Revises: 0012
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('bulk_change',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('town_hall_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('made_at', sa.DateTime(), nullable=False),
    sa.Column('undone_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['town_hall_id'], ['town_hall.id'], name=op.f('fk_bulk_change_town_hall_id_town_hall'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['staff_user.id'], name=op.f('fk_bulk_change_user_id_staff_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_bulk_change'))
    )
    with op.batch_alter_table('bulk_change', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_bulk_change_user_id'), ['user_id'], unique=False)

    op.create_table('bulk_change_item',
    sa.Column('bulk_change_id', sa.Uuid(), nullable=False),
    sa.Column('submission_id', sa.Uuid(), nullable=False),
    sa.Column('theme_id', sa.Integer(), nullable=False),
    sa.Column('status_before', sa.String(length=20), nullable=True),
    sa.Column('hidden_reason_before', sa.String(length=40), nullable=True),
    sa.ForeignKeyConstraint(['bulk_change_id'], ['bulk_change.id'], name=op.f('fk_bulk_change_item_bulk_change_id_bulk_change'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['submission_id'], ['submission.id'], name=op.f('fk_bulk_change_item_submission_id_submission'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('bulk_change_id', 'submission_id', 'theme_id', name=op.f('pk_bulk_change_item'))
    )


def downgrade() -> None:
    op.drop_table('bulk_change_item')
    with op.batch_alter_table('bulk_change', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_bulk_change_user_id'))
    op.drop_table('bulk_change')
