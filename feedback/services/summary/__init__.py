"""Summary: the leadership counts, small-group suppression, exports."""
