"""Staff emails folded with casefold(), the one normalisation of an email (blind indexes always used it), not lower().

The two differ only outside ASCII (ß and ss, ſ and s, final ς and σ ...), so most rows do not change. An
account whose folded email another account already has keeps its email as it was, with a warning: logins
reach the other one.

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

import logging

import sqlalchemy as sa
from alembic import op

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None

staff_user = sa.table("staff_user", sa.column("id", sa.Integer()), sa.column("email", sa.String()))


def upgrade() -> None:
    connection = op.get_bind()
    emails = {user_id: email for user_id, email in connection.execute(sa.select(staff_user.c.id, staff_user.c.email))}
    taken = set(emails.values())
    for user_id, email in sorted(emails.items()):
        folded = email.casefold()
        if folded == email:
            continue
        if folded in taken:
            logging.getLogger(__name__).warning(
                "Staff account %s keeps its email as it was: another account has the same one once casefolded, "
                "and logins now reach that one. Deactivate whichever of the two is not in use.", user_id)
            continue
        connection.execute(sa.update(staff_user).where(staff_user.c.id == user_id).values(email=folded))
        taken.discard(email)
        taken.add(folded)


def downgrade() -> None:
    # Left folded: the lower() spelling is not kept (ß became ss), and ASCII emails never changed.
    pass
