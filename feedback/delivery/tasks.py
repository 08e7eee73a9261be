"""Thin Celery tasks for dispatch: load by id, call a service, commit."""

from __future__ import annotations

from celery import shared_task
from flask import current_app

from feedback.delivery import services
from feedback.task_options import RETRY_ON_DATABASE_FAULTS

# A dispatch run claims at most this many batches, so one beat tick never runs unbounded.
MAX_BATCHES_PER_RUN = 50


@shared_task(
    name="feedback.delivery.tasks.dispatch_due",
    **RETRY_ON_DATABASE_FAULTS,
)
def dispatch_due() -> int:
    services.release_stale_claims()
    size = current_app.config["DISPATCH_BATCH_SIZE"]
    claimed_total = 0
    for _ in range(MAX_BATCHES_PER_RUN):
        ids = services.claim_due(size)
        if ids:
            send_invitations.delay(ids)
        claimed_total += len(ids)
        if len(ids) < size:
            break
    return claimed_total


@shared_task(
    name="feedback.delivery.tasks.send_invitations",
    **RETRY_ON_DATABASE_FAULTS,
)
def send_invitations(invitation_ids: list[str]) -> int:
    sent = 0
    for invitation_id in invitation_ids:
        if services.send_invitation(invitation_id) is not None:
            sent += 1
    return sent


@shared_task(name="feedback.delivery.tasks.expire_invitations")
def expire_invitations() -> int:
    return services.expire_due()
