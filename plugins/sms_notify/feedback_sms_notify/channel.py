"""The GC Notify SMS channel: template-based invitations through GC Notify's API, delivery
receipts through its callback. GC Notify does not pass clients' replies on, so this channel
sends the survey link (link mode) only."""

from __future__ import annotations

import hmac
import re
from collections.abc import Mapping
from typing import Any, ClassVar
from urllib.parse import urlsplit

from flask import Blueprint, abort, jsonify, request
from flask.typing import ResponseReturnValue
from notifications_python_client.errors import APIError, HTTP503Error
from notifications_python_client.notifications import NotificationsAPIClient

from feedback import plugin_api as api
from feedback.channels import Channel, DeliveryResult, DeliveryStatus, Invitation

_UUID = r"[0-9a-f]{8}(?:-[0-9a-f]{4}){3}-[0-9a-f]{12}"
UUID = re.compile(f"^{_UUID}$")
#: {key name}-{service id}-{secret}, the form of every GC Notify API key.
API_KEY = re.compile(f"^.+-{_UUID}-{_UUID}$")
STATUS_PATH = "/status"

# GC Notify's final statuses (https://documentation.notification.canada.ca/en/callbacks.html).
RECEIPTS = {
    "delivered": DeliveryStatus.DELIVERED,
    "permanent-failure": DeliveryStatus.UNDELIVERED,  # the number is wrong
    "temporary-failure": DeliveryStatus.TEMPORARY,  # the phone was off or unreachable: retried
    "technical-failure": DeliveryStatus.FAILED,  # never left GC Notify
}


def _error_names(exc: APIError) -> str:
    """The error names of a GC Notify refusal (its messages may repeat the number)."""
    try:
        errors = exc.response.json().get("errors", [])  # type: ignore[union-attr]
        names = sorted({str(item.get("error", "")) for item in errors if item.get("error")})
    except (AttributeError, TypeError, ValueError):
        names = []
    return ", ".join(names)


def classify(exc: APIError) -> DeliveryResult:
    """A refusal as an outcome: 400 (a bad number, a template problem) is permanent; 403 (the
    key, the clock), 429 (rate and daily limits), 5xx and no answer at all are transient."""
    if exc.response is None:  # the client reports timeouts and refused connections as a 503
        return DeliveryResult.transient("cannot reach GC Notify")
    status = exc.status_code
    names = _error_names(exc)
    detail = f"GC Notify {status} {names}".rstrip()
    if isinstance(exc, HTTP503Error) or status >= 500 or status == 429:
        return DeliveryResult.transient(detail)
    if status in (401, 403):
        return DeliveryResult.transient(f"{detail}: check NOTIFY_API_KEY and the clock")
    if 400 <= status < 500:
        return DeliveryResult.permanent(detail)
    return DeliveryResult.transient(detail)


class NotifyChannel(Channel):
    """One text per invitation, through a GC Notify template whose content is ((message))."""

    name: ClassVar[str] = "sms_notify"
    titles: ClassVar[Mapping[str, str]] = {
        "en": "text message (GC Notify)",
        "fr": "texto (GC Notification)",
    }
    requires: ClassVar[frozenset[str]] = frozenset({"phone"})
    medium: ClassVar[str | None] = "sms"
    quiet_hours: ClassVar[tuple[int, int] | None] = (21, 8)
    settings: ClassVar[Mapping[str, Any]] = {
        "NOTIFY_API_KEY": "",
        "NOTIFY_BASE_URL": "https://api.notification.canada.ca",
        "NOTIFY_SMS_TEMPLATE_ID": "",
        "NOTIFY_SMS_SENDER_ID": "",
        "NOTIFY_CALLBACK_TOKEN": "",
        "NOTIFY_TIMEOUT": 10,
    }

    @property
    def dev_outbox(self) -> bool:
        """No API key outside production: texts go to the development outbox."""
        return self.uses_dev_outbox("NOTIFY_API_KEY")

    def check_config(self) -> None:
        config = self.config
        if int(config["NOTIFY_TIMEOUT"]) <= 0:
            raise ValueError("NOTIFY_TIMEOUT must be a positive number of seconds")
        if self.dev_outbox:
            return
        if not API_KEY.match(config["NOTIFY_API_KEY"]):
            raise ValueError(
                "NOTIFY_API_KEY must be a GC Notify API key (name-service id-secret); outside "
                "production, leave it empty and set OUTBOX_DIR for the development outbox"
            )
        if not UUID.match(config["NOTIFY_SMS_TEMPLATE_ID"]):
            raise ValueError("NOTIFY_SMS_TEMPLATE_ID must be the id of a GC Notify text template")
        sender = config["NOTIFY_SMS_SENDER_ID"]
        if sender and not UUID.match(sender):
            raise ValueError("NOTIFY_SMS_SENDER_ID must be a GC Notify sender id when set")
        if urlsplit(config["NOTIFY_BASE_URL"]).scheme not in ("http", "https"):
            raise ValueError("NOTIFY_BASE_URL must be an http(s) URL")

    def client(self) -> NotificationsAPIClient:
        return NotificationsAPIClient(
            self.config["NOTIFY_API_KEY"],
            base_url=self.config["NOTIFY_BASE_URL"],
            timeout=int(self.config["NOTIFY_TIMEOUT"]),
        )

    def send(self, invitation: Invitation) -> DeliveryResult:
        if not invitation.phone:
            return DeliveryResult.permanent("no phone number")
        body = api.sms_invitation_text(invitation, replies=False)
        if self.dev_outbox:
            return api.send_dev_text(
                self.platform.dev_outbox, channel=self.name, number=invitation.phone, body=body
            )
        try:
            notification = self.client().send_sms_notification(
                phone_number=invitation.phone,
                template_id=self.config["NOTIFY_SMS_TEMPLATE_ID"],
                personalisation={"message": body},
                reference=invitation.id,
                sms_sender_id=self.config["NOTIFY_SMS_SENDER_ID"] or None,
            )
        except APIError as exc:  # HTTP errors, and no answer at all (as a 503)
            result = classify(exc)
        else:
            return DeliveryResult.sent(str(notification["id"]))
        return api.log_undelivered(self.log, "text not sent", invitation, result)

    def sent_before(self, invitation_id: str) -> str | None:
        """GC Notify keeps our reference (the invitation's id): the notification it accepted for
        it, if any. Unreachable or refusing, it cannot tell: None (the invitation is sent again)."""
        if self.dev_outbox:
            return None
        try:
            found = self.client().get_all_notifications(reference=invitation_id)
        except APIError:
            return None
        notifications = found.get("notifications") or []
        return str(notifications[0]["id"]) if notifications else None

    def callback_authorised(self, header: str | None) -> bool:
        token = self.config["NOTIFY_CALLBACK_TOKEN"]
        if not token or not header:
            return False
        return hmac.compare_digest(header.encode(), f"Bearer {token}".encode())

    def blueprint(self) -> Blueprint:
        bp = Blueprint("feedback_sms_notify", __name__)

        @bp.post(STATUS_PATH)
        def status() -> ResponseReturnValue:
            """GC Notify's delivery receipt, authenticated by the bearer token set up with it."""
            if not self.callback_authorised(request.headers.get("Authorization")):
                abort(403, description="The Authorization bearer token is missing or not valid.")
            receipt = request.get_json(silent=True)
            if not isinstance(receipt, dict):
                abort(400, description="The body must be a JSON object.")
            if "health_check" in receipt:
                return jsonify(status="ok")
            final = RECEIPTS.get(str(receipt.get("status", "")))
            if final is not None and receipt.get("id"):
                detail = (
                    "" if final is DeliveryStatus.DELIVERED else f"GC Notify {receipt['status']}"
                )
                api.record_delivery_status(self.name, str(receipt["id"]), final, detail)
            return jsonify(status="ok")

        return bp
