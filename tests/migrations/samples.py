"""Representative rows as each past revision's schema holds them, parents before children.

AT_<rev> is everything a database at that revision holds; ADDED_IN_<rev> the rows of the tables it created.
A new revision's test loads AT_<the revision before>, upgrades, and checks; add AT_<new> for the next one.
Rows from before a revision never change: they are what databases out there hold.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime

from tests.migrations.rows import Rows

NAMED = uuid.UUID("3f1d6a52-8a7e-4c55-9a43-0b1f0e0c2d11")
PUBLISHED = uuid.UUID("a2b9c0de-55f1-4d6b-8e8e-3c4d5e6f7a80")
HIDDEN = uuid.UUID("0c77e1f2-1b2a-4f0e-b3a1-9d8c7b6a5f42")
NEAR_DUPLICATE = uuid.UUID("d4e5f6a7-b8c9-4d0e-9f1a-2b3c4d5e6f70")
ERASED = uuid.UUID("7b8c9d0e-1f2a-4b3c-8d4e-5f6a7b8c9d0e")
REPLY = uuid.UUID("5e6f7a8b-9c0d-4e1f-8a2b-3c4d5e6f7a8b")


def _submission(id: uuid.UUID, n: int, **values) -> dict:
    row = {"id": id, "town_hall_id": 1, "body": f"Submission {n}: the night shift feels unseen.\nSecond line, café.",
           "redacted_body": None, "received_on": date(2025, 3, 4), "status": "pending", "hidden_reason": None,
           "affiliation": None, "is_named": False, "receipt_hash": bytes([n]) * 32,
           "form_token_hash": bytes([100 + n]) * 32}
    return row | values


AT_0001: Rows = {
    "town_hall": [
        {"id": 1, "slug": "belonging-on-the-wards", "title": "Belonging on the wards", "description": "Spring.",
         "held_on": date(2025, 3, 20), "intake_opens_on": date(2025, 3, 1), "intake_closes_on": date(2025, 3, 31),
         "status": "active"},
        {"id": 2, "slug": "pay-and-hours", "title": "Pay and hours", "description": "",
         "held_on": date(2024, 11, 2), "intake_opens_on": date(2024, 10, 1), "intake_closes_on": date(2024, 10, 31),
         "status": "archived"},
    ],
    "submission": [
        _submission(NAMED, 1, is_named=True),
        _submission(PUBLISHED, 2, status="published", redacted_body="Submission 2: [redacted].",
                    affiliation="Staff"),
        _submission(HIDDEN, 3, status="hidden", hidden_reason="identifying", town_hall_id=2),
        _submission(NEAR_DUPLICATE, 4, status="published"),
    ],
    "identity": [
        {"submission_id": NAMED, "key_id": "master-2025-01", "wrapped_key": b"\x01" * 40, "nonce": b"\x02" * 12,
         "ciphertext": b"\x03" * 64, "email_index": b"\x04" * 32},
    ],
}

ADDED_IN_0002: Rows = {
    "staff_user": [
        {"id": 1, "email": "admin@example.org", "display_name": "Ada Admin", "role": "admin",
         "password_hash": "$argon2id$v=19$m=8,t=1,p=1$c2FsdA$aGFzaA", "is_active": True},
        {"id": 2, "email": "facilitator@example.org", "display_name": "Fay Facilitator", "role": "facilitator",
         "password_hash": "$argon2id$v=19$m=8,t=1,p=1$c2FsdA$aGFzaA", "is_active": False},
    ],
    "staff_session": [
        {"token_hash": b"\x05" * 32, "user_id": 2, "created_at": datetime(2025, 3, 5, 9, 0),
         "last_seen_at": datetime(2025, 3, 5, 9, 30)},
    ],
    "setting": [{"key": "reveal_needs_approval", "value": "yes"}],
    "reply": [
        {"id": REPLY, "submission_id": NAMED, "position": 1, "author": "staff", "body": "Thank you; we hear you.",
         "written_on": date(2025, 3, 6)},
    ],
    "reveal_request": [
        {"id": 1, "submission_id": NAMED, "requested_by": 2, "reason": "Safeguarding: a threat of harm.",
         "status": "approved", "decided_by": 1},
    ],
    "audit_event": [
        {"id": 1, "occurred_at": datetime(2025, 3, 6, 10, 0), "actor_id": 2, "actor": "facilitator@example.org",
         "action": "identity_revealed", "submission_id": NAMED, "reason": "Safeguarding.", "details": "{}",
         "prev_hash": "0" * 64, "hash": "a" * 64},
        {"id": 2, "occurred_at": datetime(2025, 3, 6, 10, 5), "actor_id": None, "actor": "system",
         "action": "identities_purged", "submission_id": None, "reason": "", "details": '{"count": 0}',
         "prev_hash": "a" * 64, "hash": "b" * 64},
    ],
}
AT_0002: Rows = {**AT_0001, **ADDED_IN_0002}

ADDED_IN_0003: Rows = {
    "theme": [
        {"id": 1, "name": "Belonging", "definition": "Feeling part of the team.", "example": "Nobody says hello.",
         "colour": "#4c6a92", "keywords": "belong\nwelcome", "parent_id": None, "archived": False,
         "merged_into_id": None},
        {"id": 2, "name": "Night shifts", "definition": "", "example": "", "colour": "#aa3377", "keywords": "",
         "parent_id": 1, "archived": False, "merged_into_id": None},
        {"id": 3, "name": "Welcome", "definition": "", "example": "", "colour": "#228833", "keywords": "",
         "parent_id": None, "archived": True, "merged_into_id": 1},
    ],
    "tagging": [
        {"submission_id": PUBLISHED, "theme_id": 1},
        {"submission_id": PUBLISHED, "theme_id": 2},
    ],
    "suggestion_decision": [{"submission_id": HIDDEN, "theme_id": 1, "decision": "dismissed"}],
    "duplicate_link": [{"submission_id": NEAR_DUPLICATE, "representative_id": PUBLISHED}],
}
AT_0003: Rows = {**AT_0002, **ADDED_IN_0003}

# 0004 added submission.identity_deleted: a named submission whose identity was erased keeps the flag.
AT_0004: Rows = {**AT_0003, "submission": [
    *(row | {"identity_deleted": False} for row in AT_0003["submission"]),
    _submission(ERASED, 5, is_named=True, identity_deleted=True),
]}

# 0005 changed staff emails only, 0006 how SQLite stores three tables and 0007 how it numbers reveal
# requests: the rows are 0004's.
AT_0005: Rows = AT_0004
AT_0006: Rows = AT_0005
AT_0007: Rows = AT_0006
