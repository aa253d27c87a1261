"""Intake: town halls, submitting a concern, receipts."""
