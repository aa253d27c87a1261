"""Privacy: identity records, erasure, retention, master-key rotation."""
