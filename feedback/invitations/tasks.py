"""Thin Celery tasks for dispatch: load by id, call a service.

A dispatch run recovers invitations whose worker died while sending them, then queues due
invitations channel by channel and enqueues one task per batch of one channel. The batch's task
carries the channel as its first argument and in its shadow name (``send_invitations[sms_twilio]``,
as logs and monitoring show it), so that channels can later get queues of their own.
"""

from __future__ import annotations

from celery import shared_task
from flask import current_app

from feedback.channels.registry import enabled_channels
from feedback.invitations import lifecycle, outbox, reminders
from feedback.task_options import RETRY_ON_DATABASE_FAULTS

# A dispatch run queues at most this many batches per channel, so one beat tick never runs
# unbounded.
MAX_BATCHES_PER_RUN = 50
SEND_TASK = "feedback.invitations.tasks.send_invitations"


@shared_task(name="feedback.invitations.tasks.dispatch_due", **RETRY_ON_DATABASE_FAULTS)
def dispatch_due() -> int:
    outbox.recover_stale_sending()
    size = current_app.config["DISPATCH_BATCH_SIZE"]
    queued_total = 0
    for channel in enabled_channels():
        for _ in range(MAX_BATCHES_PER_RUN):
            ids = outbox.queue_due(channel, size)
            if ids:
                send_invitations.apply_async((channel, ids), shadow=f"{SEND_TASK}[{channel}]")
            queued_total += len(ids)
            if len(ids) < size:
                break
    return queued_total


@shared_task(name=SEND_TASK, **RETRY_ON_DATABASE_FAULTS)
def send_invitations(channel: str, invitation_ids: list[str]) -> int:
    return outbox.send_batch(channel, invitation_ids)


@shared_task(name="feedback.invitations.tasks.expire_invitations")
def expire_invitations() -> int:
    return lifecycle.expire_due()


@shared_task(name="feedback.invitations.tasks.send_reminders", **RETRY_ON_DATABASE_FAULTS)
def send_reminders() -> int:
    """The one reminder of each invitation whose rule asks for it (see reminders.py)."""
    size = current_app.config["DISPATCH_BATCH_SIZE"]
    return reminders.send_due(size, MAX_BATCHES_PER_RUN, enabled_channels())
