"""Fixtures for the themes tests."""

from __future__ import annotations

import pytest

from tests.factories import make_theme


@pytest.fixture
def codebook(db_session):
    """Safety (with Harassment under it), Pay, and an archived theme."""
    safety = make_theme(db_session, "Safety", colour="#a4161a")
    return {"safety": safety, "harassment": make_theme(db_session, "Harassment", parent_id=safety.id),
            "pay": make_theme(db_session, "Pay"), "old": make_theme(db_session, "Old theme", archived=True)}
