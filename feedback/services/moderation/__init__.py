"""Moderation: the desk, replies, identifying details, reveals (escrow)."""
