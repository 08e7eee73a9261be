"""The Twilio SMS channel: invitations through Twilio's Messages API, replies and receipts
through signed webhooks, every delivery fault reported as an outcome."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any, ClassVar
from urllib.parse import urlsplit

import requests
from flask import Blueprint
from twilio.base.exceptions import TwilioException
from twilio.http.http_client import TwilioHttpClient
from twilio.request_validator import RequestValidator
from twilio.rest import Client

from feedback.channels import Channel, DeliveryResult, Invitation, api

log = logging.getLogger("feedback.plugins.sms_twilio")
# The library logs every request's URL and headers at INFO; keep it to warnings.
_http_log = logging.getLogger("feedback.plugins.sms_twilio.http")
_http_log.setLevel(logging.WARNING)

#: Signs the development outbox's webhooks when no TWILIO_AUTH_TOKEN is set (never in production).
DEV_AUTH_TOKEN = "dev-twilio-auth-token"  # noqa: S105 - public on purpose, development only
INBOUND_PATH = "/inbound"
STATUS_PATH = "/status"

# Twilio error codes (https://www.twilio.com/docs/api/errors) that say our configuration is
# wrong rather than the number: fixing it lets the invitation go out, so they stay transient.
CONFIGURATION_ERRORS = frozenset(
    {
        20003,  # authentication failed
        20404,  # the account (or resource) does not exist
        21212,  # invalid From number
        21408,  # sending to this region is not enabled on the account
        21603,  # From is required
        21606,  # the From number cannot send SMS
    }
)


def classify(exc: TwilioException) -> DeliveryResult:
    """A refusal of the Messages API as an outcome.

    Rate limits (429), Twilio's own faults (5xx) and configuration errors are transient; any
    other 4xx is about this number or this message (21211 invalid number, 21610 the number
    texted STOP to Twilio, 21614 not a mobile, 21617 too long ...) and is permanent. Only the
    status and the code are kept: Twilio's message often repeats the phone number.
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


class TwilioChannel(Channel):
    """One text per invitation; in conversation mode, the replies arrive at /hooks/sms_twilio."""

    name: ClassVar[str] = "sms_twilio"
    requires: ClassVar[frozenset[str]] = frozenset({"phone"})
    medium: ClassVar[str | None] = "sms"
    conversations: ClassVar[bool] = True
    quiet_hours: ClassVar[tuple[int, int] | None] = (21, 8)
    settings: ClassVar[Mapping[str, Any]] = {
        "TWILIO_ACCOUNT_SID": "",
        "TWILIO_AUTH_TOKEN": "",
        "TWILIO_FROM_NUMBER": "",
        "TWILIO_MESSAGING_SERVICE_SID": "",
        "TWILIO_BASE_URL": "",
        "TWILIO_TIMEOUT": 10,
        "PUBLIC_BASE_URL": "http://127.0.0.1:5000",
        "FEEDBACK_ENV": "development",
        "OUTBOX_DIR": "",
    }

    @property
    def dev_outbox(self) -> bool:
        """No Twilio account outside production: texts go to the development outbox."""
        config = self.config
        return (
            not config["TWILIO_ACCOUNT_SID"]
            and config["FEEDBACK_ENV"] != "production"
            and bool(config["OUTBOX_DIR"])
        )

    @property
    def auth_token(self) -> str:
        """The secret that signs Twilio's webhooks (and authenticates our API calls)."""
        return self.config["TWILIO_AUTH_TOKEN"] or (DEV_AUTH_TOKEN if self.dev_outbox else "")

    def check_config(self) -> None:
        config = self.config
        if float(config["TWILIO_TIMEOUT"]) <= 0:
            raise ValueError("TWILIO_TIMEOUT must be a positive number of seconds")
        public = urlsplit(config["PUBLIC_BASE_URL"])
        if config["FEEDBACK_ENV"] == "production" and public.scheme != "https":
            raise ValueError("PUBLIC_BASE_URL must be https: Twilio signs the URL it calls")
        if self.dev_outbox:
            return
        if not config["TWILIO_ACCOUNT_SID"]:
            raise ValueError(
                "set TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN (or, outside production, "
                "OUTBOX_DIR to keep texts in the development outbox)"
            )
        if not config["TWILIO_AUTH_TOKEN"]:
            raise ValueError("TWILIO_AUTH_TOKEN is empty: it signs the API calls and webhooks")
        if not (config["TWILIO_FROM_NUMBER"] or config["TWILIO_MESSAGING_SERVICE_SID"]):
            raise ValueError("set TWILIO_FROM_NUMBER or TWILIO_MESSAGING_SERVICE_SID")
        if config["TWILIO_BASE_URL"] and urlsplit(config["TWILIO_BASE_URL"]).scheme not in (
            "http",
            "https",
        ):
            raise ValueError("TWILIO_BASE_URL must be an http(s) URL")

    def public_url(self, path: str, query: str = "") -> str:
        """The URL Twilio calls for an app path, as configured: what its signature covers,
        whatever the proxy in front of the app did to the host, scheme or port."""
        url = f"{self.config['PUBLIC_BASE_URL'].rstrip('/')}{path}"
        return f"{url}?{query}" if query else url

    def hook_url(self, path: str) -> str:
        """The public URL of one of this channel's webhooks (INBOUND_PATH, STATUS_PATH)."""
        return self.public_url(f"/hooks/{self.name}{path}")

    def signature_valid(self, url: str, params: Mapping[str, Any], signature: str | None) -> bool:
        if not signature or not self.auth_token:
            return False
        return bool(RequestValidator(self.auth_token).validate(url, params, signature))

    def client(self) -> Client:
        """A Messages API client, pointed at TWILIO_BASE_URL when set (a local stand-in)."""
        http = TwilioHttpClient(timeout=float(self.config["TWILIO_TIMEOUT"]), logger=_http_log)
        client = Client(self.config["TWILIO_ACCOUNT_SID"], self.auth_token, http_client=http)
        if self.config["TWILIO_BASE_URL"]:
            client.api.base_url = self.config["TWILIO_BASE_URL"].rstrip("/")
        return client

    def send(self, invitation: Invitation) -> DeliveryResult:
        if not invitation.phone:
            return DeliveryResult.permanent("no phone number")
        body = api.sms_invitation_text(invitation, replies=True)
        if self.dev_outbox:
            name = api.record_dev_text(
                self.config["OUTBOX_DIR"],
                direction=api.OUTGOING,
                channel=self.name,
                number=invitation.phone,
                body=body,
            )
            return DeliveryResult.sent(f"dev-{name}")
        sender: dict[str, str] = (
            {"messaging_service_sid": self.config["TWILIO_MESSAGING_SERVICE_SID"]}
            if self.config["TWILIO_MESSAGING_SERVICE_SID"]
            else {"from_": self.config["TWILIO_FROM_NUMBER"]}
        )
        try:
            message = self.client().messages.create(
                to=invitation.phone,
                body=body,
                status_callback=self.hook_url(STATUS_PATH),
                **sender,
            )
        except TwilioException as exc:
            result = classify(exc)
        except requests.Timeout:
            result = DeliveryResult.transient("Twilio timed out")
        except requests.RequestException as exc:
            result = DeliveryResult.transient(f"cannot reach Twilio: {type(exc).__name__}")
        else:
            return DeliveryResult.sent(message.sid)
        log.warning(
            "text not sent",
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
        from feedback_sms_twilio.views import bp

        return bp
