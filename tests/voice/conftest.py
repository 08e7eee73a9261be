"""The voice tests run the installed plugins (voice_twilio, voice_webhook): this folder's `app`
enables them, with Twilio's Calls API played by a local stand-in; `db` and `client` come from
tests/conftest.py and use it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from celery import current_app as celery_current_app
from feedback_voice_twilio.testing import TwilioCallsStandIn
from flask import Flask
from flask_migrate import upgrade

from feedback import create_app
from tests.voice.helpers import TWILIO_NUMBER, WEBHOOK_SECRET


@pytest.fixture(scope="session")
def calls_standin() -> Iterator[TwilioCallsStandIn]:
    with TwilioCallsStandIn() as standin:
        yield standin


@pytest.fixture(scope="session")
def app(
    database_url: str, tmp_path_factory: pytest.TempPathFactory, calls_standin: TwilioCallsStandIn
) -> Iterator[Flask]:
    instance = tmp_path_factory.mktemp("voice-instance")
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
            "SMTP_PORT": 1,
            "CELERY": {"broker_url": "memory://", "broker_transport_options": {}},
            "FEEDBACK_CHANNELS": ["email", "voice_twilio", "voice_webhook"],
            "TWILIO_ACCOUNT_SID": calls_standin.account_sid,
            "TWILIO_AUTH_TOKEN": calls_standin.auth_token,
            "TWILIO_VOICE_FROM_NUMBER": TWILIO_NUMBER,
            "TWILIO_BASE_URL": calls_standin.base_url,
            "TWILIO_TIMEOUT": 5,
            "VOICE_WEBHOOK_SECRET": WEBHOOK_SECRET,
        }
    )
    Path(application.config["REPORTS_DIR"]).mkdir(parents=True, exist_ok=True)
    with application.app_context():
        upgrade(directory=application.extensions["migrate"].directory)
    previous_celery.set_default()  # create_app made its Celery app the default
    yield application


@pytest.fixture(autouse=True)
def _fresh_standin(calls_standin: TwilioCallsStandIn) -> None:
    calls_standin.calls.clear()
    calls_standin.failures.clear()
