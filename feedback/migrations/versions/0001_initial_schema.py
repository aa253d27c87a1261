"""Initial schema: town halls, submissions, sealed identities.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "town_hall",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(length=80), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("held_on", sa.Date(), nullable=False),
        sa.Column("intake_opens_on", sa.Date(), nullable=False),
        sa.Column("intake_closes_on", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_town_hall")),
        sa.UniqueConstraint("slug", name=op.f("uq_town_hall_slug")),
    )
    op.create_table(
        "submission",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("town_hall_id", sa.Integer(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("redacted_body", sa.Text(), nullable=True),
        sa.Column("received_on", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("hidden_reason", sa.String(length=40), nullable=True),
        sa.Column("affiliation", sa.String(length=80), nullable=True),
        sa.Column("is_named", sa.Boolean(), nullable=False),
        sa.Column("receipt_hash", sa.LargeBinary(length=32), nullable=False),
        sa.Column("form_token_hash", sa.LargeBinary(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["town_hall_id"], ["town_hall.id"], name=op.f("fk_submission_town_hall_id_town_hall")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_submission")),
        sa.UniqueConstraint("form_token_hash", name=op.f("uq_submission_form_token_hash")),
        sa.UniqueConstraint("receipt_hash", name=op.f("uq_submission_receipt_hash")),
    )
    op.create_index(op.f("ix_submission_town_hall_id"), "submission", ["town_hall_id"])
    op.create_table(
        "identity",
        sa.Column("submission_id", sa.Uuid(), nullable=False),
        sa.Column("key_id", sa.String(length=40), nullable=False),
        sa.Column("wrapped_key", sa.LargeBinary(), nullable=False),
        sa.Column("nonce", sa.LargeBinary(length=12), nullable=False),
        sa.Column("ciphertext", sa.LargeBinary(), nullable=False),
        sa.Column("email_index", sa.LargeBinary(length=32), nullable=True),
        sa.ForeignKeyConstraint(
            ["submission_id"],
            ["submission.id"],
            name=op.f("fk_identity_submission_id_submission"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("submission_id", name=op.f("pk_identity")),
    )
    op.create_index(op.f("ix_identity_email_index"), "identity", ["email_index"])
    op.create_index(op.f("ix_identity_key_id"), "identity", ["key_id"])


def downgrade() -> None:
    op.drop_table("identity")
    op.drop_table("submission")
    op.drop_table("town_hall")
