"""The JSON voice webhook channel: the signature scheme, refusals before anything is read, the
configuration checks and the signing command. Whole calls are in tests/voice."""

from __future__ import annotations

import hashlib
import hmac
import re
import shlex
import time
from importlib.metadata import entry_points

import pytest
from feedback_voice_webhook import VoiceWebhookChannel
from feedback_voice_webhook.channel import DEV_SECRET
from feedback_voice_webhook.cli import sign_command
from feedback_voice_webhook.signing import Refused, sign, verify
from flask import Flask

from feedback.channels import Invitation, Outcome
from feedback.channels.registry import discover
from feedback.channels.testing import channel_from

SECRET = "plugin-test-secret-0123456789abcdefghij"
BODY = b'{"call_id": "c1", "event": "keys", "digits": "4"}'
NOW = 1_763_885_100


def test_discovered_through_its_entry_points(app: Flask) -> None:
    assert discover()["voice_webhook"].load() is VoiceWebhookChannel
    channel = app.extensions["feedback.channels"]["voice_webhook"]
    assert (channel.medium, channel.conversations, channel.calls_back) == ("voice", True, False)
    assert "channel_voice_webhook" in app.blueprints
    commands = {ep.name: ep for ep in entry_points(group="flask.commands")}
    assert commands["voice-webhook-sign"].load() is sign_command


def test_the_signature_is_hmac_sha256_over_the_timestamp_and_the_body():
    expected = hmac.new(SECRET.encode(), b"1763885100." + BODY, hashlib.sha256).hexdigest()
    assert sign(SECRET, NOW, BODY) == f"v1={expected}"
    assert verify(SECRET, str(NOW), sign(SECRET, NOW, BODY), BODY, NOW + 299, 300) == NOW


@pytest.mark.parametrize(
    ("timestamp", "signature", "body", "message"),
    [
        (str(NOW), sign("other-secret", NOW, BODY), BODY, "X-Feedback-Signature header is"),
        (str(NOW), sign(SECRET, NOW, BODY), BODY.replace(b"4", b"5"), "X-Feedback-Signature"),
        (str(NOW + 1), sign(SECRET, NOW, BODY), BODY, "X-Feedback-Signature header is"),
        (str(NOW - 301), sign(SECRET, NOW - 301, BODY), BODY, "more than 300 s from now"),
        (str(NOW + 301), sign(SECRET, NOW + 301, BODY), BODY, "more than 300 s from now"),
        (None, sign(SECRET, NOW, BODY), BODY, "X-Feedback-Timestamp header is missing"),
        ("-5", sign(SECRET, NOW, BODY), BODY, "not a Unix time"),
        (str(NOW), None, BODY, "X-Feedback-Signature header is missing or not valid"),
        (str(NOW), sign(SECRET, NOW, BODY).upper(), BODY, "X-Feedback-Signature header is"),
    ],
)
def test_what_is_refused(timestamp, signature, body, message):
    with pytest.raises(Refused, match=re.escape(message)):
        verify(SECRET, timestamp, signature, body, NOW, 300)


def test_forged_requests_are_refused_before_anything_is_read(app: Flask):
    """The app's database has no tables: a refused request never reaches it."""
    client = app.test_client()
    now = int(time.time())
    headers = {"X-Feedback-Timestamp": str(now), "X-Feedback-Signature": sign("x", now, BODY)}
    response = client.post("/hooks/voice_webhook/call", data=BODY, headers=headers)
    assert response.status_code == 403
    assert response.get_json()["error"] == {
        "code": "forbidden",
        "message": "The X-Feedback-Signature header is missing or not valid.",
        "fields": {},
    }
    assert client.post("/hooks/voice_webhook/call", json={"call_id": "c1"}).status_code == 403


def test_nothing_to_send_for_a_transferred_caller():
    invitation = Invitation(
        id="i1",
        language="en",
        email=None,
        phone="+16135550123",
        timezone=None,
        survey_url="https://feedback.example.ca/s/t",
        unsubscribe_url="https://feedback.example.ca/u/c",
        expires_at=None,
        program_name={"en": "P", "fr": "P"},
        questionnaire_title={"en": "Q", "fr": "Q"},
        mode="conversation",
    )
    result = channel_from(VoiceWebhookChannel, {}).send(invitation)
    assert result.outcome is Outcome.SENT and result.provider_ref is None


def test_a_development_secret_only_outside_production():
    assert channel_from(VoiceWebhookChannel, {"FEEDBACK_ENV": "development"}).secret == DEV_SECRET
    production = channel_from(VoiceWebhookChannel, {"FEEDBACK_ENV": "production"})
    assert production.secret == ""
    with pytest.raises(ValueError, match="VOICE_WEBHOOK_SECRET must be at least 32 characters"):
        production.check_config()
    configured = {"FEEDBACK_ENV": "production", "VOICE_WEBHOOK_SECRET": SECRET}
    channel_from(VoiceWebhookChannel, configured).check_config()


@pytest.mark.parametrize("tolerance", [0, 29, 3601])
def test_the_tolerance_is_bounded(tolerance):
    with pytest.raises(ValueError, match="VOICE_WEBHOOK_TOLERANCE"):
        channel_from(VoiceWebhookChannel, {"VOICE_WEBHOOK_TOLERANCE": tolerance}).check_config()


def test_the_signing_command(app: Flask):
    body = '{"call_id": "c1", "event": "start", "language": "fr"}'
    runner = app.test_cli_runner()
    lines = runner.invoke(sign_command, [body]).output.splitlines()
    headers = dict(line.split(": ", 1) for line in lines)
    timestamp = int(headers["X-Feedback-Timestamp"])
    assert abs(timestamp - time.time()) < 60
    signature = headers["X-Feedback-Signature"]
    assert verify(SECRET, str(timestamp), signature, body.encode(), timestamp, 300) == timestamp

    words = shlex.split(runner.invoke(sign_command, ["--curl", body]).output)
    assert words[:7] == [
        "curl",
        "-sS",
        "-w",
        "\\n",
        "-X",
        "POST",
        "https://feedback.example.ca/hooks/voice_webhook/call",
    ]
    assert words[-2:] == ["--data-raw", body]
    assert "Content-Type: application/json" in words


def test_the_signing_command_wants_json(app: Flask):
    result = app.test_cli_runner().invoke(sign_command, ["call_id=c1"])
    assert result.exit_code != 0 and "not JSON" in result.output
