"""The voice tests run the installed plugins (voice_twilio, voice_webhook): this folder's `app`
enables them, with Twilio's Calls API played by a local stand-in; `db` and `client` come from
tests/conftest.py and use it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from feedback_voice_twilio.testing import TwilioCallsStandIn
from flask import Flask

from tests.apps import migrated_app
from tests.voice.helpers import TWILIO_NUMBER, WEBHOOK_SECRET


@pytest.fixture(scope="session")
def calls_standin() -> Iterator[TwilioCallsStandIn]:
    with TwilioCallsStandIn() as standin:
        yield standin


@pytest.fixture(scope="session")
def app(
    database_url: str, tmp_path_factory: pytest.TempPathFactory, calls_standin: TwilioCallsStandIn
) -> Flask:
    return migrated_app(
        database_url,
        tmp_path_factory.mktemp("voice-instance"),
        {
            "FEEDBACK_CHANNELS": ["email", "voice_twilio", "voice_webhook"],
            "TWILIO_ACCOUNT_SID": calls_standin.account_sid,
            "TWILIO_AUTH_TOKEN": calls_standin.auth_token,
            "TWILIO_VOICE_FROM_NUMBER": TWILIO_NUMBER,
            "TWILIO_BASE_URL": calls_standin.base_url,
            "TWILIO_TIMEOUT": 5,
            "VOICE_WEBHOOK_SECRET": WEBHOOK_SECRET,
        },
        keep_celery=True,
    )


@pytest.fixture(autouse=True)
def _fresh_standin(calls_standin: TwilioCallsStandIn) -> None:
    calls_standin.calls.clear()
    calls_standin.failures.clear()
