"""Fixtures of the GC Notify plugin's tests: an app (no database needed), a GC Notify stand-in.

Receipts that change invitations (which need the database) are tested in tests/sms.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from feedback_sms_notify import NotifyChannel
from feedback_sms_notify.testing import NotifyStandIn
from flask import Flask

from feedback.channels import Invitation
from feedback.channels.testing import channel_from, plugin_test_app, sample_invitation

CALLBACK_TOKEN = "notify-callback-token"
PUBLIC = "https://feedback.example.ca"


@pytest.fixture()
def notify() -> Iterator[NotifyStandIn]:
    with NotifyStandIn() as standin:
        yield standin


@pytest.fixture(scope="session")
def app(tmp_path_factory: pytest.TempPathFactory) -> Flask:
    standin = NotifyStandIn()  # only its (valid-looking) key and template id: never started
    return plugin_test_app(
        tmp_path_factory.mktemp("notify-plugin"),
        {
            "PUBLIC_BASE_URL": PUBLIC,
            "FEEDBACK_CHANNELS": ["sms_notify"],
            "NOTIFY_API_KEY": standin.api_key,
            "NOTIFY_SMS_TEMPLATE_ID": standin.template_id,
            "NOTIFY_CALLBACK_TOKEN": CALLBACK_TOKEN,
        },
    )


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
        channel = channel_from(NotifyChannel, values)
        channel.check_config()
        return channel

    return make


@pytest.fixture()
def make_invitation() -> Callable[..., Invitation]:
    def make(**overrides: Any) -> Invitation:
        values = {"id": "3f2a9c1e-0000-4000-8000-000000000003", "language": "fr"}
        return sample_invitation(**{**values, **overrides})

    return make
