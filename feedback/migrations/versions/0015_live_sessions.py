"""Live sessions: questions asked in the room (live_question), "me too" votes (live_vote), the session itself.

Revision ID: 0015
Revises: 0014
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('live_session',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('town_hall_id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=12), nullable=False),
    sa.Column('state', sa.String(length=12), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('presenter_token_hash', sa.LargeBinary(length=32), nullable=True),
    sa.ForeignKeyConstraint(['town_hall_id'], ['town_hall.id'], name=op.f('fk_live_session_town_hall_id_town_hall')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_live_session')),
    sa.UniqueConstraint('code', name=op.f('uq_live_session_code')),
    sa.UniqueConstraint('presenter_token_hash', name=op.f('uq_live_session_presenter_token_hash'))
    )
    with op.batch_alter_table('live_session', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_live_session_town_hall_id'), ['town_hall_id'], unique=False)

    op.create_table('live_question',
    sa.Column('submission_id', sa.Uuid(), nullable=False),
    sa.Column('live_session_id', sa.Integer(), nullable=False),
    sa.Column('state', sa.String(length=12), nullable=False),
    sa.Column('position', sa.Integer(), nullable=True),
    sa.Column('presenter_note', sa.Text(), server_default='', nullable=False),
    sa.Column('flagged', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('counted_votes', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['live_session_id'], ['live_session.id'], name=op.f('fk_live_question_live_session_id_live_session'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['submission_id'], ['submission.id'], name=op.f('fk_live_question_submission_id_submission'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('submission_id', name=op.f('pk_live_question')),
    sqlite_with_rowid=False
    )
    with op.batch_alter_table('live_question', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_live_question_live_session_id'), ['live_session_id'], unique=False)

    op.create_table('live_vote',
    sa.Column('submission_id', sa.Uuid(), nullable=False),
    sa.Column('voter_key', sa.LargeBinary(length=32), nullable=False),
    sa.Column('held', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.ForeignKeyConstraint(['submission_id'], ['submission.id'], name=op.f('fk_live_vote_submission_id_submission'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('submission_id', 'voter_key', name=op.f('pk_live_vote')),
    sqlite_with_rowid=False
    )


def downgrade() -> None:
    op.drop_table('live_vote')
    with op.batch_alter_table('live_question', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_live_question_live_session_id'))

    op.drop_table('live_question')
    with op.batch_alter_table('live_session', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_live_session_town_hall_id'))

    op.drop_table('live_session')
