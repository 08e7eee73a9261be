"""Staff pages: the dashboard behind sign-in, report requests, status and download."""

from __future__ import annotations

import re
from datetime import date

import pytest
from kombu.exceptions import OperationalError as BrokerError
from sqlalchemy import select

from feedback.accounts.models import Role
from feedback.accounts.services import create_user
from feedback.reporting import services, tasks
from feedback.reporting.models import Report, ReportStatus
from tests.factories import make_setup
from tests.reporting.helpers import add_answer_facts, add_invitation_fact, csrf_token


@pytest.fixture()
def staff(client, db):
    """A signed-in analyst's client."""
    user = create_user("analyst@example.org", "a long enough password", Role.ANALYST)
    db.session.commit()
    token = csrf_token(client.get("/login").text)
    client.post(
        "/login",
        data={
            "csrf_token": token,
            "email": "analyst@example.org",
            "password": "a long enough password",
        },
    )
    client.user = user
    return client


@pytest.fixture()
def queued(monkeypatch):
    """Report ids handed to the broker."""
    sent: list[str] = []
    monkeypatch.setattr(tasks.generate_report, "delay", sent.append)
    return sent


def request(client, date_from: str, date_to: str):
    token = csrf_token(client.get("/dashboard").text)
    return client.post(
        "/reports", data={"csrf_token": token, "date_from": date_from, "date_to": date_to}
    )


@pytest.mark.parametrize("path", ["/dashboard", "/reports/some-id", "/reports/some-id.pdf"])
def test_staff_pages_require_sign_in(client, path):
    response = client.get(path)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")
    assert "Sign in to see this page." in client.get(response.headers["Location"]).text


def test_site_root_goes_to_the_dashboard(client):
    assert client.get("/").headers["Location"] == "/dashboard"


def test_dashboard_shows_the_last_90_days(staff, db):
    from feedback.db_types import utcnow

    program, version, _rule = make_setup()
    staff.user.programs.append(program)  # an analyst sees the figures of their programs
    today = utcnow().date()
    add_invitation_fact(program, today, sent=200, completed=50)
    add_answer_facts(version, today, "overall", {5: 30, 4: 10, 1: 10})
    add_invitation_fact(program, today, sent=3, completed=1, channel="sms")
    db.session.commit()
    html = staff.get("/dashboard").text
    assert "Last 90 days" in html
    row = re.search(r"Passport services – Email</th>(.*?)</tr>", html, re.S).group(1)
    cells = re.findall(r"<td>(.*?)</td>", row, re.S)
    assert cells[:5] == ["200", "50", "25%", "80%", "67–89"]
    assert '<span class="visually-hidden">suppressed</span>' in html
    assert re.search(r'<input [^>]*id="date_from"[^>]*type="date"', html)


def test_request_creates_the_report_and_enqueues_it(staff, db, queued):
    response = request(staff, "2026-01-01", "2026-03-31")
    report = db.session.scalar(select(Report))
    assert response.status_code == 302
    assert response.headers["Location"] == f"/reports/{report.id}"
    assert queued == [report.id]
    assert report.status is ReportStatus.REQUESTED
    assert report.requested_by == staff.user.id
    assert services.report_range(report) == (date(2026, 1, 1), date(2026, 3, 31))


def test_request_with_reversed_dates_shows_the_error_on_the_field(staff, db, queued):
    response = request(staff, "2026-03-31", "2026-01-01")
    html = response.text
    assert response.status_code == 400
    assert "The last day must be the same as or after the first day." in html
    assert 'aria-describedby="date_to-hint date_to-error"' in html
    assert 'href="#date_to"' in html
    assert db.session.scalar(select(Report)) is None and queued == []


def test_request_with_missing_date(staff, db, queued):
    response = request(staff, "", "2026-01-01")
    assert response.status_code == 400
    assert "Enter the first day of the period." in response.text


def test_request_is_kept_when_the_broker_is_down(staff, db, monkeypatch):
    def unreachable(_report_id):
        raise BrokerError("connection refused")

    monkeypatch.setattr(tasks.generate_report, "delay", unreachable)
    response = request(staff, "2026-01-01", "2026-01-31")
    assert response.status_code == 302
    report = db.session.scalar(select(Report))
    assert report.status is ReportStatus.REQUESTED
    page = staff.get(response.headers["Location"]).text
    assert "The report will be generated as soon as possible." in page


def test_status_page_refreshes_until_ready_then_offers_the_pdf(staff, db, queued):
    request(staff, "2026-01-01", "2026-01-31")
    report = db.session.scalar(select(Report))
    page = staff.get(f"/reports/{report.id}").text
    assert '<meta http-equiv="refresh" content="3">' in page
    assert re.search(r'<div role="status">\s*<p><strong>Status:</strong> Waiting', page)
    assert staff.get(f"/reports/{report.id}.pdf").status_code == 404

    assert services.generate(report.id) is ReportStatus.READY
    page = staff.get(f"/reports/{report.id}").text
    assert 'http-equiv="refresh"' not in page
    assert f'href="/reports/{report.id}.pdf"' in page
    download = staff.get(f"/reports/{report.id}.pdf")
    assert download.status_code == 200
    assert download.mimetype == "application/pdf"
    assert download.data.startswith(b"%PDF")
    assert "client-feedback-2026-01-01-2026-01-31.pdf" in download.headers["Content-Disposition"]


def test_unknown_report_is_404(staff):
    assert staff.get("/reports/nope").status_code == 404
    assert staff.get("/reports/nope.pdf").status_code == 404
