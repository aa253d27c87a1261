"""Looking a submission up by its receipt code."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlalchemy import orm

from feedback import crypto
from feedback.models import Submission, SubmissionStatus

# What a submitter is told about each status, in their words rather than ours.
STATUS_TEXT = {
    SubmissionStatus.PENDING: "Received. A facilitator has not reviewed it yet.",
    SubmissionStatus.PUBLISHED: "Reviewed and included in what leadership sees.",
    SubmissionStatus.HIDDEN: "Reviewed, and not included in what leadership sees.",
    SubmissionStatus.ESCALATED: "Reviewed, and passed on for formal handling.",
}


@dataclass(frozen=True)
class ReceiptView:
    town_hall_title: str
    received_on: date
    status: str
    status_text: str
    body: str
    redacted_body: str | None
    is_named: bool


def look_up(session: orm.Session, ring: crypto.KeyRing, code: str) -> ReceiptView | None:
    """The submission a receipt code belongs to, or None for any code that is not one."""
    digest = crypto.receipt_hash(ring, code)
    if digest is None:
        return None
    submission = session.scalar(sa.select(Submission).where(Submission.receipt_hash == digest))
    if submission is None:
        return None
    status = SubmissionStatus(submission.status)
    return ReceiptView(
        town_hall_title=submission.town_hall.title,
        received_on=submission.received_on,
        status=status.value,
        status_text=STATUS_TEXT[status],
        body=submission.body,
        redacted_body=submission.redacted_body,
        is_named=submission.is_named,
    )
