"""Theme codebook, taggings, suggestion decisions, near-duplicate groups; an index for the summary.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('theme',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=80), nullable=False),
    sa.Column('definition', sa.String(length=200), nullable=False),
    sa.Column('example', sa.Text(), nullable=False),
    sa.Column('colour', sa.String(length=7), nullable=False),
    sa.Column('keywords', sa.Text(), nullable=False),
    sa.Column('parent_id', sa.Integer(), nullable=True),
    sa.Column('archived', sa.Boolean(), nullable=False),
    sa.Column('merged_into_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['merged_into_id'], ['theme.id'], name=op.f('fk_theme_merged_into_id_theme')),
    sa.ForeignKeyConstraint(['parent_id'], ['theme.id'], name=op.f('fk_theme_parent_id_theme')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_theme')),
    sa.UniqueConstraint('name', name=op.f('uq_theme_name'))
    )
    with op.batch_alter_table('theme', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_theme_parent_id'), ['parent_id'], unique=False)

    op.create_table('duplicate_link',
    sa.Column('submission_id', sa.Uuid(), nullable=False),
    sa.Column('representative_id', sa.Uuid(), nullable=False),
    sa.ForeignKeyConstraint(['representative_id'], ['submission.id'], name=op.f('fk_duplicate_link_representative_id_submission'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['submission_id'], ['submission.id'], name=op.f('fk_duplicate_link_submission_id_submission'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('submission_id', name=op.f('pk_duplicate_link'))
    )
    with op.batch_alter_table('duplicate_link', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_duplicate_link_representative_id'), ['representative_id'], unique=False)

    op.create_table('suggestion_decision',
    sa.Column('submission_id', sa.Uuid(), nullable=False),
    sa.Column('theme_id', sa.Integer(), nullable=False),
    sa.Column('decision', sa.String(length=20), nullable=False),
    sa.ForeignKeyConstraint(['submission_id'], ['submission.id'], name=op.f('fk_suggestion_decision_submission_id_submission'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['theme_id'], ['theme.id'], name=op.f('fk_suggestion_decision_theme_id_theme'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('submission_id', 'theme_id', name=op.f('pk_suggestion_decision'))
    )
    op.create_table('tagging',
    sa.Column('submission_id', sa.Uuid(), nullable=False),
    sa.Column('theme_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['submission_id'], ['submission.id'], name=op.f('fk_tagging_submission_id_submission'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['theme_id'], ['theme.id'], name=op.f('fk_tagging_theme_id_theme'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('submission_id', 'theme_id', name=op.f('pk_tagging'))
    )
    with op.batch_alter_table('tagging', schema=None) as batch_op:
        batch_op.create_index('ix_tagging_theme_submission', ['theme_id', 'submission_id'], unique=False)
    with op.batch_alter_table('submission', schema=None) as batch_op:
        batch_op.create_index('ix_submission_hall_status', ['town_hall_id', 'status', 'affiliation'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('submission', schema=None) as batch_op:
        batch_op.drop_index('ix_submission_hall_status')
    with op.batch_alter_table('tagging', schema=None) as batch_op:
        batch_op.drop_index('ix_tagging_theme_submission')

    op.drop_table('tagging')
    op.drop_table('suggestion_decision')
    with op.batch_alter_table('duplicate_link', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_duplicate_link_representative_id'))

    op.drop_table('duplicate_link')
    with op.batch_alter_table('theme', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_theme_parent_id'))

    op.drop_table('theme')
