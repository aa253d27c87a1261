"""The similarity index: LSH buckets of each submission's MinHash signature, keyed by bucket, no rowid.

The town hall column has no foreign key: the submission's foreign key (which cascades) already holds it.

Revision ID: 0011
Revises: 0010
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('similarity_bucket',
    sa.Column('town_hall_id', sa.Integer(), nullable=False),
    sa.Column('band', sa.SmallInteger(), nullable=False),
    sa.Column('bucket', sa.BigInteger(), nullable=False),
    sa.Column('submission_id', sa.Uuid(), nullable=False),
    sa.ForeignKeyConstraint(['submission_id'], ['submission.id'], name=op.f('fk_similarity_bucket_submission_id_submission'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('town_hall_id', 'band', 'bucket', 'submission_id', name=op.f('pk_similarity_bucket')),
    sqlite_with_rowid=False
    )
    with op.batch_alter_table('similarity_bucket', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_similarity_bucket_submission_id'), ['submission_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('similarity_bucket', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_similarity_bucket_submission_id'))
    op.drop_table('similarity_bucket')
