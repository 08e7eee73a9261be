"""The app of the tests that use the database: tests/conftest.py's and the channel folders'."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from celery import current_app as celery_current_app
from flask import Flask
from flask_migrate import upgrade

from feedback import create_app


def migrated_app(
    database_url: str, instance: Path, config: dict[str, Any], *, keep_celery: bool = False
) -> Flask:
    """An app in testing mode on `database_url`, its schema built by the migrations, its files
    in `instance`, with `config` on top.

    create_app makes its Celery app the default one; with `keep_celery` the previous default
    is put back (an app of one folder's tests leaves the session's app its Celery app).
    """
    previous_celery = celery_current_app._get_current_object()
    application = create_app(
        {
            "FEEDBACK_ENV": "testing",
            "TESTING": True,
            "SECRET_KEY": "test-secret",
            "CLIENT_HASH_KEY": "test-hash-key",
            "SQLALCHEMY_DATABASE_URI": database_url,
            "PUBLIC_BASE_URL": "http://survey.test",
            "REPORTS_DIR": str(instance / "reports"),
            "OUTBOX_DIR": str(instance / "outbox"),
            "SMTP_PORT": 1,  # nothing listens: a test that sends starts its own SMTP server
            "CELERY": {"broker_url": "memory://", "broker_transport_options": {}},
            **config,
        }
    )
    Path(application.config["REPORTS_DIR"]).mkdir(parents=True, exist_ok=True)
    with application.app_context():
        upgrade(directory=application.extensions["migrate"].directory)
    if keep_celery:
        previous_celery.set_default()
    return application
