"""Beat: the previous month's report on the 1st, the previous quarter's after each quarter,
once per kind and period whatever the number of ticks."""

from __future__ import annotations

from datetime import date

import pytest
from celery.schedules import crontab
from sqlalchemy import func, select

from feedback.db_types import utcnow
from feedback.reporting import services, tasks
from feedback.reporting.models import Report, ReportKind, ReportStatus


@pytest.mark.parametrize(
    ("kind", "today", "period"),
    [
        (ReportKind.MONTHLY, date(2026, 3, 1), (date(2026, 2, 1), date(2026, 2, 28))),
        (ReportKind.MONTHLY, date(2026, 1, 1), (date(2025, 12, 1), date(2025, 12, 31))),
        (ReportKind.MONTHLY, date(2026, 7, 15), (date(2026, 6, 1), date(2026, 6, 30))),
        (ReportKind.QUARTERLY, date(2026, 1, 1), (date(2025, 10, 1), date(2025, 12, 31))),
        (ReportKind.QUARTERLY, date(2026, 4, 1), (date(2026, 1, 1), date(2026, 3, 31))),
        (ReportKind.QUARTERLY, date(2026, 8, 20), (date(2026, 4, 1), date(2026, 6, 30))),
    ],
)
def test_previous_period(kind, today, period):
    assert services.previous_period(kind, today) == period


def test_on_demand_is_not_a_scheduled_kind():
    with pytest.raises(ValueError):
        services.previous_period(ReportKind.ON_DEMAND, date(2026, 1, 1))


def test_a_second_tick_for_the_same_period_creates_nothing(db):
    first = services.schedule_report(ReportKind.MONTHLY, date(2026, 6, 1))
    assert first is not None and first.status is ReportStatus.REQUESTED
    assert first.period_key == "monthly:2026-05-01" and first.kind is ReportKind.MONTHLY
    assert services.report_range(first) == (date(2026, 5, 1), date(2026, 5, 31))
    assert first.requested_by is None and "programs" not in first.params  # every program
    assert services.schedule_report(ReportKind.MONTHLY, date(2026, 6, 1)) is None
    assert services.schedule_report(ReportKind.MONTHLY, date(2026, 6, 2)) is None
    quarter = services.schedule_report(ReportKind.QUARTERLY, date(2026, 7, 1))
    assert quarter is not None and quarter.period_key == "quarterly:2026-04-01"
    # On-demand reports of the same period are as many as people ask for.
    services.request_report(date(2026, 5, 1), date(2026, 5, 31), None)
    services.request_report(date(2026, 5, 1), date(2026, 5, 31), None)
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(Report)) == 4


def test_the_unique_period_holds_against_a_racing_tick(db, monkeypatch):
    """Another tick commits the same period between our check and our commit: one report."""
    real_request = services.request_report

    def after_the_other_tick(*args, **kwargs):
        with db.engine.begin() as conn:
            conn.execute(
                Report.__table__.insert().values(
                    id="the-other-tick",
                    status="requested",
                    kind="quarterly",
                    period_key="quarterly:2026-01-01",
                    formats=[],
                    progress=0,
                    params={"date_from": "2026-01-01", "date_to": "2026-03-31"},
                    created_at=utcnow(),
                )
            )
        return real_request(*args, **kwargs)

    monkeypatch.setattr(services, "request_report", after_the_other_tick)
    assert services.schedule_report(ReportKind.QUARTERLY, date(2026, 4, 1)) is None
    assert db.session.scalars(select(Report.id)).all() == ["the-other-tick"]


def test_the_task_enqueues_the_new_report_once(db, monkeypatch):
    queued: list[str] = []
    monkeypatch.setattr(tasks.generate_report, "delay", queued.append)
    report_id = tasks.schedule_report.run("quarterly")
    assert report_id is not None and queued == [report_id]
    assert tasks.schedule_report.run("quarterly") is None
    assert queued == [report_id]


def test_beat_runs_the_monthly_and_quarterly_reports(app):
    schedule = app.config["CELERY"]["beat_schedule"]
    monthly, quarterly = schedule["monthly-report"], schedule["quarterly-report"]
    assert monthly["task"] == quarterly["task"] == "feedback.reporting.tasks.schedule_report"
    assert monthly["args"] == ["monthly"] and quarterly["args"] == ["quarterly"]
    assert isinstance(monthly["schedule"], crontab)
    assert monthly["schedule"].day_of_month == {1}
    assert quarterly["schedule"].month_of_year == {1, 4, 7, 10}
