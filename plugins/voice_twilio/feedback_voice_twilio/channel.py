"""The Twilio voice channel: callers transferred to the survey's webhooks at the end of a call,
and call-backs placed through Twilio's Calls API, every delivery fault reported as an outcome."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, ClassVar

from feedback_twilio_common import DEV_AUTH_TOKEN, TwilioChannelBase
from flask import Blueprint

from feedback import plugin_api as api
from feedback.channels import DeliveryResult, Invitation, RuleOption

CALL_PATH = "/call"
LANGUAGE_PATH = "/language"
KEYS_PATH = "/keys"
RECORDING_PATH = "/recording"
STATUS_PATH = "/status"

E164 = re.compile(r"^\+[1-9]\d{6,14}$")


class VoiceTwilioChannel(TwilioChannelBase):
    """Keypad surveys on the phone. A rule in `conversation` mode (or `link`) waits for the
    call centre to transfer the caller; in `callback` mode, send() calls the client."""

    name: ClassVar[str] = "voice_twilio"
    titles: ClassVar[Mapping[str, str]] = {
        "en": "phone call (Twilio)",
        "fr": "appel téléphonique (Twilio)",
    }
    requires: ClassVar[frozenset[str]] = frozenset({"phone"})
    medium: ClassVar[str | None] = "voice"
    conversations: ClassVar[bool] = True
    calls_back: ClassVar[bool] = True
    # Call-backs only between 9:00 and 21:00, the client's time, unless the rule says otherwise.
    quiet_hours: ClassVar[tuple[int, int] | None] = (21, 9)
    configuration_errors: ClassVar[frozenset[int]] = frozenset(
        {
            20003,  # authentication failed
            20404,  # the account (or resource) does not exist
            21205,  # the Url is not valid
            21210,  # the From number is not verified for the account
            21212,  # invalid From number
            21215,  # calls to this region are not enabled (geographic permissions)
        }
    )
    rule_options: ClassVar[Mapping[str, RuleOption]] = {
        api.RECORD_ANSWERS: RuleOption(
            "Ask free-text questions too: the caller answers aloud after a tone, Twilio keeps "
            "the recording and the answer keeps its address."
        )
    }
    settings: ClassVar[Mapping[str, Any]] = {
        "TWILIO_ACCOUNT_SID": "",
        "TWILIO_AUTH_TOKEN": "",
        "TWILIO_VOICE_FROM_NUMBER": "",
        "TWILIO_VOICE_EN": "",
        "TWILIO_VOICE_FR": "",
        "TWILIO_BASE_URL": "",
        "TWILIO_TIMEOUT": 10,
    }

    @property
    def development(self) -> bool:
        """No Twilio account outside production: webhooks work, call-backs cannot be placed."""
        return not self.config["TWILIO_ACCOUNT_SID"] and self.platform.local

    @property
    def auth_token(self) -> str:
        """The secret that signs Twilio's webhooks (and authenticates our API calls)."""
        return self.config["TWILIO_AUTH_TOKEN"] or (DEV_AUTH_TOKEN if self.development else "")

    def voice(self, language: str) -> str | None:
        """The text-to-speech voice for a language, if set (else the account's default)."""
        return self.config["TWILIO_VOICE_FR" if language == "fr" else "TWILIO_VOICE_EN"] or None

    def check_config(self) -> None:
        self.check_transport()
        self.check_base_url()
        if self.development:
            return
        self.check_credentials("set TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN")
        if not E164.match(self.config["TWILIO_VOICE_FROM_NUMBER"]):
            raise ValueError("TWILIO_VOICE_FROM_NUMBER must be the calling number (+1613...)")

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
        return self.create(
            invitation,
            lambda client: client.calls.create(
                to=invitation.phone,
                from_=self.config["TWILIO_VOICE_FROM_NUMBER"],
                url=self.hook_url(CALL_PATH, {"invitation": invitation.id}),
                status_callback=self.hook_url(STATUS_PATH),
                machine_detection="Enable",
            ),
            "call not placed",
        )

    def blueprint(self) -> Blueprint:
        from feedback_voice_twilio.views import bp

        return bp
