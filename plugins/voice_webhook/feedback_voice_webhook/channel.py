"""The generic voice channel: callers transferred by any contact-centre platform that calls a
signed JSON webhook with the keys pressed (see README.md for the protocol)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from flask import Blueprint

from feedback.channels import Channel, DeliveryResult, Invitation

#: Signs requests when no VOICE_WEBHOOK_SECRET is set outside production, so that calls can
#: be played by hand against `make run`.
DEV_SECRET = "dev-voice-webhook-secret"  # noqa: S105 - public on purpose, development only
MIN_SECRET_LENGTH = 32


class VoiceWebhookChannel(Channel):
    """Keypad surveys on the phone for callers the platform transfers at the end of a call."""

    name: ClassVar[str] = "voice_webhook"
    titles: ClassVar[Mapping[str, str]] = {
        "en": "phone call (webhook)",
        "fr": "appel téléphonique (webhook)",
    }
    requires: ClassVar[frozenset[str]] = frozenset({"phone"})
    medium: ClassVar[str | None] = "voice"
    conversations: ClassVar[bool] = True
    settings: ClassVar[Mapping[str, Any]] = {
        "VOICE_WEBHOOK_SECRET": "",
        "VOICE_WEBHOOK_TOLERANCE": 300,
    }

    @property
    def secret(self) -> str:
        config = self.config
        if config["VOICE_WEBHOOK_SECRET"] or not self.platform.local:
            return config["VOICE_WEBHOOK_SECRET"]
        return DEV_SECRET

    @property
    def tolerance(self) -> int:
        """Seconds a request's timestamp may be from now, either way."""
        return int(self.config["VOICE_WEBHOOK_TOLERANCE"])

    def check_config(self) -> None:
        if not 30 <= self.tolerance <= 3600:
            raise ValueError("VOICE_WEBHOOK_TOLERANCE must be between 30 and 3600 seconds")
        if not self.platform.local and (
            len(self.config["VOICE_WEBHOOK_SECRET"]) < MIN_SECRET_LENGTH
        ):
            raise ValueError(
                f"VOICE_WEBHOOK_SECRET must be at least {MIN_SECRET_LENGTH} characters "
                "(e.g. `python -c 'import secrets; print(secrets.token_urlsafe(32))'`)"
            )

    def send(self, invitation: Invitation) -> DeliveryResult:
        """Nothing to send: the platform transfers the caller, whose call takes the survey.

        The invitation is marked sent (offered); the caller's `start` request finds it.
        """
        return DeliveryResult.sent()

    def blueprint(self) -> Blueprint:
        from feedback_voice_webhook.views import bp

        return bp
