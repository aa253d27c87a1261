"""Blueprints: thin views that validate, call a service, and render what it returns."""
