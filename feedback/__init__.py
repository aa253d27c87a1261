"""Town Hall Feedback: let a community tell its leaders difficult truths, safely."""

from __future__ import annotations

from flask import Flask

from feedback import (
    auth,
    cli,
    config,
    db,
    errors,
    filters,
    headers,
    i18n,
    keyring,
    limits,
    live_http,
    logs,
    padding,
    sanitize,
)
from feedback.config import ROOT
from feedback.extensions import csrf
from feedback.views import (
    admin,
    codebook,
    escrow,
    facilitate,
    leadership,
    live,
    live_staff,
    notifications,
    plan,
    plan_staff,
    presenter,
    public,
    receipts,
    releases,
    tagging,
    town_halls,
)
from feedback.views import auth as auth_views


def create_app(test_config: dict | None = None) -> Flask:
    """Create and configure an instance of the Flask application."""
    app = Flask(
        __name__,
        template_folder=ROOT / "templates",
        static_folder=ROOT / "static",
        instance_path=str(config.instance_path()),
        instance_relative_config=True,
    )
    config.load(app, test_config)
    keyring.init_app(app)
    logs.init_app(app)
    db.init_app(app)
    headers.init_app(app)
    padding.init_app(app)
    errors.init_app(app)
    sanitize.init_app(app)
    i18n.init_app(app)  # the switch's blueprint too
    filters.init_app(app)
    auth.init_app(app)  # before CSRF: deny by default comes first
    csrf.init_app(app)
    app.register_blueprint(public.bp)
    app.register_blueprint(receipts.bp)
    app.register_blueprint(auth_views.bp)
    app.register_blueprint(admin.bp)
    app.register_blueprint(escrow.bp)
    app.register_blueprint(facilitate.bp)
    app.register_blueprint(releases.bp)
    app.register_blueprint(codebook.bp)
    app.register_blueprint(tagging.bp)
    app.register_blueprint(leadership.bp)
    app.register_blueprint(town_halls.bp)
    app.register_blueprint(plan.bp)
    app.register_blueprint(plan_staff.bp)
    app.register_blueprint(notifications.bp)
    app.register_blueprint(live.bp)
    app.register_blueprint(presenter.bp)
    app.register_blueprint(live_staff.bp)
    live_http.init_app(app)  # the audience feed's 304 before Flask
    limits.init_app(app)  # wraps the views registered above
    cli.init_app(app)
    return app
