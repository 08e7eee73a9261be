"""Providers' delivery receipts: what happened to a message after the provider accepted it.

A receipt moves an invitation only while it is sent and nothing else happened: receipts may
arrive late and out of order, after the client has already answered, say.
"""

from __future__ import annotations

from flask import current_app
from sqlalchemy import select

from feedback import channels
from feedback.db_types import utcnow
from feedback.extensions import db
from feedback.invitations import lifecycle
from feedback.invitations.models import Invitation, InvitationStatus
from feedback.invitations.outbox import retry_delay

S = InvitationStatus
_FINAL = {
    channels.DeliveryStatus.DELIVERED: S.DELIVERED,
    channels.DeliveryStatus.UNDELIVERED: S.UNDELIVERED,
    channels.DeliveryStatus.FAILED: S.FAILED,
}


def record_delivery_status(
    channel_name: str, provider_ref: str, status: channels.DeliveryStatus, detail: str = ""
) -> InvitationStatus | None:
    """Apply a provider's delivery receipt; the invitation's new status, or None if unchanged.
    Commits."""
    found = db.session.scalar(
        select(Invitation.id).where(
            Invitation.channel == channel_name, Invitation.provider_ref == provider_ref
        )
    )
    invitation = lifecycle.locked(found) if found else None
    if invitation is None or invitation.status is not S.SENT:
        db.session.commit()
        return None
    if status is channels.DeliveryStatus.TEMPORARY:
        _retry_after_temporary_receipt(invitation, detail)
    else:
        lifecycle.record_receipt(invitation, _FINAL[status], f"receipt_{status.value}", detail)
    db.session.commit()
    return invitation.status


def _retry_after_temporary_receipt(invitation: Invitation, detail: str) -> None:
    """Send again later, with backoff, while attempts remain; else it stays undelivered."""
    if invitation.attempts >= current_app.config["SEND_MAX_ATTEMPTS"]:
        lifecycle.record_receipt(
            invitation, S.UNDELIVERED, "receipt_temporary_retries_exhausted", detail
        )
        return
    due = utcnow() + retry_delay(invitation.attempts)
    lifecycle.reschedule(invitation, due, "receipt_temporary", detail or None)
