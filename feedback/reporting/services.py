"""Report jobs: a row with a status, a PDF at a fixed path per report id.

generate() moves a report requested -> generating -> ready (or failed) under a row lock, so a
redelivered task finds nothing to do. A report left in `generating` by a worker that died is
taken up again once it is older than STALE_AFTER.
"""

from __future__ import annotations

import logging
from datetime import date, datetime, timedelta
from itertools import islice
from pathlib import Path

from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import OperationalError

from feedback.accounts.models import User
from feedback.db_types import utcnow
from feedback.extensions import db
from feedback.governance.permissions import program_scope, within_scope
from feedback.reporting import pdf, rollups, stats
from feedback.reporting.models import Report, ReportStatus

log = logging.getLogger(__name__)
STALE_AFTER = timedelta(minutes=15)
# A request that never reached the broker is enqueued again after this long.
UNQUEUED_AFTER = timedelta(minutes=2)


def path_for(report: Report) -> Path:
    return Path(current_app.config["REPORTS_DIR"]) / f"{report.id}.pdf"


def report_range(report: Report) -> tuple[date, date]:
    return (
        date.fromisoformat(report.params["date_from"]),
        date.fromisoformat(report.params["date_to"]),
    )


def report_programs(report: Report) -> set[str] | None:
    """The program ids a report covers, as recorded at request time; None: every program."""
    programs = report.params.get("programs")
    return None if programs is None else set(programs)


def request_report(date_from: date, date_to: date, user: User | None) -> Report:
    """Record a request for a PDF; the caller commits, then enqueues generate_report.

    The requester's program scope is kept with the request (absent for an administrator or
    when no user asks, e.g. the CLI): the report shows what its requester could see then,
    whatever their programs become later.
    """
    if date_from > date_to:
        raise ValueError("date_from is after date_to")
    params: dict[str, object] = {"date_from": date_from.isoformat(), "date_to": date_to.isoformat()}
    scope = program_scope(user) if user is not None else None
    if scope is not None:
        params["programs"] = sorted(scope)
    report = Report(
        status=ReportStatus.REQUESTED,
        format="pdf",
        params=params,
        requested_by=user.id if user else None,
    )
    db.session.add(report)
    db.session.flush()
    return report


def visible_to(report: Report, user: User) -> bool:
    """Whether `user` may see `report`: they asked for it, or it covers only programs of theirs
    (an administrator sees every report). Views answer 404 otherwise, so ids reveal nothing."""
    if user.is_authenticated and report.requested_by == user.id:
        return True
    return within_scope(user, report_programs(report))


def recent_reports(user: User, limit: int) -> list[Report]:
    """The `limit` newest reports that `user` may see (visible_to), newest first."""
    query = select(Report).order_by(Report.created_at.desc())
    if program_scope(user) is None:
        return list(db.session.scalars(query.limit(limit)))
    # Scopes are JSON lists, not filterable portably in SQL: read newest first, stop when enough.
    result = db.session.scalars(query.execution_options(yield_per=50))
    try:
        return list(islice((report for report in result if visible_to(report, user)), limit))
    finally:
        result.close()


def _claimable(report: Report, now: datetime) -> bool:
    if report.status is ReportStatus.REQUESTED:
        return True
    started = report.params.get("started_at")
    return (
        report.status is ReportStatus.GENERATING
        and started is not None
        and datetime.fromisoformat(started) < now - STALE_AFTER
    )


def _claim(report_id: str) -> Report | None:
    now = utcnow()
    report = db.session.get(Report, report_id, with_for_update=True)
    if report is None or not _claimable(report, now):
        db.session.commit()
        return None
    report.status = ReportStatus.GENERATING
    # Reassigned, not mutated, so that the JSON column is seen as changed.
    report.params = {**report.params, "started_at": now.isoformat()}
    report.error = None
    db.session.commit()
    return report


def _finish(report_id: str, status: ReportStatus, error: str | None = None) -> None:
    report = db.session.get(Report, report_id, with_for_update=True)
    assert report is not None
    report.status = status
    report.error = error
    report.finished_at = utcnow() if status in (ReportStatus.READY, ReportStatus.FAILED) else None
    db.session.commit()


def generate(report_id: str) -> ReportStatus | None:
    """Refresh the rollups of the report's range, write its PDF; None if nothing to do."""
    report = _claim(report_id)
    if report is None:
        return None
    date_from, date_to = report_range(report)
    programs = report_programs(report)  # read now: the commit below expires the row
    target = path_for(report)
    try:
        rollups.refresh(date_from, date_to)
        db.session.commit()
        pdf.write_pdf(stats.summary(date_from, date_to, programs=programs), target)
    except OperationalError:
        # The database went away: hand the report back so that the task's retry can claim it.
        db.session.rollback()
        _finish(report_id, ReportStatus.REQUESTED)
        raise
    except Exception as exc:
        db.session.rollback()
        log.exception("report generation failed", extra={"fields": {"report": report_id}})
        _finish(report_id, ReportStatus.FAILED, f"{type(exc).__name__}: {exc}"[:500])
        return ReportStatus.FAILED
    _finish(report_id, ReportStatus.READY)
    log.info("report ready", extra={"fields": {"report": report_id}})
    return ReportStatus.READY


def reports_to_enqueue(now: datetime | None = None) -> list[str]:
    """Reports whose task was lost: requested long ago, or generating by a worker that died."""
    now = now or utcnow()
    waiting = db.session.scalars(
        select(Report).where(
            (Report.status == ReportStatus.GENERATING)
            | (
                (Report.status == ReportStatus.REQUESTED)
                & (Report.created_at < now - UNQUEUED_AFTER)
            )
        )
    )
    return [report.id for report in waiting if _claimable(report, now)]
