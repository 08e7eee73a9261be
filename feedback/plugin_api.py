"""Services the core offers to channel plugins: the top layer of the core.

A plugin imports the contract from :mod:`feedback.channels` and calls the core only through
this module (``from feedback import plugin_api as api``), never through the core's areas
(invitations, conversations ...), which may change. Nothing in the core imports this module.
Every function here that changes data commits its own transaction.
"""

from __future__ import annotations

import logging
from datetime import datetime
from pathlib import Path

from feedback.channels import registry as _registry
from feedback.channels.base import Channel, DeliveryResult, DeliveryStatus, Invitation
from feedback.conversations import services as _conversations
from feedback.conversations import texts as _texts
from feedback.invitations import receipts as _receipts
from feedback.sms import outbox as _outbox
from feedback.sms.segments import Encoding, SegmentCount, count_segments
from feedback.voice.flow import end_call, press_keys, record_answer, start_call
from feedback.voice.steps import (
    RECORD_ANSWERS,
    CallOutcome,
    CallStart,
    Keys,
    Pending,
    Recording,
    Speech,
    VoiceStep,
)
from feedback.webhooks import services as _webhooks

__all__ = [
    "INCOMING",
    "RECORD_ANSWERS",
    "OUTGOING",
    "CallOutcome",
    "CallStart",
    "DeliveryStatus",
    "Encoding",
    "Keys",
    "Pending",
    "Recording",
    "SegmentCount",
    "Speech",
    "VoiceStep",
    "count_segments",
    "enabled_channel",
    "end_call",
    "first_use",
    "log_undelivered",
    "press_keys",
    "receive_text",
    "record_answer",
    "record_delivery_status",
    "record_dev_text",
    "send_dev_text",
    "sms_invitation_text",
    "start_call",
]

OUTGOING = _outbox.OUTGOING
INCOMING = _outbox.INCOMING


def enabled_channel(name: str) -> Channel | None:
    """The running instance of an enabled channel (for a plugin's own commands, say)."""
    return _registry.get_channel(name)


def receive_text(channel: str, sender: str, body: str) -> list[str]:
    """Handle a text a client sent to `channel` (keywords, answers); the texts to send back.

    Call it only once the request is authenticated. An unknown number, a closed survey or a
    number that opted out gets an empty list; send nothing then.
    """
    return _conversations.receive_text(channel, sender, body)


def record_delivery_status(
    channel: str, provider_ref: str, status: DeliveryStatus, detail: str = ""
) -> bool:
    """Apply a delivery receipt to the invitation sent with this provider reference.

    Returns whether it changed anything: a late or repeated receipt, or one for a message that
    was not an invitation (a conversation's reply), changes nothing. `detail` is kept as the
    invitation's last error; it must not hold an address or a message's text.
    """
    return _receipts.record_delivery_status(channel, provider_ref, status, detail) is not None


def sms_invitation_text(invitation: Invitation, *, replies: bool) -> str:
    """The invitation as one text in the client's language, within two segments if it can be.

    `replies` says whether the channel receives texts back: the text then says how to stop.
    In conversation mode it carries the first question.
    """
    return _texts.invitation_text(invitation, replies=replies)


def record_dev_text(
    outbox_dir: str | Path, *, direction: str, channel: str, number: str, body: str
) -> str:
    """Keep a text in the development outbox (OUTBOX_DIR/sms) instead of sending it."""
    return _outbox.record_text(
        outbox_dir, direction=direction, channel=channel, number=number, body=body
    )


def send_dev_text(
    outbox_dir: str | Path, *, channel: str, number: str, body: str
) -> DeliveryResult:
    """Send a text to the development outbox: sent, the outbox file's name as its reference."""
    name = record_dev_text(
        outbox_dir, direction=OUTGOING, channel=channel, number=number, body=body
    )
    return DeliveryResult.sent(f"dev-{name}")


def log_undelivered(
    log: logging.Logger, message: str, invitation: Invitation, result: DeliveryResult
) -> DeliveryResult:
    """Log (as a warning) that `invitation` did not go out, and return `result`.

    The record names the invitation and the outcome, never the client's address or number.
    """
    log.warning(
        message,
        extra={
            "fields": {
                "invitation": invitation.id,
                "outcome": result.outcome,
                "detail": result.detail,
            }
        },
    )
    return result


def first_use(scope: str, signature: str, expires_at: datetime) -> bool:
    """Whether a signed request is seen for the first time (then remembered until
    `expires_at`, across every web process): False means a replay, to be refused."""
    return _webhooks.first_use(scope, signature, expires_at)
