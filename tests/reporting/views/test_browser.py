"""The dashboard, a report's status page and the in-app HTML report in a real browser: axe-core
(WCAG 2.1 A and AA) in English and French. Uses the survey pages' browser fixtures (Chromium,
axe-core; they skip, or fail under CI, when a tool is missing)."""

from __future__ import annotations

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from feedback.extensions import db
from feedback.reporting import services
from feedback.reporting.models import Report, ReportStatus
from tests.accounts.test_browser import _sign_in
from tests.governance.conftest import world  # noqa: F401  (fixture)
from tests.reporting.jobs.helpers import MONTH, add_month
from tests.surveys.test_browser import _assert_accessible, browser, page, server  # noqa: F401

pytestmark = pytest.mark.browser


@pytest.fixture()
def reports(world):  # noqa: F811
    """A ready report of passport's May 2026 and one still being generated."""
    add_month(world.version)
    ready = services.request_report(*MONTH, world.analyst_in)
    pending = services.request_report(*MONTH, world.analyst_in)
    db.session.commit()
    assert services.generate(ready.id) is ReportStatus.READY
    pending.status, pending.progress = ReportStatus.GENERATING, 35
    db.session.commit()
    return ready.id, pending.id


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_reporting_pages_are_accessible(page, world, reports, lang):  # noqa: F811
    ready, pending = reports
    _sign_in(page, world.analyst_in.email)
    for path in [
        "/dashboard?date_from=2026-05-01&date_to=2026-05-31",
        "/dashboard?date_from=2026-05-31&date_to=2026-05-01",  # the form with its error
        "/reports/new",
        f"/reports/{pending}",
        f"/reports/{ready}",
        f"/reports/{ready}/view",
    ]:
        separator = "&" if "?" in path else "?"
        driver = page.open(f"{path}{separator}lang={lang}")
        assert driver.find_element(By.TAG_NAME, "html").get_attribute("lang") == lang, path
        _assert_accessible(driver)
    progress = page.open(f"/reports/{pending}?lang={lang}").find_element(By.ID, "report-progress")
    assert progress.get_attribute("value") == "35"


def test_the_status_page_follows_the_progress_then_lists_the_files(page, world, reports):  # noqa: F811
    _ready, pending = reports
    driver = _sign_in(page, world.analyst_in.email)
    page.open(f"/reports/{pending}")
    report = db.session.get(Report, pending)
    report.progress = 60
    db.session.commit()
    WebDriverWait(driver, 15).until(
        lambda d: d.find_element(By.ID, "report-progress").get_attribute("value") == "60"
    )
    assert driver.find_element(By.ID, "report-progress-text").text == "60 % done"
    report.status, report.progress = ReportStatus.REQUESTED, 0
    db.session.commit()
    assert services.generate(pending) is ReportStatus.READY
    WebDriverWait(driver, 30).until(lambda d: d.find_elements(By.LINK_TEXT, "Read the report here"))
    assert not driver.find_elements(By.ID, "report-progress")
    _assert_accessible(driver)
