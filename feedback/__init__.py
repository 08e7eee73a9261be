"""feedback: client-experience surveys after every contact, and the client-perspective report."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Flask

from feedback.config import from_environment, is_local
from feedback.extensions import babel, celery_init_app, csrf, db, login_manager, migrate

__all__ = ["create_app"]


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """Build the application: the same factory serves the web process, the worker and the CLI."""
    app = Flask(__name__, instance_relative_config=True)
    app.config.from_mapping(from_environment(app.instance_path))
    if config:
        celery_overrides = config.pop("CELERY", None)
        app.config.update(config)
        if celery_overrides:
            app.config["CELERY"] = {**app.config["CELERY"], **celery_overrides}
    _ensure_folders(app)

    db.init_app(app)
    migrate.init_app(app, db, directory=str(migrations_dir()), render_as_batch=True)
    csrf.init_app(app)
    login_manager.init_app(app)

    from feedback import i18n, logging_setup

    logging_setup.configure(app)
    babel.init_app(app, locale_selector=i18n.select_locale, timezone_selector=i18n.select_timezone)
    app.jinja_env.globals["other_language"] = i18n.other_language
    app.jinja_env.globals["get_locale"] = i18n.current_locale
    from feedback.channels.registry import channel_title
    from feedback.governance.permissions import can

    app.jinja_env.globals["can"] = can
    app.jinja_env.globals["channel_title"] = lambda name: channel_title(name, i18n.current_locale())
    celery_init_app(app)

    from feedback import models  # noqa: F401  (registers every table on db.metadata)
    from feedback.channels.registry import init_channels
    from feedback.conversations import subscribers
    from feedback.follow_ups import subscribers as follow_up_subscribers
    from feedback.sms import preview as sms_preview

    subscribers.connect()
    follow_up_subscribers.connect()
    sms_preview.connect()

    _register_blueprints(app)
    init_channels(app)
    from feedback.walk_in.channel import register as register_walk_in_channel

    register_walk_in_channel(app)

    from feedback import static_assets, web_security

    web_security.init_app(app)
    static_assets.init_app(app)

    from feedback.cli import register_commands

    register_commands(app)
    return app


def migrations_dir() -> Path:
    """The Alembic revisions, shipped inside the package so that a wheel can upgrade a database."""
    return Path(__file__).resolve().parent / "migrations"


def _ensure_folders(app: Flask) -> None:
    for key in ("REPORTS_DIR", "OUTBOX_DIR"):
        if app.config.get(key):
            Path(app.config[key]).mkdir(parents=True, exist_ok=True)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)


def _register_blueprints(app: Flask) -> None:
    from feedback.accounts.key_views import bp as api_keys_bp
    from feedback.accounts.user_views import bp as users_bp
    from feedback.accounts.views import bp as accounts_bp
    from feedback.api.views import bp as api_bp
    from feedback.audit.views import bp as audit_bp
    from feedback.consent.views import bp as consent_bp
    from feedback.distribution.views import bp as rules_bp
    from feedback.errors import register_error_handlers
    from feedback.follow_ups.views import bp as follow_ups_bp
    from feedback.programs.views import bp as programs_bp
    from feedback.questionnaires.views import bp as questionnaires_bp
    from feedback.reporting.actions.views import bp as actions_bp
    from feedback.reporting.export_views import bp as export_bp
    from feedback.reporting.views import bp as reporting_bp
    from feedback.surveys.views import bp as surveys_bp
    from feedback.walk_in.views import bp as walk_in_bp
    from feedback.walk_in.views import public as walk_in_visit_bp

    app.register_blueprint(api_bp)
    app.register_blueprint(surveys_bp)
    app.register_blueprint(accounts_bp)
    app.register_blueprint(reporting_bp)
    app.register_blueprint(consent_bp)
    app.register_blueprint(users_bp)
    app.register_blueprint(api_keys_bp)
    app.register_blueprint(audit_bp)
    app.register_blueprint(walk_in_bp)
    app.register_blueprint(walk_in_visit_bp)
    app.register_blueprint(follow_ups_bp)
    app.register_blueprint(rules_bp)
    app.register_blueprint(programs_bp)
    app.register_blueprint(questionnaires_bp)
    app.register_blueprint(actions_bp)
    app.register_blueprint(export_bp)
    if app.config.get("OUTBOX_DIR") and is_local(app.config["FEEDBACK_ENV"]):
        from feedback.devtools.views import bp as devtools_bp

        app.register_blueprint(devtools_bp)
    csrf.exempt(api_bp)
    register_error_handlers(app)
