"""Typed SQLAlchemy models. Migrations in feedback/migrations own the schema."""

from __future__ import annotations

import enum
import uuid
from datetime import date

import sqlalchemy as sa
from sqlalchemy import orm
from sqlalchemy.orm import Mapped, mapped_column

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(orm.DeclarativeBase):
    metadata = sa.MetaData(naming_convention=NAMING)


class SubmissionStatus(enum.StrEnum):
    PENDING = "pending"
    PUBLISHED = "published"
    HIDDEN = "hidden"
    ESCALATED = "escalated"


class TownHall(Base):
    __tablename__ = "town_hall"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(sa.String(80), unique=True)
    title: Mapped[str] = mapped_column(sa.String(200))
    description: Mapped[str] = mapped_column(sa.Text, default="")
    held_on: Mapped[date]
    # Intake is open from opens_on to closes_on, both days included.
    intake_opens_on: Mapped[date]
    intake_closes_on: Mapped[date]
    status: Mapped[str] = mapped_column(sa.String(20), default="active")

    submissions: Mapped[list[Submission]] = orm.relationship(back_populates="town_hall")

    def intake_state(self, today: date) -> str:
        """'upcoming', 'open' or 'closed' on the given day."""
        if today < self.intake_opens_on:
            return "upcoming"
        if today > self.intake_closes_on:
            return "closed"
        return "open"


class Submission(Base):
    __tablename__ = "submission"

    id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True, default=uuid.uuid4)
    town_hall_id: Mapped[int] = mapped_column(sa.ForeignKey("town_hall.id"), index=True)
    body: Mapped[str] = mapped_column(sa.Text)
    redacted_body: Mapped[str | None] = mapped_column(sa.Text)
    # A date, never a time: promise 1.
    received_on: Mapped[date]
    status: Mapped[str] = mapped_column(sa.String(20), default=SubmissionStatus.PENDING.value)
    hidden_reason: Mapped[str | None] = mapped_column(sa.String(40))
    affiliation: Mapped[str | None] = mapped_column(sa.String(80))
    is_named: Mapped[bool] = mapped_column(default=False)
    receipt_hash: Mapped[bytes] = mapped_column(sa.LargeBinary(32), unique=True)
    form_token_hash: Mapped[bytes] = mapped_column(sa.LargeBinary(32), unique=True)

    town_hall: Mapped[TownHall] = orm.relationship(back_populates="submissions")
    identity: Mapped[Identity | None] = orm.relationship(
        back_populates="submission", cascade="all, delete-orphan", passive_deletes=True
    )


class Identity(Base):
    """A named submitter's identity, sealed by feedback.crypto; never stored in clear."""

    __tablename__ = "identity"

    submission_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("submission.id", ondelete="CASCADE"), primary_key=True
    )
    key_id: Mapped[str] = mapped_column(sa.String(40), index=True)
    wrapped_key: Mapped[bytes] = mapped_column(sa.LargeBinary)
    nonce: Mapped[bytes] = mapped_column(sa.LargeBinary(12))
    ciphertext: Mapped[bytes] = mapped_column(sa.LargeBinary)
    email_index: Mapped[bytes | None] = mapped_column(sa.LargeBinary(32), index=True)

    submission: Mapped[Submission] = orm.relationship(back_populates="identity")
