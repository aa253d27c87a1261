"""Summary releases: a town hall's released (noisy) counts and quotes, and the privacy loss each spent.

Leadership reads these instead of live counts (feedback.services.summary.releases). An upgraded
instance has no release yet: a facilitator releases each town hall's numbers once after upgrading.

Revision ID: 0008
Revises: 0007
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('summary_release',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('town_hall_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('released_on', sa.Date(), nullable=False),
    sa.Column('epsilon', sa.Double(), nullable=False),
    sa.Column('scale', sa.Double(), nullable=False),
    sa.Column('theme_cap', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['town_hall_id'], ['town_hall.id'], name=op.f('fk_summary_release_town_hall_id_town_hall'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_summary_release')),
    sa.UniqueConstraint('town_hall_id', 'number', name=op.f('uq_summary_release_town_hall_id'))
    )
    with op.batch_alter_table('summary_release', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_summary_release_town_hall_id'), ['town_hall_id'], unique=False)

    op.create_table('released_count',
    sa.Column('release_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('key', sa.String(length=200), nullable=False),
    sa.Column('value', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['release_id'], ['summary_release.id'], name=op.f('fk_released_count_release_id_summary_release'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('release_id', 'kind', 'key', name=op.f('pk_released_count'))
    )
    op.create_table('released_quote',
    sa.Column('release_id', sa.Integer(), nullable=False),
    sa.Column('theme_id', sa.Integer(), nullable=False),
    sa.Column('submission_id', sa.Uuid(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('raised_by', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['release_id'], ['summary_release.id'], name=op.f('fk_released_quote_release_id_summary_release'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['submission_id'], ['submission.id'], name=op.f('fk_released_quote_submission_id_submission'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['theme_id'], ['theme.id'], name=op.f('fk_released_quote_theme_id_theme'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('release_id', 'theme_id', 'submission_id', name=op.f('pk_released_quote'))
    )


def downgrade() -> None:
    op.drop_table('released_quote')
    op.drop_table('released_count')
    with op.batch_alter_table('summary_release', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_summary_release_town_hall_id'))

    op.drop_table('summary_release')
