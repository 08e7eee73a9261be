"""Staff pages: the analyst dashboard, report requests, their status, files and in-app view.

Every view is guarded by `requires(permission)`; what a user sees is limited to their program
scope (the dashboard's figures and filters, the recent reports, a report by id: 404 outside it).
The dashboard reads the same estimates as the reports, through compose.build(part="dashboard"),
so its figures went through the same disclosure control.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from flask import (
    Blueprint,
    abort,
    flash,
    get_template_attribute,
    jsonify,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from kombu.exceptions import OperationalError as BrokerError
from markupsafe import Markup
from sqlalchemy import select
from werkzeug.wrappers import Response

from feedback.channels.registry import channel_title, enabled_channels
from feedback.db_types import utcnow
from feedback.extensions import db
from feedback.governance.permissions import Permission, program_scope, requires
from feedback.i18n import current_locale
from feedback.programs.models import Program
from feedback.reporting import services, tasks
from feedback.reporting.forms import DashboardFilterForm, ReportRequestForm
from feedback.reporting.models import Report, ReportStatus

if TYPE_CHECKING:
    from feedback.reporting.compose import ReportOptions

bp = Blueprint("reporting", __name__)
log = logging.getLogger(__name__)
DASHBOARD_DAYS = 90
RECENT_REPORTS = 10
PENDING = (ReportStatus.REQUESTED, ReportStatus.GENERATING)
LANGUAGE_LABELS = {"en": "English", "fr": "Français"}


@bp.get("/")
def root() -> Response:
    return redirect(url_for("reporting.dashboard"))


def _programs_in_scope() -> list[Program]:
    """The signed-in user's programs (every program for an administrator), by code."""
    scope = program_scope(current_user)
    query = select(Program).order_by(Program.code)
    if scope is not None:
        query = query.where(Program.id.in_(scope))
    return list(db.session.scalars(query))


def _dashboard_form(programs: list[Program]) -> DashboardFilterForm:
    language = current_locale()
    form = DashboardFilterForm(request.args)
    form.program.choices = [("", _("All your programs"))] + [
        (p.code, p.name(language)) for p in programs
    ]
    form.channel.choices = [("", _("All channels"))] + [
        (name, channel_title(name, language)) for name in sorted(enabled_channels())
    ]
    form.language.choices = [("", _("Both languages"))] + list(LANGUAGE_LABELS.items())
    attributes = sorted({a for p in programs for a in p.reportable_attributes or []})
    form.group.choices = [("", _("All clients"))] + [(a, a) for a in attributes]
    return form


def _dashboard_options(form: DashboardFilterForm, programs: list[Program]) -> ReportOptions:
    from feedback.reporting.compose import ReportOptions

    today = utcnow().date()
    date_from, date_to = form.period(today - timedelta(days=DASHBOARD_DAYS - 1), today)
    chosen = [p for p in programs if not form.program.data or p.code == form.program.data]
    scope = program_scope(current_user)
    return ReportOptions(
        date_from=date_from,
        date_to=date_to,
        # An administrator's "all programs" includes programs created later; anyone else's is
        # their own programs.
        programs=(
            None if scope is None and not form.program.data else frozenset(p.id for p in chosen)
        ),
        channels=frozenset([form.channel.data]) if form.channel.data else None,
        languages=frozenset([form.language.data]) if form.language.data else None,
        groups=(
            {form.group.data: frozenset([form.group_value.data.strip()])}
            if form.group.data and form.group_value.data
            else {}
        ),
    )


@bp.get("/dashboard")
@requires(Permission.VIEW_REPORTS)
def dashboard() -> tuple[str, int]:
    programs = _programs_in_scope()
    form = _dashboard_form(programs)
    valid = form.validate()
    figures = options = None
    if valid and programs:
        # Imported when used: compose loads numpy and statsmodels, which the other pages and
        # every CLI command (they create the app, so import this module) do not need.
        from feedback.reporting import compose
        from feedback.reporting.render import html

        options = _dashboard_options(form, programs)
        document = compose.build(options, current_locale(), part="dashboard")
        # The renderer escapes every text of the document; its fragment is safe markup.
        figures = Markup(html.render(document, standalone=False))  # noqa: S704
    page = render_template(
        "reporting/dashboard.html",
        form=form,
        figures=figures,
        options=options,
        no_programs=not programs,
        reports=services.recent_reports(current_user, RECENT_REPORTS),
    )
    return page, 200 if valid else 400


def _request_form() -> ReportRequestForm:
    language = current_locale()
    form = ReportRequestForm()
    form.programs.choices = [(p.code, p.name(language)) for p in _programs_in_scope()]
    return form


def _request_page(form: ReportRequestForm, status: int = 200) -> tuple[str, int]:
    return render_template("reporting/request.html", form=form), status


@bp.get("/reports/new")
@requires(Permission.REQUEST_REPORTS)
def new_report() -> tuple[str, int]:
    today = utcnow().date()
    form = _request_form()
    if not form.is_submitted():
        form.date_to.data = today
        form.date_from.data = today - timedelta(days=DASHBOARD_DAYS - 1)
    return _request_page(form)


@bp.post("/reports")
@requires(Permission.REQUEST_REPORTS)
def request_report() -> Response | tuple[str, int]:
    form = _request_form()
    if not form.validate_on_submit():
        return _request_page(form, 400)
    codes = set(form.programs.data or ())
    programs = [p.id for p in _programs_in_scope() if p.code in codes] if codes else None
    report = services.request_report(
        form.date_from.data,
        form.date_to.data,
        current_user,
        programs=programs,
        weighted=form.weighted.data,
        language=current_locale(),
    )
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
    outputs = services.ready_outputs(report)
    return render_template(
        "reporting/report.html",
        report=report,
        date_from=date_from,
        date_to=date_to,
        pending=report.status in PENDING,
        outputs=outputs,
        in_app=any(output.format == f"html-{current_locale()}" for output in outputs),
    )


@bp.get("/reports/<report_id>/progress")
@requires(Permission.VIEW_REPORTS)
def report_progress(report_id: str) -> Response:
    """The status page's script asks this every few seconds while the report is pending."""
    report = _report_or_404(report_id)
    status_label = get_template_attribute("reporting/_figures.html", "status_label")
    return jsonify(
        pending=report.status in PENDING,
        progress=report.progress,
        status=str(status_label(report.status)),
    )


def _ready_file(report: Report, output: str) -> tuple[services.Output, Path]:
    if output not in services.OUTPUTS:
        abort(404)
    path = services.path_for(report, output)
    if report.status is not ReportStatus.READY or not path.is_file():
        abort(404)
    return services.OUTPUTS[output], path


@bp.get("/reports/<report_id>/files/<output>")
@requires(Permission.VIEW_REPORTS)
def report_file(report_id: str, output: str) -> Response:
    report = _report_or_404(report_id)
    found, path = _ready_file(report, output)
    date_from, date_to = services.report_range(report)
    return send_file(
        path,
        mimetype=found.mimetype,
        as_attachment=True,
        download_name=f"client-feedback-{date_from}-{date_to}-{found.file_name}",
    )


@bp.get("/reports/<report_id>/view")
@requires(Permission.VIEW_REPORTS)
def report_view(report_id: str) -> str:
    """The report's HTML in the page's language, inside the staff layout."""
    report = _report_or_404(report_id)
    language = current_locale()
    _ready_file(report, f"html-{language}")  # 404 unless the report has it
    fragment = services.fragment_path(report, language)
    if not fragment.is_file():
        abort(404)
    date_from, date_to = services.report_range(report)
    return render_template(
        "reporting/view.html",
        report=report,
        date_from=date_from,
        date_to=date_to,
        # Written by the renderer at generation time, every text escaped.
        body=Markup(fragment.read_text(encoding="utf-8")),  # noqa: S704
    )
