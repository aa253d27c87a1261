"""Helpers for the desk's tests: a submission in a given state, the listed rows, the desk's forms."""

from __future__ import annotations

import uuid
from datetime import timedelta

from feedback.models import Submission
from tests.browsing import post_form
from tests.desk_helpers import ROW_ID
from tests.factories import make_submission, today


def add(db_session, ring, hall, body="A concern.", *, status="pending", days_ago=0, affiliation=None, **fields):
    """A submission through the intake service, then moved to the status and day a test needs."""
    receipt = make_submission(db_session, ring, hall, body, affiliation=affiliation, **fields)
    row = db_session.get(Submission, receipt.submission_id)
    row.status, row.received_on = status, today() - timedelta(days=days_ago)
    db_session.commit()
    return receipt.submission_id


def listed(client, slug, **args) -> list[uuid.UUID]:
    response = client.get(f"/facilitate/{slug}", query_string=args)
    assert response.status_code == 200, response.status_code
    return [uuid.UUID(value) for value in ROW_ID.findall(response.get_data(as_text=True))]


def bulk(client, slug, action, ids, query="", **fields):
    page = f"/facilitate/{slug}"
    return post_form(client, f"{page}/bulk{query}", page, action=action, selected=[str(i) for i in ids], **fields)


def post_on(client, submission_id, what: str, **fields):
    """Post the submission page's form for `what` (redaction, status, reply)."""
    page = f"/facilitate/s/{submission_id}"
    return post_form(client, f"{page}/{what}", page, **fields)


def statuses(db_session, ids) -> list[str]:
    db_session.rollback()  # a fresh read: end the session's snapshot and forget what it loaded
    return [db_session.get(Submission, i).status for i in ids]
