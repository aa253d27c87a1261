"""Business logic as plain functions over (database session, values): no request, no rendering."""
