"""The Twilio voice channel with the official library: call-backs against a local stand-in of the
Calls API, TwiML rendering, signatures, the signing command."""

from __future__ import annotations

import re
import shlex
import socket
from importlib.metadata import entry_points
from xml.etree import ElementTree

import pytest
from feedback_voice_twilio import VoiceTwilioChannel
from feedback_voice_twilio.channel import DEV_AUTH_TOKEN
from feedback_voice_twilio.cli import sign_command
from feedback_voice_twilio.twiml import call_back_greeting, render
from flask import Flask
from twilio.request_validator import RequestValidator

from feedback.channels import Outcome
from feedback.channels.registry import discover
from feedback.channels.testing import channel_from
from feedback.plugin_api import Keys, Pending, Recording, Speech, VoiceStep

PUBLIC = "https://feedback.example.ca"


def test_discovered_through_its_entry_points(app: Flask) -> None:
    assert discover()["voice_twilio"].load() is VoiceTwilioChannel
    channel = app.extensions["feedback.channels"]["voice_twilio"]
    assert isinstance(channel, VoiceTwilioChannel)
    assert (channel.medium, channel.conversations, channel.calls_back) == ("voice", True, True)
    assert "channel_voice_twilio" in app.blueprints
    commands = {ep.name: ep for ep in entry_points(group="flask.commands")}
    assert commands["twilio-voice-sign"].load() is sign_command


def test_a_call_back_goes_through_the_calls_api(app_context, twilio, channel_for, make_invitation):
    result = channel_for().send(make_invitation())
    [call] = twilio.calls
    assert result.outcome is Outcome.SENT and result.provider_ref == call["Sid"]
    assert {key: call[key] for key in ("To", "From", "Url", "StatusCallback")} == {
        "To": "+16135550123",
        "From": "+16135550100",
        "Url": f"{PUBLIC}/hooks/voice_twilio/call?invitation=3f2a9c1e-0000-4000-8000-000000000003",
        "StatusCallback": f"{PUBLIC}/hooks/voice_twilio/status",
    }
    assert call["MachineDetection"] == "Enable"


@pytest.mark.parametrize("mode", ["conversation", "link"])
def test_a_transferred_caller_needs_no_call(twilio, channel_for, make_invitation, mode):
    result = channel_for().send(make_invitation(mode=mode))
    assert result.outcome is Outcome.SENT and result.provider_ref is None
    assert twilio.calls == []


def test_no_phone_is_permanent(app_context, channel_for, make_invitation):
    result = channel_for().send(make_invitation(phone=None))
    assert (result.outcome, result.detail) == (Outcome.PERMANENT, "no phone number")


@pytest.mark.parametrize(
    ("status", "code", "outcome", "detail"),
    [
        (400, 21211, Outcome.PERMANENT, "Twilio 400 error 21211"),
        (400, 21216, Outcome.PERMANENT, "Twilio 400 error 21216"),
        (400, 21215, Outcome.TRANSIENT, "Twilio 400 error 21215: check the Twilio settings"),
        (429, 20429, Outcome.TRANSIENT, "Twilio 429 error 20429"),
        (503, 20500, Outcome.TRANSIENT, "Twilio 503 error 20500"),
    ],
)
def test_refusals_are_outcomes(
    app_context, twilio, channel_for, make_invitation, status, code, outcome, detail
):
    twilio.failures.append((status, code))
    result = channel_for().send(make_invitation())
    assert (result.outcome, result.detail) == (outcome, detail)
    assert twilio.calls == []


def test_a_wrong_token_is_transient(app_context, twilio, channel_for, make_invitation):
    result = channel_for(TWILIO_AUTH_TOKEN="wrong").send(make_invitation())
    assert (result.outcome, result.detail) == (Outcome.TRANSIENT, "Twilio 401 error 20003")


def test_an_unreachable_api_is_transient(app_context, channel_for, make_invitation):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    result = channel_for(TWILIO_BASE_URL=f"http://127.0.0.1:{port}").send(make_invitation())
    assert result.outcome is Outcome.TRANSIENT
    assert result.detail == "cannot reach Twilio: ConnectionError"


def test_without_an_account_webhooks_work_but_call_backs_cannot(app_context, make_invitation):
    channel = channel_from(VoiceTwilioChannel, {"FEEDBACK_ENV": "development"})
    channel.check_config()
    assert channel.auth_token == DEV_AUTH_TOKEN
    result = channel.send(make_invitation())
    assert result.outcome is Outcome.PERMANENT and "TWILIO_ACCOUNT_SID" in result.detail


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ({"FEEDBACK_ENV": "production"}, "PUBLIC_BASE_URL must be https"),
        (
            {"FEEDBACK_ENV": "production", "PUBLIC_BASE_URL": PUBLIC},
            "set TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN",
        ),
        ({"TWILIO_ACCOUNT_SID": "AC" + "1" * 32}, "TWILIO_AUTH_TOKEN is empty"),
        (
            {"TWILIO_ACCOUNT_SID": "AC" + "1" * 32, "TWILIO_AUTH_TOKEN": "t"},
            "TWILIO_VOICE_FROM_NUMBER must be the calling number",
        ),
        ({"TWILIO_TIMEOUT": 0}, "TWILIO_TIMEOUT must be a positive number"),
        ({"TWILIO_BASE_URL": "ftp://example"}, "TWILIO_BASE_URL must be an http(s) URL"),
    ],
)
def test_configurations_that_cannot_work_are_refused(config, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        channel_from(VoiceTwilioChannel, config).check_config()


def _xml(step: VoiceStep, channel: VoiceTwilioChannel) -> ElementTree.Element:
    return ElementTree.fromstring(render(step, channel))


def test_keys_are_gathered_with_the_prompt_inside(channel_for):
    step = VoiceStep(
        say=(Speech("Press 1 for yes, or 2 for no.", "en"),),
        language="en",
        keys=Keys(max_digits=2, timeout=6, finish_on_key="#"),
    )
    root = _xml(step, channel_for(TWILIO_VOICE_EN="Polly.Joanna"))
    gather = root.find("Gather")
    assert gather.attrib == {
        "action": f"{PUBLIC}/hooks/voice_twilio/keys",
        "method": "POST",
        "input": "dtmf",
        "numDigits": "2",
        "timeout": "6",
        "finishOnKey": "#",
        "actionOnEmptyResult": "true",
    }
    [say] = gather.findall("Say")
    assert say.attrib == {"language": "en-CA", "voice": "Polly.Joanna"}
    assert root.find("Hangup") is None


def test_the_language_menu_carries_its_state_in_the_action(channel_for):
    step = VoiceStep(
        say=(Speech("For English, press 1.", "en"), Speech("Pour le français…", "fr")),
        keys=Keys(max_digits=1, timeout=6),
        pending=Pending("passport", "call", 1),
    )
    gather = _xml(step, channel_for()).find("Gather")
    assert gather.get("action") == (
        f"{PUBLIC}/hooks/voice_twilio/language?program=passport&contact_type=call&attempt=1"
    )
    assert gather.get("finishOnKey") == ""  # a lone # is a key like any other, not an answer
    assert [say.get("language") for say in gather.iter("Say")] == ["en-CA", "fr-CA"]
    assert [say.get("voice") for say in gather.iter("Say")] == [None, None]


def test_a_recording_then_a_redirect_for_silence(channel_for):
    step = VoiceStep(say=(Speech("After the tone…", "fr"),), language="fr", recording=Recording())
    root = _xml(step, channel_for(TWILIO_VOICE_FR="Google.fr-CA-Standard-A"))
    assert [child.tag for child in root] == ["Say", "Record", "Redirect"]
    assert root.find("Say").get("voice") == "Google.fr-CA-Standard-A"
    record = root.find("Record")
    assert record.attrib == {
        "action": f"{PUBLIC}/hooks/voice_twilio/recording",
        "method": "POST",
        "maxLength": "60",
        "timeout": "5",
        "finishOnKey": "#",
        "playBeep": "true",
        "trim": "trim-silence",
    }
    assert root.find("Redirect").text == record.get("action")


def test_the_end_hangs_up(channel_for):
    root = _xml(VoiceStep(say=(Speech("Goodbye.", "en"),), end=True), channel_for())
    assert [child.tag for child in root] == ["Say", "Hangup"]


def test_the_call_back_greeting_in_both_languages(app_context):
    assert call_back_greeting("en") == Speech("Hello, this is an automated call.", "en")
    assert call_back_greeting("fr") == Speech("Bonjour, ceci est un appel automatisé.", "fr")


def test_unsigned_requests_are_refused(app: Flask):
    client = app.test_client()
    response = client.post("/hooks/voice_twilio/keys", data={"CallSid": "CA1", "Digits": "1"})
    assert response.status_code == 403
    assert response.get_json()["error"]["message"] == (
        "The X-Twilio-Signature header is missing or not valid."
    )


def test_the_signing_command(app: Flask):
    runner = app.test_cli_runner()
    path = "/language?program=passport&contact_type=call&attempt=0"
    params = ["CallSid=CA01", "From=+16135550123", "Digits=2"]
    signature = runner.invoke(sign_command, [path, *params]).output.strip()
    url = f"{PUBLIC}/hooks/voice_twilio{path}"
    form = {"CallSid": "CA01", "From": "+16135550123", "Digits": "2"}
    assert RequestValidator("plugin-test-token").validate(url, form, signature)

    curl = runner.invoke(sign_command, [path, *params, "--curl"]).output
    words = shlex.split(curl)
    assert words[:7] == ["curl", "-sS", "-w", "\\n", "-X", "POST", url]
    assert words[7:9] == ["-H", f"X-Twilio-Signature: {signature}"]
    assert words[9:] == [
        "--data-urlencode",
        "CallSid=CA01",
        "--data-urlencode",
        "From=+16135550123",
        "--data-urlencode",
        "Digits=2",
    ]


def test_the_signing_command_refuses_what_it_cannot_sign(app: Flask):
    runner = app.test_cli_runner()
    assert "start with /" in runner.invoke(sign_command, ["keys"]).output
    assert "is not NAME=VALUE" in runner.invoke(sign_command, ["/keys", "x"]).output
