"""Alembic environment: runs on the connection that feedback.db.migrating passes in (one upgrader at a time)."""

from __future__ import annotations

from alembic import context

from feedback.db import compared
from feedback.models import Base

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
    include_object=compared,
)
with context.begin_transaction():
    context.run_migrations()
