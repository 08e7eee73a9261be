"""Posting to the plugins' webhooks the way the providers do: signed, or with a bearer token."""

from __future__ import annotations

import secrets
from typing import Any
from xml.etree import ElementTree

from flask import Flask
from flask.testing import FlaskClient
from twilio.request_validator import RequestValidator
from werkzeug.test import TestResponse

TWILIO_FROM = "+16135550100"
NOTIFY_CALLBACK_TOKEN = "callback-token-5b1c0f"
INBOUND = "/hooks/sms_twilio/inbound"
STATUS = "/hooks/sms_twilio/status"
NOTIFY_STATUS = "/hooks/sms_notify/status"


def signed_post(
    client: FlaskClient,
    app: Flask,
    path: str,
    params: dict[str, str],
    *,
    token: str | None = None,
    url: str | None = None,
) -> TestResponse:
    """POST form params with the X-Twilio-Signature Twilio computes over the public URL."""
    signed_url = url or f"{app.config['PUBLIC_BASE_URL']}{path}"
    secret = token or app.config["TWILIO_AUTH_TOKEN"]
    signature = RequestValidator(secret).compute_signature(signed_url, params)
    return client.post(path, data=params, headers={"X-Twilio-Signature": signature})


def inbound_params(sender: str, body: str) -> dict[str, str]:
    """The fields Twilio posts for an incoming text (the ones that matter, and a few more)."""
    return {
        "MessageSid": "SM" + secrets.token_hex(16),
        "AccountSid": "AC" + "0" * 32,
        "From": sender,
        "To": TWILIO_FROM,
        "Body": body,
        "NumMedia": "0",
        "NumSegments": "1",
        "ApiVersion": "2010-04-01",
    }


def replies(response: TestResponse) -> list[str]:
    """The texts of a TwiML answer, in order."""
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.mimetype == "application/xml"
    root = ElementTree.fromstring(response.get_data())
    assert root.tag == "Response"
    return [message.text or "" for message in root.iter("Message")]


def text(client: FlaskClient, app: Flask, sender: str, body: str) -> list[str]:
    """A client's text through the signed inbound webhook; the texts sent back."""
    return replies(signed_post(client, app, INBOUND, inbound_params(sender, body)))


def receipt(client: FlaskClient, app: Flask, sid: str, status: str, **extra: Any) -> TestResponse:
    params = {
        "MessageSid": sid,
        "MessageStatus": status,
        "AccountSid": "AC" + "0" * 32,
        "To": "+16135550123",
        "From": TWILIO_FROM,
        **extra,
    }
    return signed_post(client, app, STATUS, params)


def notify_receipt(client: FlaskClient, body: dict[str, Any], token: str | None = None):
    headers = {"Authorization": f"Bearer {token or NOTIFY_CALLBACK_TOKEN}"}
    return client.post(NOTIFY_STATUS, json=body, headers=headers)
