"""Dispatch as an outbox: queue due invitations of one channel, take up a queued batch when a
worker gets its task, hand the batch to the channel, record the outcomes.

A send task works in three steps, each with a number of statements that does not grow with the
batch: one transaction takes up the batch (the rows still scheduled and queued for this channel,
locked; opt-outs, quiet hours and earlier attempts checked; the sendable ones marked `sending`)
and commits before the provider hears of any; the channel gets the messages
(:meth:`Channel.send_many`); another transaction records every outcome, each row guarded by
`sending`. So:

* a task redelivered, or queued twice, finds the invitations no longer `scheduled` and does
  nothing (the status guard under row locks; on PostgreSQL a concurrent one skips them);
* a task lost with its worker or the broker leaves its invitations `scheduled`: the sweep queues
  them again after DISPATCH_REQUEUE_AFTER_SECONDS;
* a worker killed while sending leaves its batch `sending`: after SENDING_STALE_SECONDS each is
  marked sent if the provider can tell it accepted it (:meth:`Channel.sent_before`), else sent
  again; a row recovered so is left alone by the late outcome of its batch. Only a channel
  without such a look-up can then send an invitation twice, and only if the worker died after
  the provider accepted it and before the batch's outcomes were committed (see
  docs/reliability.md).

Every change of state is the lifecycle's.
"""

from __future__ import annotations

import logging
import random
import time
from collections import Counter
from collections.abc import Sequence
from datetime import timedelta

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import defer, selectinload

from feedback import channels
from feedback.channels.registry import get_channel
from feedback.consent.opt_outs import opted_out_now
from feedback.db_types import utcnow
from feedback.distribution.quiet_hours import earliest_send_times
from feedback.extensions import db
from feedback.invitations import lifecycle
from feedback.invitations.messages import build_message, channel_questions
from feedback.invitations.models import Invitation, InvitationStatus
from feedback.questionnaires.models import QuestionnaireVersion

S = InvitationStatus
log = logging.getLogger(__name__)
#: Why an invitation waits after an attempt whose outcome is unknown (a timeout, say): before
#: sending it again, the provider is asked whether it has it (Channel.sent_before).
TRANSIENT = "transient_failure"
#: How many messages of a batch the channel gets at a time (see :func:`_send_all`): few enough
#: that a provider timing out on each of them (10 s, the plugins' default timeouts) stays well
#: within the claim renewed every third of SENDING_STALE_SECONDS (100 s by default).
SEND_CHUNK = 10


def _seconds(setting: str) -> timedelta:
    return timedelta(seconds=int(current_app.config[setting]))


def queue_due(channel: str, limit: int) -> list[str]:
    """Up to `limit` due invitations of `channel` for one send task (committed)."""
    return lifecycle.queue_due(channel, limit, _seconds("DISPATCH_REQUEUE_AFTER_SECONDS"))


def _sent_before(invitation: Invitation, channel: channels.Channel | None = None) -> str | None:
    channel = channel or get_channel(invitation.channel or "")
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


def _take_up(
    channel_name: str, invitation_ids: Sequence[str]
) -> tuple[dict[str, InvitationStatus], list[channels.Invitation]]:
    """Take up a batch (one transaction, committed): the invitations still scheduled and queued
    (a reschedule since unqueues one) of the channel the batch was queued for (a task never
    sends through another). Opted out ones stop, those now in quiet hours wait, one whose last
    attempt may have reached the provider is marked sent if the provider has it; the others are
    marked `sending`. Their new statuses, and the messages to send."""
    taken = lifecycle.locked_many(
        list(invitation_ids),
        Invitation.status == S.SCHEDULED,
        Invitation.queued_at.is_not(None),
        Invitation.channel == channel_name,
        skip_locked=True,
        # What the batch's invitations share, loaded once for all (a query per relationship).
        options=(
            selectinload(Invitation.questionnaire_version).selectinload(
                QuestionnaireVersion.questions
            ),
            selectinload(Invitation.program),
        ),
    )
    batch = lifecycle.Batch()
    messages: list[channels.Invitation] = []
    channel = get_channel(channel_name)
    if channel is None:
        for invitation in taken:
            lifecycle.transition(invitation, S.SENDING, batch=batch)
            lifecycle.fail(invitation, "channel_unavailable", batch=batch)
    elif taken:
        opted_out = opted_out_now(taken)
        now = utcnow()
        # Queued late (a worker was down) or retried into the night: wait for the morning.
        resume = earliest_send_times(taken, now)
        questions: dict[str | None, tuple[channels.Question, ...]] = {}
        for invitation in taken:
            if invitation.id in opted_out:
                lifecycle.transition(invitation, S.OPTED_OUT, "opted_out_before_send", batch=batch)
            elif resume[invitation.id] > now:
                lifecycle.reschedule(invitation, resume[invitation.id], "quiet_hours", batch=batch)
            elif invitation.reason == TRANSIENT and (found := _sent_before(invitation, channel)):
                # The last attempt reached the provider after all.
                lifecycle.begin_sending(invitation, batch=batch)
                lifecycle.mark_sent(invitation, found, "found_at_provider", batch=batch)
            else:
                token = lifecycle.begin_sending(invitation, batch=batch)
                version = invitation.questionnaire_version_id
                if version not in questions:
                    questions[version] = channel_questions(invitation)
                messages.append(build_message(invitation, token, questions[version]))
    batch.write()
    statuses = {invitation.id: invitation.status for invitation in taken}
    db.session.commit()  # the rows say "being sent" before the provider hears of them
    return statuses, messages


def hand_over(
    channel: channels.Channel, messages: list[channels.Invitation]
) -> list[channels.DeliveryResult]:
    """The channel's result for each message, in order; a plugin that raises or loses results
    counts as a transient fault of every message it was handed."""
    try:
        results = channel.send_many(messages)
    except Exception as exc:  # a plugin broke its contract: unknown, so transient for all
        log.exception("channel %s raised while sending a batch", channel.name)
        results = [channels.DeliveryResult.transient(f"plugin error: {type(exc).__name__}")]
        return results * len(messages)
    if len(results) != len(messages):
        log.error("channel %s: %d results for %d", channel.name, len(results), len(messages))
        return [channels.DeliveryResult.transient("plugin error: results lost")] * len(messages)
    return results


def _send_all(
    channel: channels.Channel, messages: list[channels.Invitation]
) -> dict[str, channels.DeliveryResult]:
    """The channel's result for each message, by id, handed over SEND_CHUNK at a time.

    A batch that has been sending for a third of SENDING_STALE_SECONDS renews its claim before
    the next chunk, so that the recovery never takes an invitation its worker is still going to
    send (a provider that times out on every message makes a batch slow); one the recovery did
    take meanwhile is not handed to the channel (its outcome is the recovery's).
    """
    renew_after = _seconds("SENDING_STALE_SECONDS").total_seconds() / 3
    claimed = time.monotonic()
    results: dict[str, channels.DeliveryResult] = {}
    pending = messages
    while pending:
        if time.monotonic() - claimed > renew_after:
            ours = lifecycle.renew_sending([m.id for m in pending])
            pending = [m for m in pending if m.id in ours]
            claimed = time.monotonic()
        chunk, pending = pending[:SEND_CHUNK], pending[SEND_CHUNK:]
        results.update(zip((m.id for m in chunk), hand_over(channel, chunk), strict=True))
    return results


def _record(
    messages: list[channels.Invitation], results: dict[str, channels.DeliveryResult]
) -> dict[str, InvitationStatus]:
    """Record the outcomes (one transaction, committed) of the invitations still `sending`: one
    recovered meanwhile (its worker thought dead) was decided by the recovery. Their new
    statuses."""
    by_id = {m.id: m for m in messages}
    invitations = lifecycle.locked_many(
        list(results),
        Invitation.status == S.SENDING,
        options=(defer(Invitation.email), defer(Invitation.phone)),  # not decrypted for nothing
    )
    max_attempts = current_app.config["SEND_MAX_ATTEMPTS"]
    batch = lifecycle.Batch()
    for invitation in invitations:
        message, result = by_id[invitation.id], results[invitation.id]
        if result.outcome is channels.Outcome.SENT:
            lifecycle.mark_sent(invitation, result.provider_ref, batch=batch, message=message)
        elif result.outcome is channels.Outcome.TRANSIENT and invitation.attempts < max_attempts:
            due = utcnow() + retry_delay(invitation.attempts)
            lifecycle.reschedule(invitation, due, TRANSIENT, result.detail, batch=batch)
        else:
            permanent = result.outcome is channels.Outcome.PERMANENT
            reason = "permanent_failure" if permanent else "retries_exhausted"
            lifecycle.fail(invitation, reason, result.detail, batch=batch)
    batch.write()
    statuses = {invitation.id: invitation.status for invitation in invitations}
    db.session.commit()
    return statuses


def _send_batch(channel_name: str, invitation_ids: Sequence[str]) -> dict[str, InvitationStatus]:
    """Take up, send and record a batch; the new status of each invitation it handled."""
    statuses, messages = _take_up(channel_name, invitation_ids)
    channel = get_channel(channel_name)
    if not messages or channel is None:
        return statuses
    results = _send_all(channel, messages)
    recorded = _record(messages, results)
    for message in messages:  # those recovered meanwhile are the recovery's, not this task's
        statuses.pop(message.id)
    statuses.update(recorded)
    log.info(
        "invitation batch sent",
        extra={
            "fields": {
                "channel": channel_name,
                "outcomes": dict(Counter(str(r.outcome) for r in results.values())),
            }
        },
    )
    return statuses


def send_batch(channel_name: str, invitation_ids: Sequence[str]) -> int:
    """Send a queued batch of one channel; how many were handled (not skipped)."""
    return len(_send_batch(channel_name, invitation_ids))


def send_invitation(invitation_id: str, channel_name: str | None = None) -> InvitationStatus | None:
    """Send one queued invitation (a batch of one); its new status, or None if there was nothing
    to do."""
    if channel_name is None:
        channel_name = db.session.scalar(
            select(Invitation.channel).where(Invitation.id == invitation_id)
        )
        if channel_name is None:
            return None
    return _send_batch(channel_name, [invitation_id]).get(invitation_id)
