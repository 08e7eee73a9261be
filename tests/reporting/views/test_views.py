"""Staff pages: the report request form, the status page with its progress bar, the files and
the in-app report (404 outside the user's scope), and the dashboard with its filters."""

from __future__ import annotations

import re
from datetime import date

import pytest
from kombu.exceptions import OperationalError as BrokerError
from sqlalchemy import select

from feedback.extensions import db
from feedback.reporting import compose, services, tasks
from feedback.reporting.models import REPORT_FORMATS, Report, ReportStatus
from tests.governance.conftest import client_as, world  # noqa: F401  (fixture)
from tests.reporting.helpers import csrf_token
from tests.reporting.jobs.helpers import MONTH, add_month


@pytest.fixture()
def month(world):  # noqa: F811
    add_month(world.version)
    return world


@pytest.fixture()
def queued(monkeypatch):
    """Report ids handed to the broker."""
    sent: list[str] = []
    monkeypatch.setattr(tasks.generate_report, "delay", sent.append)
    return sent


@pytest.fixture()
def built(monkeypatch):
    """The options of every compose.build call (the real one runs)."""
    calls: list[tuple] = []
    real_build = compose.build

    def spy(options, language, **kwargs):
        calls.append((options, language, kwargs.get("part", "full")))
        return real_build(options, language, **kwargs)

    monkeypatch.setattr(compose, "build", spy)
    return calls


def post_request(client, **data):
    token = csrf_token(client.get("/reports/new").text)
    return client.post("/reports", data={"csrf_token": token, **data})


@pytest.mark.parametrize(
    "path",
    ["/dashboard", "/reports/new", "/reports/some-id", "/reports/some-id/files/pdf-en"],
)
def test_staff_pages_require_sign_in(client, path):
    response = client.get(path)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")


def test_site_root_goes_to_the_dashboard(client):
    assert client.get("/").headers["Location"] == "/dashboard"


def test_the_request_form_offers_the_user_programs_only(app, world):  # noqa: F811
    page = client_as(app, world.analyst_in).get("/reports/new").text
    assert 'value="passport"' in page and 'value="citizenship"' not in page
    assert re.search(r'<input [^>]*id="date_from"[^>]*type="date"', page)
    assert 'name="weighted"' in page
    admin = client_as(app, world.admin).get("/reports/new?lang=fr").text
    assert 'value="passport"' in admin and 'value="citizenship"' in admin
    assert "Demander un rapport" in admin
    assert client_as(app, world.manager).get("/reports/new").status_code == 403


def test_request_creates_the_report_and_enqueues_it(app, world, queued):  # noqa: F811
    client = client_as(app, world.admin)
    response = post_request(
        client, date_from="2026-01-01", date_to="2026-03-31", programs="citizenship", weighted="y"
    )
    report = _only_report()
    assert response.status_code == 302
    assert response.headers["Location"] == f"/reports/{report.id}"
    assert queued == [report.id]
    assert report.status is ReportStatus.REQUESTED and report.requested_by == world.admin.id
    assert services.report_range(report) == (date(2026, 1, 1), date(2026, 3, 31))
    assert report.params["programs"] == [world.citizenship.id]
    assert report.params["weighted"] is True and report.formats == list(REPORT_FORMATS)


def _only_report() -> Report:
    return db.session.scalar(select(Report))


def test_a_program_outside_the_scope_is_not_a_choice(app, world, queued):  # noqa: F811
    response = post_request(
        client_as(app, world.analyst_in),
        date_from="2026-01-01",
        date_to="2026-01-31",
        programs="citizenship",
    )
    assert response.status_code == 400
    assert "&#39;citizenship&#39; is not a valid choice for this field." in response.text
    assert _only_report() is None and queued == []


def test_request_with_reversed_dates_shows_the_error_on_the_field(app, world, queued):  # noqa: F811
    response = post_request(
        client_as(app, world.analyst_in), date_from="2026-03-31", date_to="2026-01-01"
    )
    assert response.status_code == 400
    assert "The last day must be the same as or after the first day." in response.text
    assert 'aria-describedby="date_to-hint date_to-error"' in response.text
    assert 'href="#date_to"' in response.text
    assert _only_report() is None and queued == []


def test_request_is_kept_when_the_broker_is_down(app, world, monkeypatch):  # noqa: F811
    def unreachable(_report_id):
        raise BrokerError("connection refused")

    monkeypatch.setattr(tasks.generate_report, "delay", unreachable)
    client = client_as(app, world.analyst_in)
    response = post_request(client, date_from="2026-01-01", date_to="2026-01-31")
    assert response.status_code == 302
    assert _only_report().status is ReportStatus.REQUESTED
    page = client.get(response.headers["Location"]).text
    assert "The report will be generated as soon as possible." in page


def test_status_page_shows_progress_then_every_file(app, month, queued):
    client = client_as(app, month.analyst_in)
    post_request(client, date_from="2026-05-01", date_to="2026-05-31")
    report = _only_report()
    report.status, report.progress = ReportStatus.GENERATING, 40
    db.session.commit()
    page = client.get(f"/reports/{report.id}").text
    assert re.search(r'<script src="/static/report-status.js\?v=\w+" defer></script>', page)
    assert re.search(
        r'<div role="status">\s*<p><strong>Status:</strong> '
        r'<span id="report-status-label">Being generated</span>',
        page,
    )
    assert '<label for="report-progress">Progress</label>' in page
    assert re.search(
        r'<progress id="report-progress" max="100" value="40"[^>]*>40 %</progress>', page
    )
    assert f'data-progress-url="/reports/{report.id}/progress"' in page
    assert client.get(f"/reports/{report.id}/progress").get_json() == {
        "pending": True,
        "progress": 40,
        "status": "Being generated",
    }
    assert client.get(f"/reports/{report.id}/files/pdf-en").status_code == 404
    french = client.get(f"/reports/{report.id}?lang=fr").text
    assert "En cours de production" in french and "40\u00a0% terminé" in french

    report.status = ReportStatus.REQUESTED
    db.session.commit()
    assert services.generate(report.id) is ReportStatus.READY
    page = client.get(f"/reports/{report.id}?lang=en").text
    assert "report-status.js" not in page and "<progress" not in page
    assert client.get(f"/reports/{report.id}/progress").get_json() == {
        "pending": False,
        "progress": 100,
        "status": "Ready",
    }
    for name in REPORT_FORMATS:
        assert f'href="/reports/{report.id}/files/{name}"' in page
    assert f'href="/reports/{report.id}/view"' in page
    assert "Download: PDF in French" in page

    for name, mimetype, start in [
        ("pdf-en", "application/pdf", b"%PDF"),
        ("pdf-fr", "application/pdf", b"%PDF"),
        ("html-fr", "text/html", b"<!DOCTYPE html>"),
        ("csv", "text/csv", b""),
        ("xlsx", services.OUTPUTS["xlsx"].mimetype, b"PK"),
    ]:
        download = client.get(f"/reports/{report.id}/files/{name}")
        assert download.status_code == 200, name
        assert download.mimetype == mimetype and download.data.startswith(start)
        assert (
            "attachment; filename=client-feedback-2026-05-01-2026-05-31-"
            in (download.headers["Content-Disposition"])
        )
    assert client.get(f"/reports/{report.id}/files/docx").status_code == 404


def test_the_report_is_read_in_the_app_in_the_page_language(app, month):
    report = services.request_report(*MONTH, month.analyst_in)
    db.session.commit()
    services.generate(report.id)
    client = client_as(app, month.analyst_in)
    english, french = (
        compose.build(services.report_options(report), language).title for language in ("en", "fr")
    )
    page = client.get(f"/reports/{report.id}/view").text
    assert '<div class="report" lang="en">' in page and english in page
    assert page.count("<h1") == 1 and "<style" not in page and '<html lang="en"' in page
    page = client.get(f"/reports/{report.id}/view?lang=fr").text
    assert '<div class="report" lang="fr">' in page and french in page


def test_reports_outside_the_scope_are_404(app, month):
    report = services.request_report(*MONTH, month.colleague)
    db.session.commit()
    services.generate(report.id)
    outsider = client_as(app, month.analyst_out)
    for path in ["", "/progress", "/files/pdf-en", "/files/csv", "/view"]:
        assert outsider.get(f"/reports/{report.id}{path}").status_code == 404, path
        assert (
            client_as(app, month.analyst_in).get(f"/reports/{report.id}{path}").status_code == 200
        )
    assert outsider.get("/reports/nope").status_code == 404
    assert outsider.get("/reports/nope/files/pdf-en").status_code == 404


def test_the_dashboard_reads_the_estimates_in_the_user_scope_and_language(app, month, built):
    page = client_as(app, month.analyst_in).get(
        "/dashboard?date_from=2026-05-01&date_to=2026-05-31"
    )
    assert page.status_code == 200
    options, language, part = built[-1]
    assert (language, part) == ("en", "dashboard")
    assert (options.date_from, options.date_to) == MONTH
    assert options.programs == frozenset([month.passport.id])
    assert options.channels is None and options.languages is None and not options.groups
    assert '<div class="report" lang="en">' in page.text
    assert 'name="program"' in page.text and ">Citizenship<" not in page.text

    french = client_as(app, month.analyst_in).get(
        "/dashboard?date_from=2026-05-01&date_to=2026-05-31&lang=fr"
    )
    assert built[-1][1] == "fr" and '<div class="report" lang="fr">' in french.text
    assert "Tableau de bord" in french.text and "Filtres" in french.text


def test_the_dashboard_filters(app, month, built):
    month.passport.reportable_attributes = ["region"]
    db.session.commit()
    query = (
        "date_from=2026-05-01&date_to=2026-05-31&program=passport&channel=email"
        "&language=fr&group=region&group_value=Quebec"
    )
    page = client_as(app, month.admin).get(f"/dashboard?{query}")
    assert page.status_code == 200
    options = built[-1][0]
    assert options.programs == frozenset([month.passport.id])
    assert options.channels == frozenset(["email"]) and options.languages == frozenset(["fr"])
    assert options.groups == {"region": frozenset(["Quebec"])}
    assert '<option selected value="passport">' in page.text
    # An administrator's "all programs": every program, even those created later.
    client_as(app, month.admin).get("/dashboard")
    assert built[-1][0].programs is None


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("date_from=2026-31-12", "Not a valid date value."),
        ("date_from=2026-05-31&date_to=2026-05-01", "The last day must be the same as or after"),
        ("program=citizenship", "Not a valid choice."),
        ("group_value=Quebec", "Choose a client group for this value."),
    ],
)
def test_bad_filters_show_the_error_and_answer_400(app, world, built, query, message):  # noqa: F811
    page = client_as(app, world.analyst_in).get(f"/dashboard?{query}")
    assert page.status_code == 400
    assert message in page.text and 'class="error-summary"' in page.text
    assert built == []


def test_the_french_dashboard_explains_a_bad_date(app, world, built):  # noqa: F811
    page = client_as(app, world.analyst_in).get("/dashboard?date_to=hier&lang=fr")
    assert page.status_code == 400 and "Il y a un problème" in page.text


def test_a_user_without_programs_sees_no_figures(app, world, built):  # noqa: F811
    page = client_as(app, world.analyst_none).get("/dashboard")
    assert page.status_code == 200 and built == []
    assert "You have no programs yet." in page.text
