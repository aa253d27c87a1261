"""Answer releases: the answers to "did this help?" released to leadership with noise, as town halls' numbers are.

Revision ID: 0010
Revises: 0009
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('answer_release',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('released_on', sa.Date(), nullable=False),
    sa.Column('epsilon', sa.Double(), nullable=False),
    sa.Column('scale', sa.Double(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_answer_release')),
    sa.UniqueConstraint('number', name=op.f('uq_answer_release_number'))
    )
    op.create_table('released_answer',
    sa.Column('release_id', sa.Integer(), nullable=False),
    sa.Column('action_id', sa.Integer(), nullable=False),
    sa.Column('answer', sa.String(length=20), nullable=False),
    sa.Column('value', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['action_id'], ['action.id'], name=op.f('fk_released_answer_action_id_action'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['release_id'], ['answer_release.id'], name=op.f('fk_released_answer_release_id_answer_release'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('release_id', 'action_id', 'answer', name=op.f('pk_released_answer'))
    )


def downgrade() -> None:
    op.drop_table('released_answer')
    op.drop_table('answer_release')
