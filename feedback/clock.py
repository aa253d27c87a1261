"""The one clock of the app: today's date in UTC (we never need, or keep, the time of day)."""

from __future__ import annotations

from datetime import UTC, date, datetime


def today() -> date:
    return datetime.now(UTC).date()


def now() -> datetime:
    """The current UTC time, without tzinfo (as stored), for staff sessions and the audit log only."""
    return datetime.now(UTC).replace(tzinfo=None, microsecond=0)
