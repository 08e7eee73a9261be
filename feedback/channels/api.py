"""Services the core offers to channel plugins.

A plugin imports the contract from :mod:`feedback.channels` and calls the core only through
this module, never through the core's areas (delivery, conversations ...), which may change.
Every function here that changes data commits its own transaction.
"""

from __future__ import annotations

from pathlib import Path

from feedback.channels import registry as _registry
from feedback.channels.base import Channel, DeliveryStatus, Invitation
from feedback.conversations import services as _conversations
from feedback.conversations import texts as _texts
from feedback.delivery import services as _delivery
from feedback.sms import outbox as _outbox
from feedback.sms.segments import Encoding, SegmentCount, count_segments

__all__ = [
    "INCOMING",
    "OUTGOING",
    "DeliveryStatus",
    "Encoding",
    "SegmentCount",
    "count_segments",
    "enabled_channel",
    "receive_text",
    "record_delivery_status",
    "record_dev_text",
    "sms_invitation_text",
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
    return _delivery.record_delivery_status(channel, provider_ref, status, detail) is not None


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
