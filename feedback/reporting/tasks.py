"""Thin Celery tasks for reporting: load by id, call a service, commit."""

from __future__ import annotations

from datetime import date

from celery import shared_task

from feedback.extensions import db
from feedback.reporting import rollups, services
from feedback.task_options import RETRY_ON_DATABASE_FAULTS


@shared_task(name="feedback.reporting.tasks.refresh_rollups", **RETRY_ON_DATABASE_FAULTS)
def refresh_rollups(days: list[str] | None = None) -> int:
    """Refresh the recent days (and `days`, ISO dates), then enqueue reports whose task was lost.

    Scheduled by beat; returns the number of fact rows written.
    """
    results = rollups.refresh_recent(date.fromisoformat(day) for day in days or [])
    db.session.commit()
    for report_id in services.reports_to_enqueue():
        generate_report.delay(report_id)
    return sum(r.invitation_rows + r.answer_rows for r in results)


@shared_task(name="feedback.reporting.tasks.generate_report", **RETRY_ON_DATABASE_FAULTS)
def generate_report(report_id: str) -> str | None:
    """Refresh the rollups of the report's range, then write its PDF (idempotent)."""
    status = services.generate(report_id)
    return status.value if status else None
