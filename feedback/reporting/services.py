"""Report jobs: a row with its options, status and progress; its files under REPORTS_DIR/<id>/.

generate() moves a report requested -> generating -> ready (or failed) under a row lock, so a
redelivered task finds nothing to do. A report left in `generating` by a worker that died is
taken up again once it is older than STALE_AFTER. Generation reads the facts as they are (the
periodic update keeps them current): it builds the report document once per language through
compose.build, then renders every format the report asks for.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from itertools import islice
from pathlib import Path
from typing import TYPE_CHECKING

from flask import current_app
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError, OperationalError

from feedback.accounts.models import User
from feedback.db_types import utcnow
from feedback.extensions import db
from feedback.governance.permissions import program_scope, within_scope
from feedback.reporting.models import REPORT_FORMATS, Report, ReportKind, ReportStatus

if TYPE_CHECKING:
    from feedback.reporting.compose import ReportOptions
    from feedback.reporting.document import Document

log = logging.getLogger(__name__)
STALE_AFTER = timedelta(minutes=15)
# A request that never reached the broker is enqueued again after this long.
UNQUEUED_AFTER = timedelta(minutes=2)
LANGUAGES = ("en", "fr")


@dataclass(frozen=True)
class Output:
    """One file of a report: its name in the report's folder, its type, its language."""

    format: str
    file_name: str
    mimetype: str
    language: str | None  # None: the tables' language is the report's `language` option


OUTPUTS: dict[str, Output] = {
    "pdf-en": Output("pdf-en", "report-en.pdf", "application/pdf", "en"),
    "pdf-fr": Output("pdf-fr", "rapport-fr.pdf", "application/pdf", "fr"),
    "html-en": Output("html-en", "report-en.html", "text/html", "en"),
    "html-fr": Output("html-fr", "rapport-fr.html", "text/html", "fr"),
    "csv": Output("csv", "tables.csv", "text/csv", None),
    "xlsx": Output(
        "xlsx",
        "tables.xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        None,
    ),
}


def folder_of(report: Report) -> Path:
    return Path(current_app.config["REPORTS_DIR"]) / report.id


def path_for(report: Report, format: str) -> Path:
    return folder_of(report) / OUTPUTS[format].file_name


def report_range(report: Report) -> tuple[date, date]:
    return (
        date.fromisoformat(report.params["date_from"]),
        date.fromisoformat(report.params["date_to"]),
    )


def report_programs(report: Report) -> set[str] | None:
    """The program ids a report covers, as recorded at request time; None: every program."""
    programs = report.params.get("programs")
    return None if programs is None else set(programs)


def output_language(report: Report, output: Output) -> str:
    return output.language or report.params.get("language", "en")


def report_options(report: Report) -> ReportOptions:
    from feedback.reporting.compose import ReportOptions

    date_from, date_to = report_range(report)
    programs = report_programs(report)
    return ReportOptions(
        date_from=date_from,
        date_to=date_to,
        programs=None if programs is None else frozenset(programs),
        weighted=bool(report.params.get("weighted")),
    )


def request_report(
    date_from: date,
    date_to: date,
    user: User | None,
    *,
    programs: Collection[str] | None = None,
    weighted: bool = False,
    language: str = "en",
    kind: ReportKind = ReportKind.ON_DEMAND,
    period_key: str | None = None,
) -> Report:
    """Record a request for a report in every format; the caller commits, then enqueues
    generate_report.

    `programs` narrows the report to some programs (None: all the requester may see). The
    requester's program scope is kept with the request (absent for an administrator or when no
    user asks, e.g. beat): the report shows what its requester could see then, whatever their
    programs become later. `language` is the language of the CSV and XLSX tables.
    """
    if date_from > date_to:
        raise ValueError("date_from is after date_to")
    scope = program_scope(user) if user is not None else None
    if programs is not None and scope is not None and not set(programs) <= scope:
        raise ValueError("programs outside the requester's scope")
    chosen = set(programs) if programs is not None else scope
    params: dict[str, object] = {
        "date_from": date_from.isoformat(),
        "date_to": date_to.isoformat(),
        "weighted": weighted,
        "language": language,
    }
    if chosen is not None:
        params["programs"] = sorted(chosen)
    report = Report(
        status=ReportStatus.REQUESTED,
        kind=kind,
        period_key=period_key,
        formats=list(REPORT_FORMATS),
        progress=0,
        params=params,
        requested_by=user.id if user else None,
    )
    db.session.add(report)
    db.session.flush()
    return report


def previous_period(schedule: ReportKind, today: date) -> tuple[date, date]:
    """The last whole month or quarter before `today`."""
    last = today.replace(day=1) - timedelta(days=1)
    if schedule is ReportKind.MONTHLY:
        return last.replace(day=1), last
    if schedule is ReportKind.QUARTERLY:
        first_month = (today.month - 1) // 3 * 3 + 1  # this quarter's first month
        end = today.replace(month=first_month, day=1) - timedelta(days=1)
        return end.replace(month=end.month - 2, day=1), end
    raise ValueError(f"{schedule} is not a scheduled schedule")


def schedule_report(kind: ReportKind, today: date | None = None) -> Report | None:
    """Request the scheduled report of the previous month or quarter (every program), once per
    kind and period: a second call for the same period returns None. Commits."""
    date_from, date_to = previous_period(kind, today or utcnow().date())
    period_key = f"{kind.value}:{date_from.isoformat()}"
    if db.session.scalar(select(Report.id).where(Report.period_key == period_key)):
        return None
    try:
        report = request_report(date_from, date_to, None, kind=kind, period_key=period_key)
        db.session.commit()
    except IntegrityError:  # another beat tick won the race for the same period
        db.session.rollback()
        return None
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


def ready_outputs(report: Report) -> list[Output]:
    """The outputs of a ready report whose file is there, in the order of REPORT_FORMATS."""
    if report.status is not ReportStatus.READY:
        return []
    return [
        OUTPUTS[name]
        for name in REPORT_FORMATS
        if name in report.formats and path_for(report, name).is_file()
    ]


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
    report.progress = 0
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
    if status is ReportStatus.READY:
        report.progress = 100
    report.finished_at = utcnow() if status in (ReportStatus.READY, ReportStatus.FAILED) else None
    db.session.commit()


def _progress_recorder(report_id: str) -> Callable[[int], None]:
    """Record the progress (0-100) in a short transaction of its own, so that the status page
    sees it while the generation's session keeps reading; only increases are written."""
    last = -1

    def record(percent: int) -> None:
        nonlocal last
        percent = max(0, min(100, int(percent)))
        if percent <= last:
            return
        last = percent
        with db.engine.begin() as conn:
            conn.execute(update(Report).where(Report.id == report_id).values(progress=percent))

    return record


def _stage(record: Callable[[int], None], start: int, end: int) -> Callable[[int], None]:
    """A progress callback for one stage: its 0-100 mapped onto start-end of the whole."""
    return lambda percent: record(start + (end - start) * max(0, min(100, percent)) // 100)


def _atomically(path: Path, write: Callable[[Path], object]) -> None:
    """Write `path` through a temporary file beside it, so that a download never sees half a
    file and a re-run overwrites."""
    partial = path.with_name(f".{path.name}.partial")
    write(partial)
    os.replace(partial, path)


def write_output(document: Document, output: Output, path: Path) -> None:
    """Render `document` as `output` at `path`."""
    # Imported when used: the renderers load reportlab and XlsxWriter, which the web
    # process's pages and the CLI's other commands do not need.
    from feedback.reporting.render import html, pdf, tables

    writers: dict[str, Callable[[Path], object]] = {
        "pdf": lambda target: pdf.write(document, target),
        "html": lambda target: target.write_text(html.render(document), encoding="utf-8"),
        "csv": lambda target: tables.write_csv(document, target),
        "xlsx": lambda target: tables.write_xlsx(document, target),
    }
    _atomically(path, writers[output.format.split("-")[0]])


def fragment_path(report: Report, language: str) -> Path:
    """The HTML report without its page, shown inside the staff layout (not a download)."""
    return folder_of(report) / f"fragment-{language}.html"


def _write_files(report: Report, record: Callable[[int], None]) -> None:
    """Build the document once per language needed, then write every output of the report."""
    # Imported when used (as the renderers): compose loads numpy and statsmodels.
    from feedback.reporting import compose
    from feedback.reporting.render import html

    options = report_options(report)
    outputs = [OUTPUTS[name] for name in REPORT_FORMATS if name in report.formats]
    languages = sorted({output_language(report, output) for output in outputs})
    folder = folder_of(report)
    folder.mkdir(parents=True, exist_ok=True)
    # Building the documents is most of the work: 80 % of the bar, shared between languages.
    share = 80 // max(1, len(languages))
    documents: dict[str, Document] = {}
    for index, language in enumerate(languages):
        stage = _stage(record, index * share, (index + 1) * share)
        documents[language] = compose.build(options, language, progress=stage)
        stage(100)
    for index, output in enumerate(outputs, start=1):
        document = documents[output_language(report, output)]
        write_output(document, output, folder / output.file_name)
        if output.format.startswith("html-"):
            fragment = html.render(document, standalone=False)
            _atomically(
                fragment_path(report, document.language),
                lambda target, text=fragment: target.write_text(text, encoding="utf-8"),
            )
        record(80 + 19 * index // len(outputs))


def generate(report_id: str) -> ReportStatus | None:
    """Write every file of the report from the facts as they are; None if nothing to do."""
    report = _claim(report_id)
    if report is None:
        return None
    record = _progress_recorder(report_id)
    try:
        _write_files(report, record)
        db.session.rollback()  # end the read transaction before the row lock below
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
