"""Typed SQLAlchemy models. Migrations in feedback/migrations own the schema."""

from __future__ import annotations

import enum
import re
import uuid
from datetime import date, datetime

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


def intake_state(town_hall, today: date) -> str:
    """'upcoming', 'open' or 'closed' on the given day, for a TownHall or a row with its intake dates."""
    if today < town_hall.intake_opens_on:
        return "upcoming"
    if today > town_hall.intake_closes_on:
        return "closed"
    return "open"


# A town hall's slug, as it appears in its public address (/t/<slug>).
SLUG_PATTERN = re.compile(r"[a-z0-9-]{1,80}")


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
    status: Mapped[str] = mapped_column(sa.String(20), default="active")  # "active" or "archived"
    # The question being asked, shown above the form.
    prompt: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    # Versions in other languages of the organisation's text above ({"es": {"title": ..., "prompt": ...}}); the
    # columns stay the base (English) text. feedback.services.content_language chooses what a reader sees.
    versions: Mapped[dict[str, dict[str, str]]] = mapped_column(sa.JSON, default=dict, server_default="{}")

    submissions: Mapped[list[Submission]] = orm.relationship(back_populates="town_hall")

    def intake_state(self, today: date) -> str:
        """'upcoming', 'open' or 'closed' on the given day."""
        return intake_state(self, today)


# Tables a submitter writes are keyed and stored by their random UUID on SQLite: a rowid table would keep
# arrival order in its hidden rowid (promise 1). PostgreSQL ignores the option; see services/privacy/shuffling.
NO_ROWID = {"sqlite_with_rowid": False}


class Submission(Base):
    __tablename__ = "submission"
    # The leadership summary counts by town hall, status and affiliation.
    # The desk lists a town hall's submissions pending first, then by day and id: its first page reads 50 rows
    # in this index's order instead of sorting the town hall (the CASE must be written as in desk.PENDING_FIRST).
    __table_args__ = (sa.Index("ix_submission_hall_status", "town_hall_id", "status", "affiliation"),
                      sa.Index("ix_submission_desk_order", "town_hall_id",
                               sa.text("(CASE WHEN status = 'pending' THEN 0 ELSE 1 END)"), "received_on", "id"),
                      # The desk's affiliation filter lists a town hall's affiliations by one seek each.
                      sa.Index("ix_submission_hall_affiliation", "town_hall_id", "affiliation"),
                      NO_ROWID)

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
    # Sent with a name whose identity was since deleted (erasure, retention): the receipt page says so.
    identity_deleted: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    # The page's language when it was sent (chosen or from the browser), never guessed from the text: replies and
    # mail to its writer use it. Shown to facilitators and admins only (a rare language can single a writer out).
    language: Mapped[str] = mapped_column(sa.String(8), default="en", server_default="en")
    receipt_hash: Mapped[bytes] = mapped_column(sa.LargeBinary(32), unique=True)
    form_token_hash: Mapped[bytes] = mapped_column(sa.LargeBinary(32), unique=True)

    town_hall: Mapped[TownHall] = orm.relationship(back_populates="submissions")
    identity: Mapped[Identity | None] = orm.relationship(
        back_populates="submission", cascade="all, delete-orphan", passive_deletes=True
    )

    @property
    def shown_body(self) -> str:
        return shown_text(self.body, self.redacted_body)


def shown_text(body: str, redacted_body: str | None) -> str:
    """The text others read of a submission: its redacted text when there is one."""
    return redacted_body or body


class Identity(Base):
    """A named submitter's identity, sealed by feedback.crypto; never stored in clear."""

    __tablename__ = "identity"
    __table_args__ = NO_ROWID

    submission_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("submission.id", ondelete="CASCADE"), primary_key=True
    )
    key_id: Mapped[str] = mapped_column(sa.String(40), index=True)
    wrapped_key: Mapped[bytes] = mapped_column(sa.LargeBinary)
    nonce: Mapped[bytes] = mapped_column(sa.LargeBinary(12))
    ciphertext: Mapped[bytes] = mapped_column(sa.LargeBinary)
    email_index: Mapped[bytes | None] = mapped_column(sa.LargeBinary(32), index=True)

    submission: Mapped[Submission] = orm.relationship(back_populates="identity")


class Role(enum.StrEnum):
    ADMIN = "admin"
    FACILITATOR = "facilitator"
    LEADER = "leader"


class HiddenReason(enum.StrEnum):
    OFF_TOPIC = "off-topic"
    ABUSIVE = "abusive"
    SPAM = "spam"
    DUPLICATE = "duplicate"
    IDENTIFYING = "identifying"
    OTHER = "other"


# A new theme's colour when none is chosen.
DEFAULT_THEME_COLOUR = "#4c6a92"

HIDDEN_REASONS = tuple(r.value for r in HiddenReason)  # in the order the desk offers and the summary lists them


class StaffUser(Base):
    __tablename__ = "staff_user"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    display_name: Mapped[str] = mapped_column(sa.String(200))
    role: Mapped[str] = mapped_column(sa.String(20))
    password_hash: Mapped[str] = mapped_column(sa.String(255))
    is_active: Mapped[bool] = mapped_column(default=True)
    # The language of their pages and mail, chosen with the switch; None: the browser's, and English mail.
    language: Mapped[str | None] = mapped_column(sa.String(8))


class StaffSession(Base):
    """A logged-in staff session, held server-side so that logout and deactivation end it at once."""

    __tablename__ = "staff_session"

    token_hash: Mapped[bytes] = mapped_column(sa.LargeBinary(32), primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("staff_user.id", ondelete="CASCADE"), index=True)
    # Staff sessions keep times (for idle and absolute timeouts); submitters' data never does.
    created_at: Mapped[datetime]
    last_seen_at: Mapped[datetime]

    user: Mapped[StaffUser] = orm.relationship()


class Reply(Base):
    __tablename__ = "reply"
    # Staff replies and submitters' answers in one table: without a rowid they share no counter either.
    __table_args__ = NO_ROWID

    # Random ids and a place within the thread: a global counter would order a submitter's answer
    # among timed staff events, and so give away roughly when they wrote.
    id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True, default=uuid.uuid4)
    submission_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("submission.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int]
    # "staff" or "submitter"; which staff member wrote it is in the audit log.
    author: Mapped[str] = mapped_column(sa.String(20))
    body: Mapped[str] = mapped_column(sa.Text)
    written_on: Mapped[date]


class RevealRequest(Base):
    """A facilitator's request to see a named submitter's identity, awaiting a second person's approval."""

    __tablename__ = "reveal_request"
    # Never reuse an id (SQLite would give a deleted highest row's number to the next request): audit events
    # name requests by id, and two naming one id for different submissions would bracket a withdrawal.
    __table_args__ = {"sqlite_autoincrement": True}

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("submission.id", ondelete="CASCADE"), index=True
    )
    requested_by: Mapped[int] = mapped_column(sa.ForeignKey("staff_user.id"))
    reason: Mapped[str] = mapped_column(sa.Text)
    status: Mapped[str] = mapped_column(sa.String(20), default="pending")  # pending, approved, used, denied
    decided_by: Mapped[int | None] = mapped_column(sa.ForeignKey("staff_user.id"))


class Setting(Base):
    """Instance settings an admin changes at run time (e.g. two-person approval of reveals)."""

    __tablename__ = "setting"

    key: Mapped[str] = mapped_column(sa.String(80), primary_key=True)
    value: Mapped[str] = mapped_column(sa.String(200))


class AuditEvent(Base):
    """Append-only and hash-chained: each row carries the hash of the one before it."""

    __tablename__ = "audit_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Staff actions keep their time; a submitter's own action (withdrawal) keeps only its date.
    occurred_at: Mapped[datetime]
    actor_id: Mapped[int | None] = mapped_column(sa.Integer)
    actor: Mapped[str] = mapped_column(sa.String(254))
    action: Mapped[str] = mapped_column(sa.String(60), index=True)
    submission_id: Mapped[uuid.UUID | None] = mapped_column(sa.Uuid)
    reason: Mapped[str] = mapped_column(sa.Text, default="")
    details: Mapped[str] = mapped_column(sa.Text, default="")
    prev_hash: Mapped[str] = mapped_column(sa.String(64))
    hash: Mapped[str] = mapped_column(sa.String(64), unique=True)


class Theme(Base):
    """A code in the codebook. Two levels: a theme may have a parent, and a parent has none."""

    __tablename__ = "theme"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(80), unique=True)
    definition: Mapped[str] = mapped_column(sa.String(200), default="")
    example: Mapped[str] = mapped_column(sa.Text, default="")
    colour: Mapped[str] = mapped_column(sa.String(7), default=DEFAULT_THEME_COLOUR)  # "#rrggbb"
    # Words or phrases (one per line) whose presence in a submission suggests this theme.
    keywords: Mapped[str] = mapped_column(sa.Text, default="")
    parent_id: Mapped[int | None] = mapped_column(sa.ForeignKey("theme.id"), index=True)
    archived: Mapped[bool] = mapped_column(default=False)
    # Set when this theme was merged into another; its taggings moved there.
    merged_into_id: Mapped[int | None] = mapped_column(sa.ForeignKey("theme.id"))
    # Versions in other languages of the organisation's text above ({"es": {"name": ...}}); the
    # columns stay the base (English) text. feedback.services.content_language chooses what a reader sees.
    versions: Mapped[dict[str, dict[str, str]]] = mapped_column(sa.JSON, default=dict, server_default="{}")

    parent: Mapped[Theme | None] = orm.relationship(remote_side=[id], foreign_keys=[parent_id])


class Tagging(Base):
    """A person tagged a submission with a theme (who and when is in the audit log)."""

    __tablename__ = "tagging"
    # The summary counts by theme and reads a theme's submissions in id order (its quotes).
    __table_args__ = (sa.Index("ix_tagging_theme_submission", "theme_id", "submission_id"),)

    submission_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("submission.id", ondelete="CASCADE"), primary_key=True
    )
    theme_id: Mapped[int] = mapped_column(sa.ForeignKey("theme.id", ondelete="CASCADE"), primary_key=True)


class SuggestionDecision(Base):
    """A facilitator accepted or dismissed a suggested theme; a dismissed one is not suggested again."""

    __tablename__ = "suggestion_decision"

    submission_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("submission.id", ondelete="CASCADE"), primary_key=True
    )
    theme_id: Mapped[int] = mapped_column(sa.ForeignKey("theme.id", ondelete="CASCADE"), primary_key=True)
    decision: Mapped[str] = mapped_column(sa.String(20))  # "accepted" or "dismissed"


class DuplicateLink(Base):
    """A near-duplicate grouped under a representative submission, which counts the group's size."""

    __tablename__ = "duplicate_link"

    submission_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("submission.id", ondelete="CASCADE"), primary_key=True
    )
    representative_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("submission.id", ondelete="CASCADE"), index=True
    )


class Release(Base):
    """A town hall's numbers as released to leadership: noisy counts from feedback.services.summary.disclosure.

    Leadership pages show a hall's latest release, never live counts. epsilon is the privacy loss this
    release spent (the hall's budget is the sum over its releases); scale and theme_cap are the
    mechanism's parameters when it was made. Who released it and when is in the audit log.
    """

    __tablename__ = "summary_release"
    __table_args__ = (sa.UniqueConstraint("town_hall_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    town_hall_id: Mapped[int] = mapped_column(sa.ForeignKey("town_hall.id", ondelete="CASCADE"), index=True)
    number: Mapped[int]  # 1, 2, ... within the town hall
    released_on: Mapped[date]
    epsilon: Mapped[float]
    scale: Mapped[float]
    theme_cap: Mapped[int]


class ReleasedCount(Base):
    """One noisy count of a release: kind is status, affiliation or theme; key names the cell.

    (Group sizes are released too, but stored on the quotes they caption: ReleasedQuote.raised_by.)
    """

    __tablename__ = "released_count"

    release_id: Mapped[int] = mapped_column(sa.ForeignKey("summary_release.id", ondelete="CASCADE"),
                                            primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(20), primary_key=True)
    key: Mapped[str] = mapped_column(sa.String(200), primary_key=True)
    value: Mapped[int]  # may be negative: noise is added to the true count and never clipped in storage


class ReleasedQuote(Base):
    """A published submission a release quotes under a theme (shown while it stays published)."""

    __tablename__ = "released_quote"

    release_id: Mapped[int] = mapped_column(sa.ForeignKey("summary_release.id", ondelete="CASCADE"),
                                            primary_key=True)
    theme_id: Mapped[int] = mapped_column(sa.ForeignKey("theme.id", ondelete="CASCADE"), primary_key=True)
    submission_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("submission.id", ondelete="CASCADE"), primary_key=True
    )
    position: Mapped[int]
    # The released (noisy) size of the near-duplicate group it leads; None when it leads no published group.
    # Kept on the quote, not as a count keyed by the submission's id, so a withdrawal takes it along.
    raised_by: Mapped[int | None]


class Action(Base):
    """An action of the plan: public once published; sub-actions have a parent (one level)."""

    __tablename__ = "action"

    id: Mapped[int] = mapped_column(primary_key=True)
    parent_id: Mapped[int | None] = mapped_column(sa.ForeignKey("action.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(sa.String(200))
    description: Mapped[str] = mapped_column(sa.Text, default="")
    owner: Mapped[str] = mapped_column(sa.String(200), default="")  # public: an office or a role
    status: Mapped[str] = mapped_column(sa.String(40))  # a key of ACTION_STATUSES
    progress_from: Mapped[str] = mapped_column(sa.String(20), default="status")  # manual, status or sub-actions
    progress: Mapped[int] = mapped_column(default=0)  # 0 to 100, when progress_from is manual
    target_on: Mapped[date | None]
    next_update_due: Mapped[date | None]
    wont_do_reason: Mapped[str] = mapped_column(sa.Text, default="")
    published: Mapped[bool] = mapped_column(default=False)
    # The day it was first published: from then on its status and progress change only through the timeline,
    # even if it is unpublished for a while.
    first_published_on: Mapped[date | None]
    created_on: Mapped[date]
    # Versions in other languages of the organisation's text above ({"es": {"title": ..., "description": ...}}); the
    # columns stay the base (English) text. feedback.services.content_language chooses what a reader sees.
    versions: Mapped[dict[str, dict[str, str]]] = mapped_column(sa.JSON, default=dict, server_default="{}")


class ActionUpdate(Base):
    """A dated entry of an action's timeline, public from publish_on; never edited or deleted."""

    __tablename__ = "action_update"

    id: Mapped[int] = mapped_column(primary_key=True)
    action_id: Mapped[int] = mapped_column(sa.ForeignKey("action.id", ondelete="CASCADE"), index=True)
    written_on: Mapped[date]
    publish_on: Mapped[date]
    text: Mapped[str] = mapped_column(sa.Text, default="")
    status: Mapped[str | None] = mapped_column(sa.String(40))  # the status it moved the action to
    progress: Mapped[int | None]  # the manual progress it set
    next_update_due: Mapped[date | None]  # the "next update due" it set, public (and in force) from publish_on


class ActionTheme(Base):
    """An action answers a theme (shown publicly)."""

    __tablename__ = "action_theme"

    action_id: Mapped[int] = mapped_column(sa.ForeignKey("action.id", ondelete="CASCADE"), primary_key=True)
    theme_id: Mapped[int] = mapped_column(sa.ForeignKey("theme.id", ondelete="CASCADE"), primary_key=True)


class ActionTownHall(Base):
    """An action came out of a town hall (shown publicly)."""

    __tablename__ = "action_town_hall"

    action_id: Mapped[int] = mapped_column(sa.ForeignKey("action.id", ondelete="CASCADE"), primary_key=True)
    town_hall_id: Mapped[int] = mapped_column(sa.ForeignKey("town_hall.id", ondelete="CASCADE"), primary_key=True)


class ActionSubmission(Base):
    """Staff linked a submission to an action: internal only, never shown publicly."""

    __tablename__ = "action_submission"
    __table_args__ = (NO_ROWID,)

    action_id: Mapped[int] = mapped_column(sa.ForeignKey("action.id", ondelete="CASCADE"), primary_key=True)
    submission_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("submission.id", ondelete="CASCADE"), primary_key=True
    )


class ActionFeedback(Base):
    """A submission someone sent from an action's page, about that action."""

    __tablename__ = "action_feedback"
    __table_args__ = (NO_ROWID,)

    submission_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("submission.id", ondelete="CASCADE"), primary_key=True
    )
    action_id: Mapped[int] = mapped_column(sa.ForeignKey("action.id", ondelete="CASCADE"), index=True)


class HelpAnswer(Base):
    """An answer to "did this help?" about a done action: no metadata; one per receipt when one is given."""

    __tablename__ = "help_answer"
    __table_args__ = (sa.UniqueConstraint("action_id", "receipt_hash"), NO_ROWID)

    id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True, default=uuid.uuid4)
    action_id: Mapped[int] = mapped_column(sa.ForeignKey("action.id", ondelete="CASCADE"), index=True)
    answer: Mapped[str] = mapped_column(sa.String(20))  # helped, somewhat, no, too-early
    comment: Mapped[str] = mapped_column(sa.Text, default="")
    # Given with a receipt: a keyed hash of the receipt code and the action, which the submission's own
    # receipt_hash cannot be matched to (the code is never stored); None from an action's page.
    receipt_hash: Mapped[bytes | None] = mapped_column(sa.LargeBinary(32))
    # The keyed hash of the form's one-time token: a retried or double-clicked answer is stored once.
    form_token_hash: Mapped[bytes | None] = mapped_column(sa.LargeBinary(32), unique=True)


class AnswerRelease(Base):
    """The answers to "did this help?", released to leadership with noise (every action at once).

    Like a town hall's Release: leadership reads the latest one, never live counts; epsilon is what it
    spent of the answers' budget. Who released it and when is in the audit log.
    """

    __tablename__ = "answer_release"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[int] = mapped_column(unique=True)  # 1, 2, ...
    released_on: Mapped[date]
    epsilon: Mapped[float]
    scale: Mapped[float]


class ReleasedAnswer(Base):
    """One noisy count of an answer release: how many said answer about an action."""

    __tablename__ = "released_answer"

    release_id: Mapped[int] = mapped_column(sa.ForeignKey("answer_release.id", ondelete="CASCADE"), primary_key=True)
    action_id: Mapped[int] = mapped_column(sa.ForeignKey("action.id", ondelete="CASCADE"), primary_key=True)
    answer: Mapped[str] = mapped_column(sa.String(20), primary_key=True)
    value: Mapped[int]  # may be negative: noise is never clipped in storage


class SimilarityBucket(Base):
    """One LSH band of a submission's MinHash signature: submissions sharing a bucket are candidate look-alikes.

    feedback.services.themes.similarity_index owns these rows: written at intake in the submitter's
    transaction, so the table is keyed by the bucket (never by arrival) and has no rowid; a withdrawal or
    erasure removes them with the submission. town_hall_id is the submission's (the key's first column, so a
    look-up stays in one town hall) without a foreign key of its own: the submission's already holds the
    town hall, and PostgreSQL checked the key again for each of a submission's 128 rows at intake.
    """

    __tablename__ = "similarity_bucket"
    __table_args__ = NO_ROWID

    town_hall_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    band: Mapped[int] = mapped_column(sa.SmallInteger, primary_key=True)
    bucket: Mapped[int] = mapped_column(sa.BigInteger, primary_key=True)
    submission_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("submission.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class NotificationPreference(Base):
    """What a staff member chose to be told by email; no row means nothing."""

    __tablename__ = "notification_preference"

    user_id: Mapped[int] = mapped_column(sa.ForeignKey("staff_user.id", ondelete="CASCADE"), primary_key=True)
    escalations: Mapped[bool] = mapped_column(default=False)
    answers: Mapped[bool] = mapped_column(default=False)
    reveal_requests: Mapped[bool] = mapped_column(default=False)
    daily_digest: Mapped[bool] = mapped_column(default=False)
    # The last hour (UTC, on the hour) and day already told about, so each is told once.
    answers_told_until: Mapped[datetime | None]
    digest_told_for: Mapped[date | None]


class OutgoingMail(Base):
    """A message waiting to be sent, sent, or failed: counts and links only, never a submission's text or identity.

    To a staff member (user_id) or to a named submitter who allowed contact (submission_id): the address
    is unsealed only by the sender, at the moment it sends, and is never stored here. Rows are made by
    staff actions and by the drain itself, never in a submitter's request.
    """

    __tablename__ = "outgoing_mail"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(40))
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("staff_user.id", ondelete="CASCADE"), index=True)
    submission_id: Mapped[uuid.UUID | None] = mapped_column(
        sa.ForeignKey("submission.id", ondelete="CASCADE"), index=True
    )
    subject: Mapped[str] = mapped_column(sa.String(200))
    body: Mapped[str] = mapped_column(sa.Text)
    status: Mapped[str] = mapped_column(sa.String(20), default="queued", index=True)  # queued, sent, failed
    attempts: Mapped[int] = mapped_column(default=0)
    send_after: Mapped[datetime]
    last_error: Mapped[str | None] = mapped_column(sa.String(200))  # a class and an SMTP code, never an address
    sent_at: Mapped[datetime | None]


class BulkChange(Base):
    """A bulk action on the desk, kept for a few minutes so that its author can undo it."""

    __tablename__ = "bulk_change"

    id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True, default=uuid.uuid4)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("staff_user.id", ondelete="CASCADE"), index=True)
    town_hall_id: Mapped[int] = mapped_column(sa.ForeignKey("town_hall.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(sa.String(20))  # "status" or "tag"
    made_at: Mapped[datetime]
    undone_at: Mapped[datetime | None]

    items: Mapped[list[BulkChangeItem]] = orm.relationship(cascade="all, delete-orphan", passive_deletes=True)


class BulkChangeItem(Base):
    """One submission a bulk action changed, with what it was before (a status, or a theme it did not have)."""

    __tablename__ = "bulk_change_item"

    bulk_change_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("bulk_change.id", ondelete="CASCADE"), primary_key=True
    )
    submission_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("submission.id", ondelete="CASCADE"), primary_key=True
    )
    theme_id: Mapped[int] = mapped_column(primary_key=True, default=0)  # 0 for a status change
    status_before: Mapped[str | None] = mapped_column(sa.String(20))
    hidden_reason_before: Mapped[str | None] = mapped_column(sa.String(40))


class LiveSession(Base):
    """A town hall's live question session: started and ended by a facilitator, joined by its event code.

    version goes up with every change an audience, presenter or moderator page shows (a question asked,
    approved, moved, shown, voted for): pages poll it (an ETag) instead of reading the questions again.
    No time is kept: the audit log has when it started and ended.
    """

    __tablename__ = "live_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    town_hall_id: Mapped[int] = mapped_column(sa.ForeignKey("town_hall.id"), index=True)
    code: Mapped[str] = mapped_column(sa.String(12), unique=True)  # the event code people type, e.g. "K7QF2M"
    state: Mapped[str] = mapped_column(sa.String(12), default="running")  # "running" or "ended"
    version: Mapped[int] = mapped_column(default=0)
    # SHA-256 of the presenter screen's token; None: no presenter link (never made, or revoked).
    presenter_token_hash: Mapped[bytes | None] = mapped_column(sa.LargeBinary(32), unique=True)


class LiveQuestion(Base):
    """A submission asked during a live session, with its place in the session (the submission holds the text,
    the status and the identity, as for any other concern)."""

    __tablename__ = "live_question"
    __table_args__ = (NO_ROWID,)

    submission_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("submission.id", ondelete="CASCADE"), primary_key=True
    )
    live_session_id: Mapped[int] = mapped_column(sa.ForeignKey("live_session.id", ondelete="CASCADE"), index=True)
    # pending, approved, on_screen, answered, dismissed, merged (services/live/questions.QuestionState)
    state: Mapped[str] = mapped_column(sa.String(12), default="pending")
    position: Mapped[int | None]  # its place in the approved queue, set at approval and by moving it
    presenter_note: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    # A burst of votes flagged it: the count shown stays at counted_votes until a moderator checks the votes.
    flagged: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    counted_votes: Mapped[int | None]


class LiveVote(Base):
    """One "me too" from one browser for one question: no address, no identity, no time.

    voter_key is an HMAC of the browser's secret (in its signed cookie) and the question's id
    (crypto.live_voter_key), so one browser's votes for different questions cannot be linked, and the
    table is keyed by it (no rowid), so its order says nothing about when a vote came.
    """

    __tablename__ = "live_vote"
    __table_args__ = (NO_ROWID,)

    submission_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("submission.id", ondelete="CASCADE"), primary_key=True
    )
    voter_key: Mapped[bytes] = mapped_column(sa.LargeBinary(32), primary_key=True)
    # Came in the burst that flagged its question, or after: it counts only once a moderator counts the held
    # votes (questions.check_votes, keep=True); discarding them deletes it.
    held: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
