"""The Twilio SMS channel: invitations through Twilio's Messages API, replies and receipts
through signed webhooks, every delivery fault reported as an outcome."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from feedback_twilio_common import DEV_AUTH_TOKEN, TwilioChannelBase
from flask import Blueprint

from feedback import plugin_api as api
from feedback.channels import DeliveryResult, Invitation

INBOUND_PATH = "/inbound"
STATUS_PATH = "/status"


class TwilioChannel(TwilioChannelBase):
    """One text per invitation; in conversation mode, the replies arrive at /hooks/sms_twilio."""

    name: ClassVar[str] = "sms_twilio"
    titles: ClassVar[Mapping[str, str]] = {"en": "text message (Twilio)", "fr": "texto (Twilio)"}
    requires: ClassVar[frozenset[str]] = frozenset({"phone"})
    medium: ClassVar[str | None] = "sms"
    conversations: ClassVar[bool] = True
    quiet_hours: ClassVar[tuple[int, int] | None] = (21, 8)
    configuration_errors: ClassVar[frozenset[int]] = frozenset(
        {
            20003,  # authentication failed
            20404,  # the account (or resource) does not exist
            21212,  # invalid From number
            21408,  # sending to this region is not enabled on the account
            21603,  # From is required
            21606,  # the From number cannot send SMS
        }
    )
    settings: ClassVar[Mapping[str, Any]] = {
        "TWILIO_ACCOUNT_SID": "",
        "TWILIO_AUTH_TOKEN": "",
        "TWILIO_FROM_NUMBER": "",
        "TWILIO_MESSAGING_SERVICE_SID": "",
        "TWILIO_BASE_URL": "",
        "TWILIO_TIMEOUT": 10,
    }

    @property
    def dev_outbox(self) -> bool:
        """No Twilio account outside production: texts go to the development outbox."""
        return self.uses_dev_outbox("TWILIO_ACCOUNT_SID")

    @property
    def auth_token(self) -> str:
        """The secret that signs Twilio's webhooks (and authenticates our API calls)."""
        return self.config["TWILIO_AUTH_TOKEN"] or (DEV_AUTH_TOKEN if self.dev_outbox else "")

    def check_config(self) -> None:
        self.check_transport()
        if self.dev_outbox:
            return
        self.check_credentials(
            "set TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN (or, outside production, "
            "OUTBOX_DIR to keep texts in the development outbox)"
        )
        if not (self.config["TWILIO_FROM_NUMBER"] or self.config["TWILIO_MESSAGING_SERVICE_SID"]):
            raise ValueError("set TWILIO_FROM_NUMBER or TWILIO_MESSAGING_SERVICE_SID")
        self.check_base_url()

    def send(self, invitation: Invitation) -> DeliveryResult:
        if not invitation.phone:
            return DeliveryResult.permanent("no phone number")
        body = api.sms_invitation_text(invitation, replies=True)
        if self.dev_outbox:
            return api.send_dev_text(
                self.platform.dev_outbox, channel=self.name, number=invitation.phone, body=body
            )
        sender: dict[str, str] = (
            {"messaging_service_sid": self.config["TWILIO_MESSAGING_SERVICE_SID"]}
            if self.config["TWILIO_MESSAGING_SERVICE_SID"]
            else {"from_": self.config["TWILIO_FROM_NUMBER"]}
        )
        return self.create(
            invitation,
            lambda client: client.messages.create(
                to=invitation.phone,
                body=body,
                status_callback=self.hook_url(STATUS_PATH),
                **sender,
            ),
            "text not sent",
        )

    def blueprint(self) -> Blueprint:
        from feedback_sms_twilio.views import bp

        return bp
