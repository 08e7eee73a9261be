"""Staff pages: the dashboard (last 90 days) and PDF report jobs.

Every view is guarded by `requires(permission)`; what a user sees is limited to their program
scope (the figures, the recent reports, a report by id: 404 outside it).
"""

from __future__ import annotations

import logging
from datetime import timedelta

from flask import Blueprint, abort, flash, redirect, render_template, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user
from kombu.exceptions import OperationalError as BrokerError
from werkzeug.wrappers import Response

from feedback.db_types import utcnow
from feedback.extensions import db
from feedback.governance.permissions import Permission, program_scope, requires
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
    scope = program_scope(current_user)
    summary = stats.summary(today - timedelta(days=DASHBOARD_DAYS - 1), today, programs=scope)
    page = render_template(
        "reporting/dashboard.html",
        summary=summary,
        form=form,
        reports=services.recent_reports(current_user, RECENT_REPORTS),
        fmt=formatting,
        no_programs=scope is not None and not scope,
    )
    return page, status


@bp.get("/dashboard")
@requires(Permission.VIEW_REPORTS)
def dashboard() -> tuple[str, int]:
    today = utcnow().date()
    form = ReportRequestForm(date_from=today - timedelta(days=DASHBOARD_DAYS - 1), date_to=today)
    return _dashboard(form)


@bp.post("/reports")
@requires(Permission.REQUEST_REPORTS)
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
    """The report, if the signed-in user may see it; 404 alike for unknown and out of scope."""
    report = db.session.get(Report, report_id)
    if report is None or not services.visible_to(report, current_user):
        abort(404)
    return report


@bp.get("/reports/<report_id>")
@requires(Permission.VIEW_REPORTS)
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
@requires(Permission.VIEW_REPORTS)
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
