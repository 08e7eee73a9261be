"""Fixtures of the JSON voice webhook plugin's tests: an app (no database needed).

These tests live with the plugin, outside tests/, so they build their own app; the folder has
no __init__.py, so test module names must stay unique. Whole calls (which need the database)
are in tests/voice.
"""

from __future__ import annotations

import pytest
from celery import current_app as celery_current_app
from flask import Flask

from feedback import create_app

SECRET = "plugin-test-secret-0123456789abcdefghij"


@pytest.fixture(scope="session")
def app(tmp_path_factory: pytest.TempPathFactory) -> Flask:
    folder = tmp_path_factory.mktemp("voice-webhook-plugin")
    previous_celery = celery_current_app._get_current_object()
    application = create_app(
        {
            "FEEDBACK_ENV": "testing",
            "TESTING": True,
            "SECRET_KEY": "test-secret",
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'unused.db'}",
            "OUTBOX_DIR": str(folder / "outbox"),
            "REPORTS_DIR": str(folder / "reports"),
            "PUBLIC_BASE_URL": "https://feedback.example.ca",
            "CELERY": {"broker_url": "memory://", "broker_transport_options": {}},
            "FEEDBACK_CHANNELS": ["voice_webhook"],
            "VOICE_WEBHOOK_SECRET": SECRET,
        }
    )
    previous_celery.set_default()  # create_app made its Celery app the default
    return application
