"""Fixtures of the GC Notify plugin's tests: an app (no database needed), a GC Notify stand-in.

Receipts that change invitations (which need the database) are tested in tests/sms.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from celery import current_app as celery_current_app
from feedback_sms_notify import NotifyChannel
from feedback_sms_notify.testing import NotifyStandIn
from flask import Flask

from feedback import create_app
from feedback.channels import Invitation

CALLBACK_TOKEN = "notify-callback-token"
PUBLIC = "https://feedback.example.ca"


@pytest.fixture()
def notify() -> Iterator[NotifyStandIn]:
    with NotifyStandIn() as standin:
        yield standin


@pytest.fixture(scope="session")
def app(tmp_path_factory: pytest.TempPathFactory) -> Flask:
    folder = tmp_path_factory.mktemp("notify-plugin")
    previous_celery = celery_current_app._get_current_object()
    standin = NotifyStandIn()  # only its (valid-looking) key and template id: never started
    application = create_app(
        {
            "FEEDBACK_ENV": "testing",
            "TESTING": True,
            "SECRET_KEY": "test-secret",
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'unused.db'}",
            "OUTBOX_DIR": str(folder / "outbox"),
            "REPORTS_DIR": str(folder / "reports"),
            "PUBLIC_BASE_URL": PUBLIC,
            "CELERY": {"broker_url": "memory://", "broker_transport_options": {}},
            "FEEDBACK_CHANNELS": ["sms_notify"],
            "NOTIFY_API_KEY": standin.api_key,
            "NOTIFY_SMS_TEMPLATE_ID": standin.template_id,
            "NOTIFY_CALLBACK_TOKEN": CALLBACK_TOKEN,
        }
    )
    previous_celery.set_default()  # create_app made its Celery app the default
    return application


@pytest.fixture()
def app_context(app: Flask) -> Iterator[Flask]:
    with app.app_context():
        yield app


@pytest.fixture()
def channel_for(notify: NotifyStandIn) -> Callable[..., NotifyChannel]:
    def make(**config: Any) -> NotifyChannel:
        values: dict[str, Any] = {
            "NOTIFY_API_KEY": notify.api_key,
            "NOTIFY_BASE_URL": notify.base_url,
            "NOTIFY_SMS_TEMPLATE_ID": notify.template_id,
            "FEEDBACK_ENV": "testing",
        }
        values.update(config)
        channel = NotifyChannel(values)
        channel.check_config()
        return channel

    return make


@pytest.fixture()
def make_invitation() -> Callable[..., Invitation]:
    def make(**overrides: Any) -> Invitation:
        values: dict[str, Any] = {
            "id": "3f2a9c1e-0000-4000-8000-000000000003",
            "language": "fr",
            "email": None,
            "phone": "+16135550123",
            "timezone": "America/Toronto",
            "survey_url": f"{PUBLIC}/s/tok_0123456789abcdefghijklmnopqrstuvwxyzABCDEF",
            "unsubscribe_url": f"{PUBLIC}/u/unsub-code-123",
            "expires_at": None,
            "program_name": {"en": "Passport Program", "fr": "Programme de passeport"},
            "questionnaire_title": {"en": "Your visit", "fr": "Votre visite"},
        }
        values.update(overrides)
        return Invitation(**values)

    return make
