"""Report jobs: requested -> generating (progress) -> ready/failed, every file written once,
redelivery does nothing twice, a stale job is taken up again, the facts are read as they are."""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError

from feedback.db_types import utcnow
from feedback.extensions import db
from feedback.reporting import compose, services, tasks
from feedback.reporting.models import (
    REPORT_FORMATS,
    FactInvitationDaily,
    Report,
    ReportKind,
    ReportStatus,
)
from feedback.reporting.themes.models import CodedComment
from tests.factories import make_setup
from tests.governance.conftest import world  # noqa: F401  (fixture)
from tests.reporting.helpers import add_contact, at
from tests.reporting.jobs.helpers import MONTH, add_month, pdf_text


@pytest.fixture()
def month(db):
    program, version, _rule = make_setup()
    add_month(version)
    return program, version


def progress_seen_elsewhere(report_id: str) -> int:
    """The progress as another connection (the status page) reads it now."""
    with db.engine.connect() as conn:
        return conn.scalar(select(Report.progress).where(Report.id == report_id))


def test_generate_writes_every_format_with_progress(db, month, monkeypatch):
    report = services.request_report(*MONTH, None)
    db.session.commit()
    assert (report.status, report.progress, report.kind) == (
        ReportStatus.REQUESTED,
        0,
        ReportKind.ON_DEMAND,
    )
    assert report.formats == list(REPORT_FORMATS)
    assert report.params == {
        "date_from": "2026-05-01",
        "date_to": "2026-05-31",
        "weighted": False,
        "language": "en",
    }

    real_build = compose.build
    seen: list[tuple[str, int]] = []

    def spy(options, language, **kwargs):
        assert options.date_from == MONTH[0] and options.programs is None
        document = real_build(options, language, **kwargs)
        seen.append((language, progress_seen_elsewhere(report.id)))
        return document

    monkeypatch.setattr(compose, "build", spy)
    assert services.generate(report.id) is ReportStatus.READY
    # One document per language, each adding to the progress the status page sees.
    assert [language for language, _ in seen] == ["en", "fr"]
    assert 0 < seen[0][1] < seen[1][1] <= 80

    db.session.refresh(report)
    assert report.status is ReportStatus.READY and report.progress == 100
    assert report.finished_at is not None and report.error is None
    folder = services.folder_of(report)
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        [output.file_name for output in services.OUTPUTS.values()]
        + ["fragment-en.html", "fragment-fr.html"]
    )
    assert [output.format for output in services.ready_outputs(report)] == list(REPORT_FORMATS)

    english, french = (real_build(services.report_options(report), lang) for lang in ("en", "fr"))
    assert english.title != french.title
    text_en = pdf_text(services.path_for(report, "pdf-en"))
    text_fr = pdf_text(services.path_for(report, "pdf-fr"))
    assert "Rapport sur la perspective des clients" in text_fr
    assert english.title in text_en and french.title not in text_en
    assert french.title in text_fr and english.title not in text_fr
    html_fr = services.path_for(report, "html-fr").read_text(encoding="utf-8")
    assert '<html lang="fr"' in html_fr and french.title in html_fr
    fragment = services.fragment_path(report, "en").read_text(encoding="utf-8")
    assert english.title in fragment and "<html" not in fragment

    # The tables, in the requester's language (English here), by table id.
    rows = list(csv.reader(io.StringIO(services.path_for(report, "csv").read_text("utf-8-sig"))))
    assert rows and any(table.caption in sum(rows, []) for table in english.tables())
    with zipfile.ZipFile(services.path_for(report, "xlsx")) as workbook:
        assert "xl/workbook.xml" in workbook.namelist()


def invitations_counted() -> int:
    return db.session.scalar(select(func.sum(FactInvitationDaily.sent)))


def test_generation_reads_the_facts_as_they_are(db, month):
    """An invitation the periodic update has not counted yet stays out: generating does not
    refresh the facts first."""
    _program, version = month
    counted = invitations_counted()
    add_contact(version, sent_at=at("2026-05-03 09:00"))
    db.session.commit()
    report = services.request_report(*MONTH, None)
    db.session.commit()
    assert services.generate(report.id) is ReportStatus.READY
    assert invitations_counted() == counted


def test_a_redelivered_task_does_nothing_twice(db, month):
    report = services.request_report(*MONTH, None)
    db.session.commit()
    assert tasks.generate_report.run(report.id) == "ready"
    written = {p.name: p.stat().st_mtime_ns for p in services.folder_of(report).iterdir()}

    assert services.generate(report.id) is None
    assert tasks.generate_report.run(report.id) is None
    db.session.refresh(report)
    assert report.status is ReportStatus.READY
    assert {p.name: p.stat().st_mtime_ns for p in services.folder_of(report).iterdir()} == written


def test_unknown_report_is_nothing_to_do(db):
    assert services.generate("no-such-report") is None


def test_failure_is_recorded_and_no_file_is_offered(db, month, monkeypatch):
    report = services.request_report(*MONTH, None)
    db.session.commit()

    def broken(*_args, **_kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(compose, "build", broken)
    assert services.generate(report.id) is ReportStatus.FAILED
    db.session.refresh(report)
    assert report.status is ReportStatus.FAILED
    assert report.error == "RuntimeError: disk on fire"
    assert services.ready_outputs(report) == []


def test_database_error_hands_the_report_back_for_a_retry(db, month, monkeypatch):
    report = services.request_report(*MONTH, None)
    db.session.commit()

    def gone(*_args, **_kwargs):
        raise OperationalError("SELECT 1", {}, Exception("server closed the connection"))

    monkeypatch.setattr(compose, "build", gone)
    with pytest.raises(OperationalError):
        services.generate(report.id)
    db.session.refresh(report)
    assert report.status is ReportStatus.REQUESTED
    monkeypatch.undo()
    assert services.generate(report.id) is ReportStatus.READY


def test_a_report_left_generating_by_a_dead_worker_is_taken_up_again(db, month):
    report = services.request_report(*MONTH, None)
    report.status = ReportStatus.GENERATING
    report.progress = 40
    report.params = {**report.params, "started_at": utcnow().isoformat()}
    db.session.commit()
    assert services.generate(report.id) is None  # still being generated elsewhere
    assert services.reports_to_enqueue() == []

    stale = utcnow() - services.STALE_AFTER - timedelta(minutes=1)
    report.params = {**report.params, "started_at": stale.isoformat()}
    db.session.commit()
    assert services.reports_to_enqueue() == [report.id]
    assert services.generate(report.id) is ReportStatus.READY
    db.session.refresh(report)
    assert report.progress == 100


def test_requests_that_never_reached_the_broker_are_enqueued_again(db):
    old = services.request_report(date(2026, 5, 1), date(2026, 5, 2), None)
    old.created_at = utcnow() - timedelta(minutes=10)
    fresh = services.request_report(date(2026, 5, 1), date(2026, 5, 2), None)
    db.session.commit()
    assert services.reports_to_enqueue() == [old.id]
    assert fresh.id not in services.reports_to_enqueue()


def test_request_refuses_a_reversed_range_and_programs_outside_the_scope(db, world):  # noqa: F811
    with pytest.raises(ValueError, match="after"):
        services.request_report(date(2026, 5, 2), date(2026, 5, 1), None)
    with pytest.raises(ValueError, match="scope"):
        services.request_report(*MONTH, world.analyst_in, programs=[world.citizenship.id])


def test_request_keeps_the_chosen_programs_or_the_requester_scope(db, world):  # noqa: F811
    mine = services.request_report(*MONTH, world.analyst_in)
    chosen = services.request_report(
        *MONTH, world.admin, programs=[world.citizenship.id], weighted=True, language="fr"
    )
    everything = services.request_report(*MONTH, world.admin)
    assert mine.params["programs"] == [world.passport.id]
    assert chosen.params["programs"] == [world.citizenship.id]
    assert chosen.params["weighted"] is True and chosen.params["language"] == "fr"
    assert "programs" not in everything.params
    options = services.report_options(chosen)
    assert options.programs == frozenset([world.citizenship.id]) and options.weighted


def test_the_periodic_task_updates_the_facts_then_enqueues_lost_reports(db, monkeypatch):
    _program, version, _rule = make_setup()
    add_contact(
        version,
        sent_at=at("2026-01-10 10:00"),
        completed_at=at("2026-01-10 10:30"),
        answers={"overall": {"value_int": 5}, "comment": {"value_text": "Call me at 613-555-0199"}},
    )
    waiting = services.request_report(date(2026, 1, 1), date(2026, 1, 31), None)
    waiting.created_at = utcnow() - timedelta(minutes=10)
    db.session.commit()
    enqueued: list[str] = []
    monkeypatch.setattr(tasks.generate_report, "delay", enqueued.append)

    assert tasks.refresh_rollups.run() > 0
    assert invitations_counted() == 1
    assert enqueued == [waiting.id]
    (coded,) = db.session.scalars(select(CodedComment)).all()  # the comment, scrubbed
    assert "613-555-0199" not in coded.scrubbed
