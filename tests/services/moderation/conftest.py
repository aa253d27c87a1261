"""Fixtures for the moderation tests."""

from __future__ import annotations

import pytest


@pytest.fixture
def app_with(make_app):
    """An app with these config overrides, a session on its database, and its key ring."""
    sessions = []

    def make(**config):
        app = make_app(**config)
        sessions.append(app.extensions["feedback_db"]())
        return app, sessions[-1], app.extensions["feedback_keyring"]

    yield make
    for session in sessions:
        session.close()
