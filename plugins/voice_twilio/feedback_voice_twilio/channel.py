"""The Twilio voice channel: callers transferred to the survey's webhooks at the end of a call,
and call-backs placed through Twilio's Calls API, every delivery fault reported as an outcome."""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from typing import Any, ClassVar
from urllib.parse import urlencode, urlsplit

import requests
from flask import Blueprint
from twilio.base.exceptions import TwilioException
from twilio.http.http_client import TwilioHttpClient
from twilio.request_validator import RequestValidator
from twilio.rest import Client

from feedback.channels import Channel, DeliveryResult, Invitation

log = logging.getLogger("feedback.plugins.voice_twilio")
# The library logs every request's URL and headers at INFO; keep it to warnings.
_http_log = logging.getLogger("feedback.plugins.voice_twilio.http")
_http_log.setLevel(logging.WARNING)

#: Signs the webhooks when no TWILIO_AUTH_TOKEN is set outside production, so that calls can
#: be played by hand against `make run` (the same value as the SMS plugin's).
DEV_AUTH_TOKEN = "dev-twilio-auth-token"  # noqa: S105 - public on purpose, development only
CALL_PATH = "/call"
LANGUAGE_PATH = "/language"
KEYS_PATH = "/keys"
RECORDING_PATH = "/recording"
STATUS_PATH = "/status"

# Twilio error codes (https://www.twilio.com/docs/api/errors) that say our configuration is
# wrong rather than the number: fixing it lets the call go out, so they stay transient.
CONFIGURATION_ERRORS = frozenset(
    {
        20003,  # authentication failed
        20404,  # the account (or resource) does not exist
        21205,  # the Url is not valid
        21210,  # the From number is not verified for the account
        21212,  # invalid From number
        21215,  # calls to this region are not enabled (geographic permissions)
    }
)


def classify(exc: TwilioException) -> DeliveryResult:
    """A refusal of the Calls API as an outcome.

    Rate limits (429), Twilio's own faults (5xx) and configuration errors are transient; any
    other 4xx is about this number (21211 invalid, 21216 blocked, 21217 not a number Twilio
    can call ...) and is permanent. Only the status and code are kept: Twilio's message often
    repeats the phone number.
    """
    status = int(getattr(exc, "status", 0) or 0)
    code = getattr(exc, "code", None)
    detail = f"Twilio {status} error {code}" if code else f"Twilio {status}"
    if status == 429 or status >= 500 or status in (401, 403, 404):
        return DeliveryResult.transient(detail)
    if code in CONFIGURATION_ERRORS:
        return DeliveryResult.transient(f"{detail}: check the Twilio settings")
    if 400 <= status < 500:
        return DeliveryResult.permanent(detail)
    return DeliveryResult.transient(detail)


E164 = re.compile(r"^\+[1-9]\d{6,14}$")


class VoiceTwilioChannel(Channel):
    """Keypad surveys on the phone. A rule in `conversation` mode (or `link`) waits for the
    call centre to transfer the caller; in `callback` mode, send() calls the client."""

    name: ClassVar[str] = "voice_twilio"
    requires: ClassVar[frozenset[str]] = frozenset({"phone"})
    medium: ClassVar[str | None] = "voice"
    conversations: ClassVar[bool] = True
    calls_back: ClassVar[bool] = True
    # Call-backs only between 9:00 and 21:00, the client's time, unless the rule says otherwise.
    quiet_hours: ClassVar[tuple[int, int] | None] = (21, 9)
    settings: ClassVar[Mapping[str, Any]] = {
        "TWILIO_ACCOUNT_SID": "",
        "TWILIO_AUTH_TOKEN": "",
        "TWILIO_VOICE_FROM_NUMBER": "",
        "TWILIO_VOICE_EN": "",
        "TWILIO_VOICE_FR": "",
        "TWILIO_BASE_URL": "",
        "TWILIO_TIMEOUT": 10,
        "PUBLIC_BASE_URL": "http://127.0.0.1:5000",
        "FEEDBACK_ENV": "development",
    }

    @property
    def development(self) -> bool:
        """No Twilio account outside production: webhooks work, call-backs cannot be placed."""
        return not self.config["TWILIO_ACCOUNT_SID"] and self.config["FEEDBACK_ENV"] != "production"

    @property
    def auth_token(self) -> str:
        """The secret that signs Twilio's webhooks (and authenticates our API calls)."""
        return self.config["TWILIO_AUTH_TOKEN"] or (DEV_AUTH_TOKEN if self.development else "")

    def voice(self, language: str) -> str | None:
        """The text-to-speech voice for a language, if set (else the account's default)."""
        return self.config["TWILIO_VOICE_FR" if language == "fr" else "TWILIO_VOICE_EN"] or None

    def check_config(self) -> None:
        config = self.config
        if float(config["TWILIO_TIMEOUT"]) <= 0:
            raise ValueError("TWILIO_TIMEOUT must be a positive number of seconds")
        public = urlsplit(config["PUBLIC_BASE_URL"])
        if config["FEEDBACK_ENV"] == "production" and public.scheme != "https":
            raise ValueError("PUBLIC_BASE_URL must be https: Twilio signs the URL it calls")
        if config["TWILIO_BASE_URL"] and urlsplit(config["TWILIO_BASE_URL"]).scheme not in (
            "http",
            "https",
        ):
            raise ValueError("TWILIO_BASE_URL must be an http(s) URL")
        if self.development:
            return
        if not config["TWILIO_ACCOUNT_SID"]:
            raise ValueError("set TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN")
        if not config["TWILIO_AUTH_TOKEN"]:
            raise ValueError("TWILIO_AUTH_TOKEN is empty: it signs the API calls and webhooks")
        if not E164.match(config["TWILIO_VOICE_FROM_NUMBER"]):
            raise ValueError("TWILIO_VOICE_FROM_NUMBER must be the calling number (+1613...)")

    def public_url(self, path: str, query: str = "") -> str:
        """The URL Twilio calls for an app path, as configured: what its signature covers,
        whatever the proxy in front of the app did to the host, scheme or port."""
        url = f"{self.config['PUBLIC_BASE_URL'].rstrip('/')}{path}"
        return f"{url}?{query}" if query else url

    def hook_url(self, path: str, params: Mapping[str, str] | None = None) -> str:
        """The public URL of one of this channel's webhooks (CALL_PATH, KEYS_PATH ...)."""
        return self.public_url(f"/hooks/{self.name}{path}", urlencode(params or {}))

    def signature_valid(self, url: str, params: Mapping[str, Any], signature: str | None) -> bool:
        if not signature or not self.auth_token:
            return False
        return bool(RequestValidator(self.auth_token).validate(url, params, signature))

    def client(self) -> Client:
        """A Calls API client, pointed at TWILIO_BASE_URL when set (a local stand-in)."""
        http = TwilioHttpClient(timeout=float(self.config["TWILIO_TIMEOUT"]), logger=_http_log)
        client = Client(self.config["TWILIO_ACCOUNT_SID"], self.auth_token, http_client=http)
        if self.config["TWILIO_BASE_URL"]:
            client.api.base_url = self.config["TWILIO_BASE_URL"].rstrip("/")
        return client

    def send(self, invitation: Invitation) -> DeliveryResult:
        """Call the client back; for a transferred caller there is nothing to send.

        In `callback` mode Twilio calls the client, with answering-machine detection, and
        requests CALL_PATH when the call is answered and STATUS_PATH when it ends. Otherwise
        the invitation is delivered by the transfer itself: it is marked sent (offered) and
        the caller's call takes it.
        """
        if invitation.mode != "callback":
            return DeliveryResult.sent()
        if not invitation.phone:
            return DeliveryResult.permanent("no phone number")
        if self.development:
            return DeliveryResult.permanent("call-backs need a Twilio account (TWILIO_ACCOUNT_SID)")
        try:
            call = self.client().calls.create(
                to=invitation.phone,
                from_=self.config["TWILIO_VOICE_FROM_NUMBER"],
                url=self.hook_url(CALL_PATH, {"invitation": invitation.id}),
                status_callback=self.hook_url(STATUS_PATH),
                machine_detection="Enable",
            )
        except TwilioException as exc:
            result = classify(exc)
        except requests.Timeout:
            result = DeliveryResult.transient("Twilio timed out")
        except requests.RequestException as exc:
            result = DeliveryResult.transient(f"cannot reach Twilio: {type(exc).__name__}")
        else:
            return DeliveryResult.sent(call.sid)
        log.warning(
            "call not placed",
            extra={
                "fields": {
                    "invitation": invitation.id,
                    "outcome": result.outcome,
                    "detail": result.detail,
                }
            },
        )
        return result

    def blueprint(self) -> Blueprint:
        from feedback_voice_twilio.views import bp

        return bp
