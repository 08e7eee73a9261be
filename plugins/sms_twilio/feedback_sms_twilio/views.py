"""Twilio's webhooks, mounted at /hooks/sms_twilio: incoming texts and delivery receipts.

Each request's X-Twilio-Signature is checked first, over the public URL from configuration
(PUBLIC_BASE_URL), so the check holds behind a proxy or TLS terminator; a request that fails
it is refused with 403 before anything is read or changed.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from feedback_twilio_common import verify_signature
from flask import Blueprint, Response, request
from twilio.twiml.messaging_response import MessagingResponse

from feedback import plugin_api as api
from feedback.channels import DeliveryStatus
from feedback_sms_twilio.channel import INBOUND_PATH, STATUS_PATH, TwilioChannel

bp = Blueprint("feedback_sms_twilio", __name__)

# Twilio retries a webhook it got no answer to; a text is handled once, by its MessageSid.
REDELIVERY_WINDOW = timedelta(days=2)

# Twilio's MessageStatus values that end a message's journey; the others (queued, sending,
# sent ...) are steps on the way.
FINAL_STATUSES = {
    "delivered": DeliveryStatus.DELIVERED,
    "undelivered": DeliveryStatus.UNDELIVERED,
    "failed": DeliveryStatus.FAILED,
}


def _channel() -> TwilioChannel:
    channel = api.enabled_channel(TwilioChannel.name)
    assert isinstance(channel, TwilioChannel)
    return channel


@bp.before_request
def _verify_signature() -> None:
    verify_signature(_channel())


@bp.post(INBOUND_PATH)
def inbound() -> Response:
    """A client's text: answered in the TwiML response, which Twilio sends back."""
    channel = _channel()
    sid = request.form.get("MessageSid", "")
    if sid and not api.first_use(
        f"{channel.name}:message", sid, datetime.now(UTC) + REDELIVERY_WINDOW
    ):
        return Response(str(MessagingResponse()), mimetype="application/xml")
    sender = request.form.get("From", "")
    body = request.form.get("Body", "")
    outbox = channel.platform.dev_outbox if channel.dev_outbox else None
    if outbox:
        api.record_dev_text(
            outbox, direction=api.INCOMING, channel=channel.name, number=sender, body=body
        )
    replies = api.receive_text(channel.name, sender, body)
    twiml = MessagingResponse()
    for reply in replies:
        twiml.message(reply)
        if outbox:
            api.record_dev_text(
                outbox, direction=api.OUTGOING, channel=channel.name, number=sender, body=reply
            )
    return Response(str(twiml), mimetype="application/xml")


@bp.post(STATUS_PATH)
def status() -> tuple[str, int]:
    """A delivery receipt for a message we sent (the StatusCallback of messages.create)."""
    final = FINAL_STATUSES.get(request.form.get("MessageStatus", ""))
    sid = request.form.get("MessageSid", "")
    if final is not None and sid:
        code = request.form.get("ErrorCode", "")
        detail = f"Twilio receipt {final.value}, error {code}" if code else ""
        api.record_delivery_status(_channel().name, sid, final, detail)
    return "", 204
