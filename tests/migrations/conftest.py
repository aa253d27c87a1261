"""Fixtures for migration tests: an engine on a fresh, empty database, on each backend in turn."""

from __future__ import annotations

import pytest

from feedback.db import make_engine


@pytest.fixture
def engine(database_url):
    """An engine on an empty database (no schema at all), disposed of after the test."""
    engine = make_engine(database_url)
    yield engine
    engine.dispose()
