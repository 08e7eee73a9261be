"""Thin Celery task for retention: bounded runs, each committed."""

from __future__ import annotations

from celery import shared_task

from feedback.extensions import db
from feedback.privacy import retention
from feedback.task_options import RETRY_ON_DATABASE_FAULTS

#: Runs per task: with RETENTION_BATCH_SIZE invitations each, one task stays bounded; beat
#: starts the next one an hour later.
MAX_RUNS = 20


@shared_task(name="feedback.privacy.tasks.apply_retention", **RETRY_ON_DATABASE_FAULTS)
def apply_retention() -> int:
    """Delete response-level data older than RETENTION_DAYS (scheduled by beat); returns the
    number of invitations, events and signatures deleted."""
    deleted = 0
    for _ in range(MAX_RUNS):
        result = retention.apply_retention()
        db.session.commit()
        deleted += result.total
        if result.total == 0:
            break
    return deleted
