"""The base of the Twilio channels: the API client, the public URLs Twilio signs, the signature
check of its webhooks, and Twilio's refusals as delivery outcomes."""

from __future__ import annotations

import logging
from abc import abstractmethod
from collections.abc import Callable, Mapping
from typing import Any, ClassVar
from urllib.parse import urlsplit

import requests
from flask import abort, request
from twilio.base.exceptions import TwilioException
from twilio.http.http_client import TwilioHttpClient
from twilio.request_validator import RequestValidator
from twilio.rest import Client

from feedback import plugin_api as api
from feedback.channels import Channel, DeliveryResult, Invitation

#: Signs the webhooks when no TWILIO_AUTH_TOKEN is set outside production (never in production),
#: so that they can be played by hand against `make run`; the same for every Twilio channel.
DEV_AUTH_TOKEN = "dev-twilio-auth-token"  # noqa: S105 - public on purpose, development only


def classify(exc: TwilioException, configuration_errors: frozenset[int]) -> DeliveryResult:
    """A refusal of Twilio's API as an outcome.

    Rate limits (429), Twilio's own faults (5xx) and `configuration_errors` (Twilio error
    codes, https://www.twilio.com/docs/api/errors, that say our configuration is wrong rather
    than the number: fixing it lets the invitation go out) are transient; any other 4xx is about
    this number or this message (21211 invalid number, 21610 the number texted STOP to Twilio,
    21216 blocked ...) and is permanent. Only the status and the code are kept: Twilio's
    message often repeats the phone number.
    """
    status = int(getattr(exc, "status", 0) or 0)
    code = getattr(exc, "code", None)
    detail = f"Twilio {status} error {code}" if code else f"Twilio {status}"
    if status == 429 or status >= 500 or status in (401, 403, 404):
        return DeliveryResult.transient(detail)
    if code in configuration_errors:
        return DeliveryResult.transient(f"{detail}: check the Twilio settings")
    if 400 <= status < 500:
        return DeliveryResult.permanent(detail)
    return DeliveryResult.transient(detail)


class TwilioChannelBase(Channel):
    """What a Twilio channel does the same way whatever it sends.

    A subclass lists TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN, TWILIO_BASE_URL and TWILIO_TIMEOUT
    in its settings, and says which secret signs; the public address Twilio calls and the
    environment come from the platform context.
    """

    #: Twilio error codes that mean our settings are wrong, for :func:`classify`.
    configuration_errors: ClassVar[frozenset[int]] = frozenset()

    @property
    @abstractmethod
    def auth_token(self) -> str:
        """The secret that signs Twilio's webhooks (and authenticates our API calls)."""

    def check_transport(self) -> None:
        """Raise ValueError when the timeout or the public URL Twilio calls cannot work."""
        config = self.config
        if float(config["TWILIO_TIMEOUT"]) <= 0:
            raise ValueError("TWILIO_TIMEOUT must be a positive number of seconds")
        public = urlsplit(self.platform.public_base_url)
        if self.platform.production and public.scheme != "https":
            raise ValueError("PUBLIC_BASE_URL must be https: Twilio signs the URL it calls")

    def check_base_url(self) -> None:
        base_url = self.config["TWILIO_BASE_URL"]
        if base_url and urlsplit(base_url).scheme not in ("http", "https"):
            raise ValueError("TWILIO_BASE_URL must be an http(s) URL")

    def check_credentials(self, no_account: str) -> None:
        """Raise ValueError (`no_account` when there is no account SID) without credentials."""
        if not self.config["TWILIO_ACCOUNT_SID"]:
            raise ValueError(no_account)
        if not self.config["TWILIO_AUTH_TOKEN"]:
            raise ValueError("TWILIO_AUTH_TOKEN is empty: it signs the API calls and webhooks")

    def signature_valid(self, url: str, params: Mapping[str, Any], signature: str | None) -> bool:
        if not signature or not self.auth_token:
            return False
        return bool(RequestValidator(self.auth_token).validate(url, params, signature))

    def client(self) -> Client:
        """An API client, pointed at TWILIO_BASE_URL when set (a local stand-in)."""
        # The library logs every request's URL and headers at INFO; keep it to warnings.
        http_log = logging.getLogger(f"feedback.plugins.{self.name}.http")
        http_log.setLevel(logging.WARNING)
        http = TwilioHttpClient(timeout=float(self.config["TWILIO_TIMEOUT"]), logger=http_log)
        client = Client(self.config["TWILIO_ACCOUNT_SID"], self.auth_token, http_client=http)
        if self.config["TWILIO_BASE_URL"]:
            client.api.base_url = self.config["TWILIO_BASE_URL"].rstrip("/")
        return client

    def create(
        self, invitation: Invitation, create: Callable[[Client], Any], failure: str
    ) -> DeliveryResult:
        """Create a Twilio resource (a message, a call) for `invitation` with `create`.

        Sent with the resource's SID; any fault is an outcome, logged as `failure`.
        """
        try:
            resource = create(self.client())
        except TwilioException as exc:
            result = classify(exc, self.configuration_errors)
        except requests.Timeout:
            result = DeliveryResult.transient("Twilio timed out")
        except requests.RequestException as exc:
            result = DeliveryResult.transient(f"cannot reach Twilio: {type(exc).__name__}")
        else:
            return DeliveryResult.sent(resource.sid)
        return api.log_undelivered(self.log, failure, invitation, result)


def verify_signature(channel: TwilioChannelBase) -> None:
    """Refuse the current webhook request with 403 unless Twilio signed it.

    The signature covers the public URL from configuration (PUBLIC_BASE_URL + path + query),
    so the check holds behind a proxy or TLS terminator.
    """
    url = channel.platform.public_url(request.path, request.query_string.decode())
    signature = request.headers.get("X-Twilio-Signature")
    if not channel.signature_valid(url, request.form, signature):
        abort(403, description="The X-Twilio-Signature header is missing or not valid.")
