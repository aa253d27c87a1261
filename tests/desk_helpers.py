"""Helpers shared by the desk, tagging, suggestion and duplicate tests (their fixtures are in conftest)."""

from __future__ import annotations

import re
import uuid

from tests.factories import make_submission

ROW_ID = re.compile(r'name="selected" value="([0-9a-f-]{36})"')
CHECKED_ID = re.compile(r'name="selected" value="([0-9a-f-]{36})"[^>]*\bchecked\b')


def add(db_session, ring, hall, body="A concern.") -> uuid.UUID:
    return make_submission(db_session, ring, hall, body).submission_id
