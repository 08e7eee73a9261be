"""The Twilio channel with the official library against a local stand-in of the Messages API."""

from __future__ import annotations

import json
import socket
import threading
from importlib.metadata import entry_points
from pathlib import Path

import pytest
from feedback_sms_twilio import TwilioChannel
from feedback_sms_twilio.channel import DEV_AUTH_TOKEN
from feedback_sms_twilio.cli import sign_command
from flask import Flask
from twilio.request_validator import RequestValidator

from feedback.channels import Outcome
from feedback.channels.registry import channel_settings, discover
from feedback.channels.testing import channel_from

PARAMS = {"From": "+16135550123", "To": "+16135550100", "Body": "4"}


def test_discovered_through_its_entry_points(app: Flask) -> None:
    assert discover()["sms_twilio"].load() is TwilioChannel
    assert isinstance(app.extensions["feedback.channels"]["sms_twilio"], TwilioChannel)
    assert "channel_sms_twilio" in app.blueprints
    commands = {ep.name: ep for ep in entry_points(group="flask.commands")}
    assert commands["twilio-sign"].load() is sign_command


def test_sends_the_invitation_through_the_messages_api(
    app_context, twilio, channel_for, make_invitation
) -> None:
    result = channel_for().send(make_invitation())

    assert result.outcome is Outcome.SENT and result.provider_ref.startswith("SM")
    [message] = twilio.messages
    assert message["To"] == "+16135550123" and message["From"] == "+16135550100"
    assert message["StatusCallback"] == "https://feedback.example.ca/hooks/sms_twilio/status"
    assert message["Body"] == (
        "Passport Program: how did we do? Take our short survey: "
        "https://feedback.example.ca/s/tok_0123456789abcdefghijklmnopqrstuvwxyzABCDEF "
        "Reply STOP to opt out."
    )


def test_a_messaging_service_replaces_the_from_number(
    app_context, twilio, channel_for, make_invitation
) -> None:
    service = "MG" + "2" * 32
    channel_for(TWILIO_MESSAGING_SERVICE_SID=service).send(make_invitation(mode="conversation"))
    [message] = twilio.messages
    assert message["MessagingServiceSid"] == service and "From" not in message
    assert message["Body"].endswith(
        "(1/1) How was it?\nReply with a number from 1 to 5 (5 = very good)."
    )


@pytest.mark.parametrize(
    ("status", "code", "outcome"),
    [
        (400, 21211, Outcome.PERMANENT),  # invalid number
        (400, 21610, Outcome.PERMANENT),  # the client texted STOP to Twilio
        (400, 21614, Outcome.PERMANENT),  # not a mobile number
        (400, 21617, Outcome.PERMANENT),  # body too long
        (400, 21606, Outcome.TRANSIENT),  # our From number cannot send: configuration
        (429, 20429, Outcome.TRANSIENT),
        (500, 20500, Outcome.TRANSIENT),
        (503, 20503, Outcome.TRANSIENT),
    ],
)
def test_refusals_by_status_and_code(
    app_context, twilio, channel_for, make_invitation, status, code, outcome
) -> None:
    twilio.refuse_next(status, code, "The 'To' number +16135550123 is refused")
    result = channel_for().send(make_invitation())
    assert result.outcome is outcome
    assert result.detail.startswith(f"Twilio {status} error {code}")
    assert "+1613" not in result.detail  # Twilio's message repeats the number: dropped


def test_wrong_credentials_are_transient(app_context, twilio, channel_for, make_invitation):
    result = channel_for(TWILIO_AUTH_TOKEN="not-the-token").send(make_invitation())
    assert (result.outcome, result.detail) == (Outcome.TRANSIENT, "Twilio 401 error 20003")
    assert twilio.messages == []


def test_a_timeout_is_transient(app_context, twilio, channel_for, make_invitation):
    twilio.hold = threading.Event()  # the stand-in answers nothing until stopped
    result = channel_for(TWILIO_TIMEOUT=0.2).send(make_invitation())
    assert (result.outcome, result.detail) == (Outcome.TRANSIENT, "Twilio timed out")


def test_no_server_is_transient(app_context, channel_for, make_invitation):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    result = channel_for(TWILIO_BASE_URL=f"http://127.0.0.1:{port}").send(make_invitation())
    assert result.outcome is Outcome.TRANSIENT
    assert result.detail == "cannot reach Twilio: ConnectionError"


def test_no_phone_is_permanent(app_context, channel_for, make_invitation):
    assert channel_for().send(make_invitation(phone=None)).outcome is Outcome.PERMANENT


def test_development_outbox_instead_of_twilio(app_context, tmp_path: Path, make_invitation):
    channel = channel_from(
        TwilioChannel, {"FEEDBACK_ENV": "development", "OUTBOX_DIR": str(tmp_path)}
    )
    channel.check_config()
    assert channel.dev_outbox and channel.auth_token == DEV_AUTH_TOKEN
    result = channel.send(make_invitation())
    assert result.outcome is Outcome.SENT and result.provider_ref.startswith("dev-")
    [stored] = (tmp_path / "sms").iterdir()
    record = json.loads(stored.read_text())
    assert (record["direction"], record["number"]) == ("out", "+16135550123")
    assert record["body"].startswith("Passport Program: how did we do?")


@pytest.mark.parametrize(
    ("config", "problem"),
    [
        ({"FEEDBACK_ENV": "production", "PUBLIC_BASE_URL": "https://x.ca"}, "TWILIO_ACCOUNT_SID"),
        ({"FEEDBACK_ENV": "development"}, "OUTBOX_DIR"),  # neither an account nor an outbox
        ({"TWILIO_ACCOUNT_SID": "AC1"}, "TWILIO_AUTH_TOKEN"),
        ({"TWILIO_ACCOUNT_SID": "AC1", "TWILIO_AUTH_TOKEN": "t"}, "TWILIO_FROM_NUMBER"),
        (  # no development outbox in production
            {
                "FEEDBACK_ENV": "production",
                "OUTBOX_DIR": "/tmp/x",
                "PUBLIC_BASE_URL": "https://x.ca",
            },
            "TWILIO_ACCOUNT_SID",
        ),
        (
            {
                "FEEDBACK_ENV": "production",
                "TWILIO_ACCOUNT_SID": "AC1",
                "TWILIO_AUTH_TOKEN": "t",
                "TWILIO_FROM_NUMBER": "+16135550100",
                "PUBLIC_BASE_URL": "http://x.ca",
            },
            "https",
        ),
        (
            {
                "TWILIO_ACCOUNT_SID": "AC1",
                "TWILIO_AUTH_TOKEN": "t",
                "TWILIO_FROM_NUMBER": "+16135550100",
                "TWILIO_BASE_URL": "ftp://x",
            },
            "TWILIO_BASE_URL",
        ),
        ({"TWILIO_TIMEOUT": 0, "OUTBOX_DIR": "/tmp/x"}, "TWILIO_TIMEOUT"),
    ],
)
def test_impossible_configuration_is_refused(config, problem) -> None:
    with pytest.raises(ValueError, match=problem):
        channel_from(TwilioChannel, config).check_config()


def test_settings_come_from_the_app_config_then_the_environment() -> None:
    environ = {
        "TWILIO_TIMEOUT": "7",
        "TWILIO_FROM_NUMBER": "+16135550100",
        "TWILIO_AUTH_TOKEN": "from-env",
    }
    settings = channel_settings(TwilioChannel, {"TWILIO_AUTH_TOKEN": "from-config"}, environ)
    assert settings == {
        "TWILIO_TIMEOUT": 7,
        "TWILIO_FROM_NUMBER": "+16135550100",
        "TWILIO_AUTH_TOKEN": "from-config",
    }


@pytest.mark.parametrize("path", ["/hooks/sms_twilio/inbound", "/hooks/sms_twilio/status"])
@pytest.mark.parametrize("signature", [None, "d3Jvbmc=", "sign-with-another-token"])
def test_webhooks_refuse_a_missing_or_wrong_signature(app: Flask, path, signature) -> None:
    headers = {}
    if signature == "sign-with-another-token":
        headers["X-Twilio-Signature"] = RequestValidator("another").compute_signature(
            f"https://feedback.example.ca{path}", PARAMS
        )
    elif signature:
        headers["X-Twilio-Signature"] = signature
    response = app.test_client().post(path, data=PARAMS, headers=headers)
    assert response.status_code == 403
    assert response.json["error"]["code"] == "forbidden"
    assert "X-Twilio-Signature" in response.json["error"]["message"]


def test_twilio_sign_prints_the_signature_twilio_would_send(app: Flask) -> None:
    runner = app.test_cli_runner()
    result = runner.invoke(sign_command, ["From=+16135550123", "To=+16135550100", "Body=4"])
    assert result.exit_code == 0, result.output
    expected = RequestValidator("plugin-test-token").compute_signature(
        "https://feedback.example.ca/hooks/sms_twilio/inbound", PARAMS
    )
    assert result.output.strip() == expected


def test_twilio_sign_can_print_a_curl_command(app: Flask) -> None:
    result = app.test_cli_runner().invoke(
        sign_command, ["From=+16135550123", "Body=Oui, merci", "--curl"]
    )
    assert result.exit_code == 0, result.output
    command = result.output.strip()
    assert command.startswith(
        "curl -sS -X POST https://feedback.example.ca/hooks/sms_twilio/inbound"
    )
    assert "--data-urlencode From=+16135550123" in command
    assert "--data-urlencode 'Body=Oui, merci'" in command
    assert "-H 'X-Twilio-Signature: " in command


def test_twilio_sign_refuses_a_parameter_without_a_value(app: Flask) -> None:
    result = app.test_cli_runner().invoke(sign_command, ["Body"])
    assert result.exit_code != 0 and "is not NAME=VALUE" in result.output
