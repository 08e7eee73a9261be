"""Dispatch as an outbox: queue due invitations of one channel, hand each to the channel when a
worker takes it up, record the outcome.

An invitation is marked `sending` only when a worker starts sending it, in a transaction of its
own committed before the provider is called; the outcome is recorded in another. So:

* a task redelivered, or queued twice, finds the invitation no longer `scheduled` and does
  nothing (the status guard under a row lock);
* a task lost with its worker or the broker leaves its invitations `scheduled`: the sweep queues
  them again after DISPATCH_REQUEUE_AFTER_SECONDS;
* a worker killed while sending leaves one invitation `sending`: after SENDING_STALE_SECONDS it
  is marked sent if the provider can tell it accepted it (:meth:`Channel.sent_before`), else
  sent again. Only a channel without such a look-up can then send it twice, and only if the
  worker died between the provider's acceptance and the commit that follows it (see
  docs/reliability.md).

Every change of state is the lifecycle's.
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
from feedback.invitations.models import Invitation, InvitationStatus

S = InvitationStatus
log = logging.getLogger(__name__)
#: Why an invitation waits after an attempt whose outcome is unknown (a timeout, say): before
#: sending it again, the provider is asked whether it has it (Channel.sent_before).
TRANSIENT = "transient_failure"


def _seconds(setting: str) -> timedelta:
    return timedelta(seconds=int(current_app.config[setting]))


def queue_due(channel: str, limit: int) -> list[str]:
    """Up to `limit` due invitations of `channel` for one send task (committed)."""
    return lifecycle.queue_due(channel, limit, _seconds("DISPATCH_REQUEUE_AFTER_SECONDS"))


def _sent_before(invitation: Invitation) -> str | None:
    channel = get_channel(invitation.channel or "")
    if channel is None:
        return None
    try:
        return channel.sent_before(invitation.id)
    except Exception:  # a plugin broke its contract: say "unknown", which sends again
        log.exception(
            "channel %s raised while looking up invitation %s", channel.name, invitation.id
        )
        return None


def recover_stale_sending() -> int:
    return lifecycle.recover_stale_sending(_seconds("SENDING_STALE_SECONDS"), _sent_before)


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


def _take_up(invitation_id: str, channel_name: str | None) -> Invitation | None:
    """The invitation, locked, if it is still this task's to send: scheduled and queued (a
    reschedule since unqueues it), of the channel the batch was queued for (a task never sends
    through another)."""
    invitation = lifecycle.locked(invitation_id)  # a real write lock on SQLite too
    if (
        invitation is None
        or invitation.status is not S.SCHEDULED
        or invitation.queued_at is None
        or (channel_name is not None and invitation.channel != channel_name)
    ):
        return None
    return invitation


def _record(
    invitation: Invitation, result: channels.DeliveryResult, message: channels.Invitation
) -> None:
    if result.outcome is channels.Outcome.SENT:
        lifecycle.mark_sent(invitation, result.provider_ref, message=message)
    elif (
        result.outcome is channels.Outcome.TRANSIENT
        and invitation.attempts < current_app.config["SEND_MAX_ATTEMPTS"]
    ):
        due = utcnow() + retry_delay(invitation.attempts)
        lifecycle.reschedule(invitation, due, TRANSIENT, result.detail)
    else:
        reason = (
            "permanent_failure"
            if result.outcome is channels.Outcome.PERMANENT
            else "retries_exhausted"
        )
        invitation.token_hash = None
        lifecycle.fail(invitation, reason, result.detail)


def send_invitation(invitation_id: str, channel_name: str | None = None) -> InvitationStatus | None:
    """Send one queued invitation; its new status, or None if there was nothing to do."""
    invitation = _take_up(invitation_id, channel_name)
    if invitation is None:
        db.session.commit()
        return None
    assert invitation.channel is not None
    channel = get_channel(invitation.channel)
    if channel is None:
        lifecycle.transition(invitation, S.SENDING)
        lifecycle.fail(invitation, "channel_unavailable")
        db.session.commit()
        return invitation.status
    if is_opted_out_now(invitation):
        lifecycle.transition(invitation, S.OPTED_OUT, "opted_out_before_send")
        db.session.commit()
        return invitation.status
    # Queued late (a worker was down) or retried into the night: wait for the morning.
    now = utcnow()
    resume = earliest_send_time(invitation, now)
    if resume > now:
        lifecycle.reschedule(invitation, resume, "quiet_hours")
        db.session.commit()
        return invitation.status

    if invitation.reason == TRANSIENT:  # the last attempt may have reached the provider
        provider_ref = _sent_before(invitation)
        if provider_ref:
            lifecycle.begin_sending(invitation)
            lifecycle.mark_sent(invitation, provider_ref, "found_at_provider")
            db.session.commit()
            return invitation.status
    token = lifecycle.begin_sending(invitation)
    message = build_message(invitation, token)
    db.session.commit()  # the row says "being sent" before the provider hears of it
    result = _send(channel, message)

    invitation = lifecycle.locked(invitation_id)
    assert invitation is not None
    if invitation.status is not S.SENDING:  # recovered meanwhile: the recovery decided
        db.session.commit()
        return None
    _record(invitation, result, message)
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
    """Send a queued batch of one channel; how many were handled (not skipped)."""
    return sum(send_invitation(i, channel_name) is not None for i in invitation_ids)
