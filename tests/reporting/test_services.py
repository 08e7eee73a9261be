"""Report jobs: requested -> generating -> ready/failed, idempotent, a fixed path per report."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy.exc import OperationalError

from feedback.db_types import utcnow
from feedback.reporting import services, tasks
from feedback.reporting.models import FactInvitationDaily, Report, ReportStatus
from tests.factories import make_setup
from tests.reporting.helpers import add_contact, at, rating


def files_of(report: Report) -> list:
    return sorted(services.path_for(report).parent.glob(f"*{report.id}*"))


def test_generate_refreshes_rollups_then_writes_one_pdf(db):
    _program, version, _rule = make_setup()
    add_contact(
        version,
        sent_at=at("2026-05-04 10:00"),
        completed_at=at("2026-05-04 11:00"),
        answers={"overall": rating(5)},
    )
    report = services.request_report(date(2026, 5, 1), date(2026, 5, 31), None)
    db.session.commit()
    assert report.status is ReportStatus.REQUESTED
    assert report.params == {"date_from": "2026-05-01", "date_to": "2026-05-31"}

    assert services.generate(report.id) is ReportStatus.READY
    db.session.refresh(report)
    assert report.status is ReportStatus.READY and report.finished_at is not None
    assert files_of(report) == [services.path_for(report)]
    assert services.path_for(report).name == f"{report.id}.pdf"
    assert services.path_for(report).read_bytes().startswith(b"%PDF")
    assert db.session.query(FactInvitationDaily).count() == 1

    # A redelivered task finds the report no longer claimable and does nothing.
    assert services.generate(report.id) is None
    assert tasks.generate_report.run(report.id) is None
    db.session.refresh(report)
    assert report.status is ReportStatus.READY
    assert files_of(report) == [services.path_for(report)]


def test_unknown_report_is_nothing_to_do(db):
    assert services.generate("no-such-report") is None


def test_failure_is_recorded(db, monkeypatch):
    report = services.request_report(date(2026, 5, 1), date(2026, 5, 2), None)
    db.session.commit()

    def broken(*_args, **_kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(services.pdf, "write_pdf", broken)
    assert services.generate(report.id) is ReportStatus.FAILED
    db.session.refresh(report)
    assert report.status is ReportStatus.FAILED
    assert report.error == "RuntimeError: disk on fire"
    assert files_of(report) == []


def test_database_error_hands_the_report_back_for_a_retry(db, monkeypatch):
    report = services.request_report(date(2026, 5, 1), date(2026, 5, 2), None)
    db.session.commit()

    def gone(*_args, **_kwargs):
        raise OperationalError("SELECT 1", {}, Exception("server closed the connection"))

    monkeypatch.setattr(services.rollups, "refresh", gone)
    with pytest.raises(OperationalError):
        services.generate(report.id)
    db.session.refresh(report)
    assert report.status is ReportStatus.REQUESTED
    monkeypatch.undo()
    assert services.generate(report.id) is ReportStatus.READY


def test_a_report_left_generating_by_a_dead_worker_is_taken_up_again(db):
    report = services.request_report(date(2026, 5, 1), date(2026, 5, 2), None)
    report.status = ReportStatus.GENERATING
    report.params = {**report.params, "started_at": utcnow().isoformat()}
    db.session.commit()
    assert services.generate(report.id) is None  # still being generated elsewhere
    assert services.reports_to_enqueue() == []

    stale = utcnow() - services.STALE_AFTER - timedelta(minutes=1)
    report.params = {**report.params, "started_at": stale.isoformat()}
    db.session.commit()
    assert services.reports_to_enqueue() == [report.id]
    assert services.generate(report.id) is ReportStatus.READY


def test_requests_that_never_reached_the_broker_are_enqueued_again(db):
    old = services.request_report(date(2026, 5, 1), date(2026, 5, 2), None)
    old.created_at = utcnow() - timedelta(minutes=10)
    fresh = services.request_report(date(2026, 5, 1), date(2026, 5, 2), None)
    db.session.commit()
    assert services.reports_to_enqueue() == [old.id]
    assert fresh.id not in services.reports_to_enqueue()


def test_request_refuses_a_reversed_range(db):
    with pytest.raises(ValueError):
        services.request_report(date(2026, 5, 2), date(2026, 5, 1), None)


def test_refresh_task_refreshes_recent_days_and_given_days(db, monkeypatch):
    _program, version, _rule = make_setup()
    add_contact(version, sent_at=utcnow() - timedelta(hours=1))
    add_contact(version, sent_at=at("2026-01-10 10:00"))
    db.session.commit()
    enqueued: list[str] = []
    monkeypatch.setattr(tasks.generate_report, "delay", enqueued.append)
    waiting = services.request_report(date(2026, 1, 1), date(2026, 1, 31), None)
    waiting.created_at = utcnow() - timedelta(minutes=10)
    db.session.commit()

    assert tasks.refresh_rollups.run(["2026-01-10"]) == 2
    days = {fact.day for fact in db.session.query(FactInvitationDaily)}
    assert days == {date(2026, 1, 10), (utcnow() - timedelta(hours=1)).date()}
    assert enqueued == [waiting.id]
