"""Staff pages: the dashboard (last 90 days) and PDF report jobs."""

from __future__ import annotations

import logging
from datetime import timedelta

from flask import Blueprint, abort, flash, redirect, render_template, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from kombu.exceptions import OperationalError as BrokerError
from sqlalchemy import select
from werkzeug.wrappers import Response

from feedback.db_types import utcnow
from feedback.extensions import db
from feedback.reporting import formatting, services, stats, tasks
from feedback.reporting.forms import ReportRequestForm
from feedback.reporting.models import Report, ReportStatus

bp = Blueprint("reporting", __name__)
log = logging.getLogger(__name__)
DASHBOARD_DAYS = 90
RECENT_REPORTS = 10


@bp.get("/")
def root() -> Response:
    return redirect(url_for("reporting.dashboard"))


def _dashboard(form: ReportRequestForm, status: int = 200) -> tuple[str, int]:
    today = utcnow().date()
    summary = stats.summary(today - timedelta(days=DASHBOARD_DAYS - 1), today)
    reports = db.session.scalars(
        select(Report).order_by(Report.created_at.desc()).limit(RECENT_REPORTS)
    ).all()
    page = render_template(
        "reporting/dashboard.html", summary=summary, form=form, reports=reports, fmt=formatting
    )
    return page, status


@bp.get("/dashboard")
@login_required
def dashboard() -> tuple[str, int]:
    today = utcnow().date()
    form = ReportRequestForm(date_from=today - timedelta(days=DASHBOARD_DAYS - 1), date_to=today)
    return _dashboard(form)


@bp.post("/reports")
@login_required
def request_report() -> Response | tuple[str, int]:
    form = ReportRequestForm()
    if not form.validate_on_submit():
        return _dashboard(form, 400)
    report = services.request_report(form.date_from.data, form.date_to.data, current_user)
    db.session.commit()
    try:
        tasks.generate_report.delay(report.id)
    except (BrokerError, OSError):
        # The row is saved: the rollup task enqueues reports left waiting (reports_to_enqueue).
        log.warning("report task not enqueued", extra={"fields": {"report": report.id}})
        flash(_("Your request is saved. The report will be generated as soon as possible."), "info")
    return redirect(url_for("reporting.report_status", report_id=report.id))


def _report_or_404(report_id: str) -> Report:
    report = db.session.get(Report, report_id)
    if report is None:
        abort(404)
    return report


@bp.get("/reports/<report_id>")
@login_required
def report_status(report_id: str) -> str:
    report = _report_or_404(report_id)
    date_from, date_to = services.report_range(report)
    return render_template(
        "reporting/report.html",
        report=report,
        date_from=date_from,
        date_to=date_to,
        pending=report.status in (ReportStatus.REQUESTED, ReportStatus.GENERATING),
        ready=report.status is ReportStatus.READY,
    )


@bp.get("/reports/<report_id>.pdf")
@login_required
def report_pdf(report_id: str) -> Response:
    report = _report_or_404(report_id)
    path = services.path_for(report)
    if report.status is not ReportStatus.READY or not path.is_file():
        abort(404)
    date_from, date_to = services.report_range(report)
    return send_file(
        path,
        mimetype="application/pdf",
        as_attachment=True,
        download_name=f"client-feedback-{date_from}-{date_to}.pdf",
    )
