"""Calls played the way the providers play them: Twilio following the TwiML it gets back (each
request signed over the public URL), a contact-centre platform speaking the JSON protocol."""

from __future__ import annotations

import json
import secrets
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit
from xml.etree import ElementTree

from feedback_voice_webhook.signing import SIGNATURE_HEADER, TIMESTAMP_HEADER, sign
from flask import Flask
from flask.testing import FlaskClient
from twilio.request_validator import RequestValidator
from werkzeug.test import TestResponse

from feedback.devtools.demo import add_questionnaire
from feedback.distribution.models import DistributionRule
from feedback.extensions import db
from feedback.invitations.models import InvitationMode
from feedback.programs.models import Program
from feedback.questionnaires.models import QuestionnaireVersion
from tests.factories import make_program, make_rule

PUBLIC = "http://survey.test"
TWILIO_NUMBER = "+16135550100"
WEBHOOK_SECRET = "voice-webhook-test-secret-0123456789abcdef"
#: The phone wording of the first question; the others fall back to their written text.
OVERALL_EN = "Overall, how satisfied are you with the help you got on the phone today?"
OVERALL_FR = "Dans l'ensemble, êtes-vous satisfait de l'aide reçue au téléphone aujourd'hui?"


def add_phone_questionnaire(program: Program) -> QuestionnaireVersion:
    """The demo questionnaire, its first question with a wording for the phone; published."""
    return add_questionnaire(
        program,
        code="after-call",
        wordings={"overall": {"voice": {"en": OVERALL_EN, "fr": OVERALL_FR}}},
    )


def voice_setup(
    channel: str = "voice_twilio", mode: str = "conversation", **rule: Any
) -> DistributionRule:
    """The demo program, the phone questionnaire, and a rule for 'call' contacts by voice;
    quiet hours off unless given."""
    program = make_program()
    version = add_phone_questionnaire(program)
    values: dict[str, Any] = {
        "contact_type": "call",
        "quiet_start_hour": 0,
        "quiet_end_hour": 0,
        "channel": channel,
        "mode": InvitationMode(mode),
    }
    values.update(rule)
    made = make_rule(program, version, **values)
    db.session.commit()
    return made


# --- Twilio ------------------------------------------------------------------------------------


def twilio_post(
    client: FlaskClient, app: Flask, url: str, params: dict[str, str], token: str | None = None
) -> TestResponse:
    """POST form params to a public URL, signed with X-Twilio-Signature as Twilio does."""
    secret = token or app.config["TWILIO_AUTH_TOKEN"]
    signature = RequestValidator(secret).compute_signature(url, params)
    parts = urlsplit(url)
    path = f"{parts.path}?{parts.query}" if parts.query else parts.path
    return client.post(path, data=params, headers={"X-Twilio-Signature": signature})


def twiml(response: TestResponse) -> ElementTree.Element:
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.mimetype == "application/xml"
    root = ElementTree.fromstring(response.get_data())
    assert root.tag == "Response"
    return root


def said(root: ElementTree.Element) -> list[tuple[str, str]]:
    """(text, language) of every Say, in order, wherever it is nested."""
    return [(say.text or "", say.get("language", "")) for say in root.iter("Say")]


@dataclass
class TwilioCall:
    """One call, as Twilio plays it: each request goes to the URL the last TwiML named."""

    client: FlaskClient
    app: Flask
    sid: str = field(default_factory=lambda: "CA" + secrets.token_hex(16))
    caller: str = "+16135550123"
    last: ElementTree.Element | None = None

    def _post(self, url: str, **params: str) -> ElementTree.Element:
        form = {"CallSid": self.sid, "From": self.caller, "To": TWILIO_NUMBER, **params}
        self.last = twiml(twilio_post(self.client, self.app, url, form))
        return self.last

    def start(self, query: str = "", **params: str) -> ElementTree.Element:
        """Twilio requests the survey's /call (a transfer, or a call-back's Url)."""
        return self._post(f"{PUBLIC}/hooks/voice_twilio/call?{query}", **params)

    def answer(self, url: str, **params: str) -> ElementTree.Element:
        """Twilio requests a call-back's Url once the client picks up."""
        return self._post(url, **params)

    @property
    def gather(self) -> ElementTree.Element:
        assert self.last is not None
        found = self.last.find("Gather")
        assert found is not None, ElementTree.tostring(self.last)
        return found

    def press(self, digits: str) -> ElementTree.Element:
        """Keys pressed ('' for none) during the last Gather: Twilio posts them to its action
        (actionOnEmptyResult, so a silence too)."""
        assert self.gather.get("actionOnEmptyResult") == "true"
        return self._post(self.gather.get("action", ""), Digits=digits)

    def speak(self, recording_url: str | None) -> ElementTree.Element:
        """A spoken answer to the last Record; None: nothing said, Twilio goes on to the
        Redirect that follows the Record."""
        assert self.last is not None
        record, redirect = self.last.find("Record"), self.last.find("Redirect")
        assert record is not None and redirect is not None
        if recording_url is None:
            return self._post(redirect.text or "")
        return self._post(
            record.get("action", ""),
            RecordingUrl=recording_url,
            RecordingSid=recording_url.rsplit("/", 1)[-1],
            RecordingDuration="7",
            Digits="#",
        )

    def status(self, call_status: str = "completed", **params: str) -> TestResponse:
        """Twilio's status callback when the call ends."""
        form = {"CallSid": self.sid, "CallStatus": call_status, **params}
        return twilio_post(self.client, self.app, f"{PUBLIC}/hooks/voice_twilio/status", form)


def hung_up(root: ElementTree.Element) -> bool:
    return root.find("Hangup") is not None


# --- The JSON protocol -------------------------------------------------------------------------

WEBHOOK = "/hooks/voice_webhook/call"


def signed_headers(body: bytes, *, secret: str = WEBHOOK_SECRET, at: int | None = None):
    timestamp = int(time.time()) if at is None else at
    return {
        "Content-Type": "application/json",
        TIMESTAMP_HEADER: str(timestamp),
        SIGNATURE_HEADER: sign(secret, timestamp, body),
    }


def post_json(client: FlaskClient, payload: dict[str, Any], **signing: Any) -> TestResponse:
    body = json.dumps(payload).encode()
    return client.post(WEBHOOK, data=body, headers=signed_headers(body, **signing))


@dataclass
class WebhookCall:
    """One call, as a platform speaking the JSON protocol plays it."""

    client: FlaskClient
    call_id: str = field(default_factory=lambda: f"call-{secrets.token_hex(6)}")
    caller: str = "+16135550123"
    state: dict[str, str] | None = None
    step: str | None = None

    def _send(self, payload: dict[str, Any]) -> dict[str, Any]:
        response = post_json(self.client, {"call_id": self.call_id, **payload})
        assert response.status_code == 200, response.get_data(as_text=True)
        body = response.get_json()
        self.state, self.step = body.get("state"), body.get("step")
        return body

    def start(self, **details: Any) -> dict[str, Any]:
        return self._send({"event": "start", "caller": self.caller, **details})

    def press(self, digits: str) -> dict[str, Any]:
        payload: dict[str, Any] = {"event": "keys", "digits": digits, "caller": self.caller}
        if self.state is not None:
            payload["state"] = self.state
        if self.step is not None:
            payload["step"] = self.step
        return self._send(payload)

    def end(self, outcome: str = "completed") -> dict[str, Any]:
        return self._send({"event": "end", "outcome": outcome})


def texts(body: dict[str, Any]) -> list[tuple[str, str]]:
    return [(item["text"], item["locale"]) for item in body["say"]]
