"""What other services call, inside their own write, when something staff may want to be told about happens.

Each call only queues mail (feedback.models.OutgoingMail) in the caller's transaction; nothing is sent
here, and nothing here can fail the caller's request.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import orm

from feedback import audit


def escalated(session: orm.Session, submission_ids: list[uuid.UUID], *, by: audit.Actor, now: datetime) -> None:
    """Submissions were just escalated (by a staff member, inside the caller's write)."""
