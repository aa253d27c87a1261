"""Themes: the codebook and its CSV, tagging, suggestions, similarity, near-duplicates."""
