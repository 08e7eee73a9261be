"""Dispatch as an outbox: claim due invitations of one channel, hand each to the channel, record
the outcome.

Idempotency comes from a status guard under a row lock: a redelivered task finds the invitation
no longer in the state it expects and does nothing. Every change of state is the lifecycle's.
"""

from __future__ import annotations

import logging
import random
from datetime import timedelta

from flask import current_app

from feedback import channels
from feedback.channels.registry import get_channel
from feedback.consent.opt_outs import is_opted_out_now
from feedback.db_types import utcnow
from feedback.distribution.quiet_hours import earliest_send_time
from feedback.extensions import db
from feedback.invitations import lifecycle
from feedback.invitations.messages import build_message
from feedback.invitations.models import InvitationStatus

S = InvitationStatus
log = logging.getLogger(__name__)
# Longer than a whole batch can take (DISPATCH_BATCH_SIZE x the provider timeout), so a claim
# still being worked through is never released and sent a second time.
STALE_CLAIM_AFTER = timedelta(hours=1)


def claim_due(channel: str, limit: int) -> list[str]:
    """Up to `limit` due invitations of `channel`, moved to sending (committed)."""
    return lifecycle.claim_due(channel, limit)


def release_stale_claims() -> int:
    return lifecycle.release_stale_claims(STALE_CLAIM_AFTER)


def retry_delay(attempts: int) -> timedelta:
    """Exponential backoff with jitter: 30 s, 1 min, 2 min ... capped at one hour."""
    base = min(30 * 2 ** max(attempts - 1, 0), 3600)
    return timedelta(seconds=base * random.uniform(0.8, 1.2))


def _send(channel: channels.Channel, message: channels.Invitation) -> channels.DeliveryResult:
    try:
        return channel.send(message)
    except Exception as exc:  # a plugin broke its contract: treat as transient, keep going
        log.exception("channel %s raised while sending invitation %s", channel.name, message.id)
        return channels.DeliveryResult.transient(f"plugin error: {type(exc).__name__}")


def send_invitation(invitation_id: str, channel_name: str | None = None) -> InvitationStatus | None:
    """Send one claimed invitation; its new status, or None if there was nothing to do.

    `channel_name`, when given, is the channel the batch was claimed for: an invitation of
    another channel is left alone (a task never sends through a channel it was not given).
    """
    invitation = lifecycle.locked(invitation_id)  # a real write lock on SQLite too
    if (
        invitation is None
        or invitation.status is not S.SENDING
        or (channel_name is not None and invitation.channel != channel_name)
    ):
        db.session.commit()
        return None
    assert invitation.channel is not None
    channel = get_channel(invitation.channel)
    if channel is None:
        lifecycle.fail(invitation, "channel_unavailable")
        db.session.commit()
        return invitation.status
    if is_opted_out_now(invitation):
        lifecycle.transition(invitation, S.OPTED_OUT, "opted_out_before_send")
        db.session.commit()
        return invitation.status
    # Claimed late (a worker was down) or retried into the night: wait for the morning.
    now = utcnow()
    resume = earliest_send_time(invitation, now)
    if resume > now:
        lifecycle.reschedule(invitation, resume, "quiet_hours")
        db.session.commit()
        return invitation.status

    token = lifecycle.begin_attempt(invitation)
    message = build_message(invitation, token)
    result = _send(channel, message)
    if result.outcome is channels.Outcome.SENT:
        lifecycle.mark_sent(invitation, result.provider_ref, message=message)
    elif (
        result.outcome is channels.Outcome.TRANSIENT
        and invitation.attempts < current_app.config["SEND_MAX_ATTEMPTS"]
    ):
        due = utcnow() + retry_delay(invitation.attempts)
        lifecycle.reschedule(invitation, due, "transient_failure", result.detail)
    else:
        reason = (
            "permanent_failure"
            if result.outcome is channels.Outcome.PERMANENT
            else "retries_exhausted"
        )
        invitation.token_hash = None
        lifecycle.fail(invitation, reason, result.detail)
    log.info(
        "invitation delivery",
        extra={
            "fields": {
                "invitation": invitation.id,
                "channel": channel.name,
                "outcome": result.outcome,
            }
        },
    )
    db.session.commit()
    return invitation.status


def send_batch(channel_name: str, invitation_ids: list[str]) -> int:
    """Send a claimed batch of one channel; how many were handled (not skipped)."""
    return sum(send_invitation(i, channel_name) is not None for i in invitation_ids)
