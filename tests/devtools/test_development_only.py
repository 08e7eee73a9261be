"""Development tools refuse to run outside development and testing: the demo seed, the SMTP
sink, `feedback dev`, and the plugins' request-signing helpers (they play a client's or a
caller's part, so in production they would put made-up answers into the real database)."""

from __future__ import annotations

from pathlib import Path

import pytest
from feedback_sms_twilio.cli import sign_command as twilio_sign
from feedback_voice_twilio.cli import sign_command as twilio_voice_sign
from feedback_voice_webhook.cli import sign_command as voice_webhook_sign
from flask import Flask

from feedback.channels.testing import plugin_test_app

COMMANDS = {
    "seed-demo": [],
    "smtp-sink": [],
    "dev": [],
    "twilio-sign": ["Body=4"],
    "twilio-voice-sign": ["/keys", "Digits=4"],
    "voice-webhook-sign": ['{"call_id": "c1", "event": "end"}'],
}
PLUGIN_COMMANDS = {
    "twilio-sign": twilio_sign,
    "twilio-voice-sign": twilio_voice_sign,
    "voice-webhook-sign": voice_webhook_sign,
}


@pytest.fixture(scope="module")
def production_app(tmp_path_factory: pytest.TempPathFactory) -> Flask:
    folder: Path = tmp_path_factory.mktemp("production")
    return plugin_test_app(
        folder,
        {
            "FEEDBACK_ENV": "production",
            "TESTING": False,
            "OUTBOX_DIR": "",
            "PUBLIC_BASE_URL": "https://feedback.example.ca",
            "FEEDBACK_CHANNELS": ["email", "sms_twilio", "voice_twilio", "voice_webhook"],
            "TWILIO_ACCOUNT_SID": "AC" + "1" * 32,
            "TWILIO_AUTH_TOKEN": "a-real-token",
            "TWILIO_FROM_NUMBER": "+16135550100",
            "TWILIO_VOICE_FROM_NUMBER": "+16135550101",
            "VOICE_WEBHOOK_SECRET": "a-real-secret-" + "x" * 32,
        },
    )


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_refused_in_production(production_app: Flask, name: str) -> None:
    command = PLUGIN_COMMANDS.get(name) or production_app.cli.commands[name]
    result = production_app.test_cli_runner().invoke(command, COMMANDS[name])
    assert result.exit_code == 1, result.output
    assert "this is a development tool; FEEDBACK_ENV is 'production'" in result.output
