"""The SMS tests run the installed plugins (sms_twilio, sms_notify) against local stand-ins of
Twilio and GC Notify: this folder's `app` enables them; `db` and `client` come from
tests/conftest.py and use it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from celery import current_app as celery_current_app
from feedback_sms_notify.testing import NotifyStandIn
from feedback_sms_twilio.testing import TwilioStandIn
from flask import Flask
from flask_migrate import upgrade

from feedback import create_app
from tests.sms.helpers import NOTIFY_CALLBACK_TOKEN, TWILIO_FROM


@pytest.fixture(scope="session")
def twilio_standin() -> Iterator[TwilioStandIn]:
    with TwilioStandIn() as standin:
        yield standin


@pytest.fixture(scope="session")
def notify_standin() -> Iterator[NotifyStandIn]:
    with NotifyStandIn() as standin:
        yield standin


@pytest.fixture(scope="session")
def app(
    database_url: str,
    tmp_path_factory: pytest.TempPathFactory,
    twilio_standin: TwilioStandIn,
    notify_standin: NotifyStandIn,
) -> Iterator[Flask]:
    instance = tmp_path_factory.mktemp("sms-instance")
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
            "FEEDBACK_CHANNELS": ["email", "sms_twilio", "sms_notify"],
            "TWILIO_ACCOUNT_SID": twilio_standin.account_sid,
            "TWILIO_AUTH_TOKEN": twilio_standin.auth_token,
            "TWILIO_FROM_NUMBER": TWILIO_FROM,
            "TWILIO_BASE_URL": twilio_standin.base_url,
            "TWILIO_TIMEOUT": 5,
            "NOTIFY_API_KEY": notify_standin.api_key,
            "NOTIFY_BASE_URL": notify_standin.base_url,
            "NOTIFY_SMS_TEMPLATE_ID": notify_standin.template_id,
            "NOTIFY_CALLBACK_TOKEN": NOTIFY_CALLBACK_TOKEN,
        }
    )
    Path(application.config["REPORTS_DIR"]).mkdir(parents=True, exist_ok=True)
    with application.app_context():
        upgrade(directory=application.extensions["migrate"].directory)
    previous_celery.set_default()  # create_app made its Celery app the default
    yield application


@pytest.fixture(autouse=True)
def _fresh_standins(twilio_standin: TwilioStandIn, notify_standin: NotifyStandIn) -> None:
    for standin in (twilio_standin, notify_standin):
        standin.failures.clear()
    twilio_standin.messages.clear()
    notify_standin.notifications.clear()
