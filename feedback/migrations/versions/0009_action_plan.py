"""The action plan: actions, their timeline, themes and town halls; feedback on actions; "did this help?".

Also a town hall's prompt (the question asked above its form). Submitter-written tables (feedback on an
action, the internal links to submissions, answers) are WITHOUT ROWID on SQLite, as 0006 made the others.

Revision ID: 0009
Revises: 0008
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('action',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('parent_id', sa.Integer(), nullable=True),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('owner', sa.String(length=200), nullable=False),
    sa.Column('status', sa.String(length=40), nullable=False),
    sa.Column('progress_from', sa.String(length=20), nullable=False),
    sa.Column('progress', sa.Integer(), nullable=False),
    sa.Column('target_on', sa.Date(), nullable=True),
    sa.Column('next_update_due', sa.Date(), nullable=True),
    sa.Column('wont_do_reason', sa.Text(), nullable=False),
    sa.Column('published', sa.Boolean(), nullable=False),
    sa.Column('first_published_on', sa.Date(), nullable=True),
    sa.Column('created_on', sa.Date(), nullable=False),
    sa.ForeignKeyConstraint(['parent_id'], ['action.id'], name=op.f('fk_action_parent_id_action'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_action'))
    )
    with op.batch_alter_table('action', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_action_parent_id'), ['parent_id'], unique=False)

    op.create_table('action_theme',
    sa.Column('action_id', sa.Integer(), nullable=False),
    sa.Column('theme_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['action_id'], ['action.id'], name=op.f('fk_action_theme_action_id_action'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['theme_id'], ['theme.id'], name=op.f('fk_action_theme_theme_id_theme'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('action_id', 'theme_id', name=op.f('pk_action_theme'))
    )
    op.create_table('action_town_hall',
    sa.Column('action_id', sa.Integer(), nullable=False),
    sa.Column('town_hall_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['action_id'], ['action.id'], name=op.f('fk_action_town_hall_action_id_action'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['town_hall_id'], ['town_hall.id'], name=op.f('fk_action_town_hall_town_hall_id_town_hall'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('action_id', 'town_hall_id', name=op.f('pk_action_town_hall'))
    )
    op.create_table('action_update',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('action_id', sa.Integer(), nullable=False),
    sa.Column('written_on', sa.Date(), nullable=False),
    sa.Column('publish_on', sa.Date(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=40), nullable=True),
    sa.Column('progress', sa.Integer(), nullable=True),
    sa.Column('next_update_due', sa.Date(), nullable=True),
    sa.ForeignKeyConstraint(['action_id'], ['action.id'], name=op.f('fk_action_update_action_id_action'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_action_update'))
    )
    with op.batch_alter_table('action_update', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_action_update_action_id'), ['action_id'], unique=False)

    op.create_table('help_answer',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('action_id', sa.Integer(), nullable=False),
    sa.Column('answer', sa.String(length=20), nullable=False),
    sa.Column('comment', sa.Text(), nullable=False),
    sa.Column('receipt_hash', sa.LargeBinary(length=32), nullable=True),
    sa.Column('form_token_hash', sa.LargeBinary(length=32), nullable=True),
    sa.ForeignKeyConstraint(['action_id'], ['action.id'], name=op.f('fk_help_answer_action_id_action'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_help_answer')),
    sa.UniqueConstraint('action_id', 'receipt_hash', name=op.f('uq_help_answer_action_id')),
    sa.UniqueConstraint('form_token_hash', name=op.f('uq_help_answer_form_token_hash')),
    sqlite_with_rowid=False
    )
    with op.batch_alter_table('help_answer', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_help_answer_action_id'), ['action_id'], unique=False)

    op.create_table('action_feedback',
    sa.Column('submission_id', sa.Uuid(), nullable=False),
    sa.Column('action_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['action_id'], ['action.id'], name=op.f('fk_action_feedback_action_id_action'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['submission_id'], ['submission.id'], name=op.f('fk_action_feedback_submission_id_submission'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('submission_id', name=op.f('pk_action_feedback')),
    sqlite_with_rowid=False
    )
    with op.batch_alter_table('action_feedback', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_action_feedback_action_id'), ['action_id'], unique=False)

    op.create_table('action_submission',
    sa.Column('action_id', sa.Integer(), nullable=False),
    sa.Column('submission_id', sa.Uuid(), nullable=False),
    sa.ForeignKeyConstraint(['action_id'], ['action.id'], name=op.f('fk_action_submission_action_id_action'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['submission_id'], ['submission.id'], name=op.f('fk_action_submission_submission_id_submission'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('action_id', 'submission_id', name=op.f('pk_action_submission')),
    sqlite_with_rowid=False
    )
    with op.batch_alter_table('town_hall', schema=None) as batch_op:
        batch_op.add_column(sa.Column('prompt', sa.Text(), server_default='', nullable=False))



def downgrade() -> None:
    with op.batch_alter_table('town_hall', schema=None) as batch_op:
        batch_op.drop_column('prompt')

    op.drop_table('action_submission')
    with op.batch_alter_table('action_feedback', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_action_feedback_action_id'))

    op.drop_table('action_feedback')
    with op.batch_alter_table('help_answer', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_help_answer_action_id'))

    op.drop_table('help_answer')
    with op.batch_alter_table('action_update', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_action_update_action_id'))

    op.drop_table('action_update')
    op.drop_table('action_town_hall')
    op.drop_table('action_theme')
    with op.batch_alter_table('action', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_action_parent_id'))

    op.drop_table('action')
