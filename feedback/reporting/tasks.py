"""Thin Celery tasks for reporting: load by id, call a service, commit."""

from __future__ import annotations

from datetime import date

from celery import shared_task

from feedback.extensions import db
from feedback.reporting import services
from feedback.reporting.facts import build as facts
from feedback.reporting.models import ReportKind
from feedback.reporting.themes import store
from feedback.task_options import RETRY_ON_DATABASE_FAULTS


@shared_task(name="feedback.reporting.tasks.refresh_rollups", **RETRY_ON_DATABASE_FAULTS)
def refresh_rollups(days: list[str] | None = None) -> int:
    """Update the facts incrementally (and recompute `days`, ISO dates), code the comments of
    the new responses, then enqueue reports whose task was lost.

    Scheduled by beat; returns the number of fact rows written.
    """
    result = facts.update(extra_days=[date.fromisoformat(day) for day in days or []])
    store.code_new()
    db.session.commit()
    for report_id in services.reports_to_enqueue():
        generate_report.delay(report_id)
    return result.rows


@shared_task(name="feedback.reporting.tasks.generate_report", **RETRY_ON_DATABASE_FAULTS)
def generate_report(report_id: str) -> str | None:
    """Write every file of the report from the facts as they are (idempotent)."""
    status = services.generate(report_id)
    return status.value if status else None


@shared_task(name="feedback.reporting.tasks.schedule_report", **RETRY_ON_DATABASE_FAULTS)
def schedule_report(kind: str) -> str | None:
    """Beat: request the report of the previous month or quarter once, then generate it."""
    report = services.schedule_report(ReportKind(kind))
    if report is None:
        return None
    generate_report.delay(report.id)
    return report.id
