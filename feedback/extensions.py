"""Flask extensions, created once here and bound to each app in create_app."""

from __future__ import annotations

from flask_wtf.csrf import CSRFProtect

csrf = CSRFProtect()
