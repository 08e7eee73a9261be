"""Fixtures of the Twilio voice plugin's tests: an app (no database needed), a Calls API stand-in.

These tests live with the plugin, outside tests/, so they build their own app; the folder has
no __init__.py, so test module names must stay unique. Whole calls (which need the database)
are in tests/voice.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from feedback_voice_twilio import VoiceTwilioChannel
from feedback_voice_twilio.testing import TwilioCallsStandIn
from flask import Flask

from feedback.channels import Invitation
from feedback.channels.testing import channel_from, plugin_test_app, sample_invitation

PUBLIC = "https://feedback.example.ca"
FROM = "+16135550100"


@pytest.fixture()
def twilio() -> Iterator[TwilioCallsStandIn]:
    with TwilioCallsStandIn() as standin:
        yield standin


@pytest.fixture(scope="session")
def app(tmp_path_factory: pytest.TempPathFactory) -> Flask:
    return plugin_test_app(
        tmp_path_factory.mktemp("voice-twilio-plugin"),
        {
            "PUBLIC_BASE_URL": PUBLIC,
            "FEEDBACK_CHANNELS": ["voice_twilio"],
            "TWILIO_ACCOUNT_SID": "AC" + "1" * 32,
            "TWILIO_AUTH_TOKEN": "plugin-test-token",
            "TWILIO_VOICE_FROM_NUMBER": FROM,
        },
    )


@pytest.fixture()
def app_context(app: Flask) -> Iterator[Flask]:
    with app.app_context():
        yield app


@pytest.fixture()
def channel_for(twilio: TwilioCallsStandIn) -> Callable[..., VoiceTwilioChannel]:
    def make(**config: Any) -> VoiceTwilioChannel:
        values: dict[str, Any] = {
            "TWILIO_ACCOUNT_SID": twilio.account_sid,
            "TWILIO_AUTH_TOKEN": twilio.auth_token,
            "TWILIO_VOICE_FROM_NUMBER": FROM,
            "TWILIO_BASE_URL": twilio.base_url,
            "PUBLIC_BASE_URL": PUBLIC,
            "FEEDBACK_ENV": "testing",
        }
        values.update(config)
        return channel_from(VoiceTwilioChannel, values)

    return make


@pytest.fixture()
def make_invitation() -> Callable[..., Invitation]:
    def make(**overrides: Any) -> Invitation:
        values: dict[str, Any] = {
            "id": "3f2a9c1e-0000-4000-8000-000000000003",
            "expires_at": datetime(2025, 5, 3, 10, 31, tzinfo=UTC),
            "questionnaire_title": {"en": "Your call", "fr": "Votre appel"},
            "mode": "callback",
        }
        return sample_invitation(**{**values, **overrides})

    return make
