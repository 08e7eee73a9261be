"""Fixtures of the Twilio plugin's tests: an app (no database needed), a Twilio stand-in.

These tests live with the plugin, outside tests/, so they build their own app; the folder has
no __init__.py, so test module names must stay unique. Whole conversations (which need the
database) are in tests/sms.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from feedback_sms_twilio import TwilioChannel
from feedback_sms_twilio.testing import TwilioStandIn
from flask import Flask

from feedback.channels import Invitation, Question
from feedback.channels.testing import channel_from, plugin_test_app, sample_invitation

PUBLIC = "https://feedback.example.ca"
FROM = "+16135550100"


@pytest.fixture()
def twilio() -> Iterator[TwilioStandIn]:
    with TwilioStandIn() as standin:
        yield standin


@pytest.fixture(scope="session")
def app(tmp_path_factory: pytest.TempPathFactory) -> Flask:
    return plugin_test_app(
        tmp_path_factory.mktemp("twilio-plugin"),
        {
            "PUBLIC_BASE_URL": PUBLIC,
            "FEEDBACK_CHANNELS": ["sms_twilio"],
            "TWILIO_ACCOUNT_SID": "AC" + "1" * 32,
            "TWILIO_AUTH_TOKEN": "plugin-test-token",
            "TWILIO_FROM_NUMBER": FROM,
        },
    )


@pytest.fixture()
def app_context(app: Flask) -> Iterator[Flask]:
    with app.app_context():
        yield app


@pytest.fixture()
def channel_for(twilio: TwilioStandIn) -> Callable[..., TwilioChannel]:
    def make(**config: Any) -> TwilioChannel:
        values: dict[str, Any] = {
            "TWILIO_ACCOUNT_SID": twilio.account_sid,
            "TWILIO_AUTH_TOKEN": twilio.auth_token,
            "TWILIO_FROM_NUMBER": FROM,
            "TWILIO_BASE_URL": twilio.base_url,
            "PUBLIC_BASE_URL": PUBLIC,
            "FEEDBACK_ENV": "testing",
        }
        values.update(config)
        return channel_from(TwilioChannel, values)

    return make


@pytest.fixture()
def make_invitation() -> Callable[..., Invitation]:
    def make(**overrides: Any) -> Invitation:
        question = Question(
            code="overall",
            kind="rating",
            text={"en": "How was it?", "fr": "Comment était-ce?"},
            required=True,
        )
        values = {"expires_at": datetime(2025, 5, 3, 10, 31, tzinfo=UTC), "questions": (question,)}
        return sample_invitation(**{**values, **overrides})

    return make
