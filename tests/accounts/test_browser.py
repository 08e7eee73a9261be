"""The administrators' pages in a real browser: axe-core (WCAG 2.1 A and AA) in English and
French, with a form's errors shown, and the error summary leading to the field.

Uses the survey pages' browser fixtures (see conftest.py: Chromium, chromedriver, axe-core; they
skip, or fail under CI, when a tool is missing).
"""

from __future__ import annotations

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support.ui import WebDriverWait

from feedback.accounts.services import create_api_key
from feedback.extensions import db
from tests.governance.conftest import PASSWORD
from tests.surveys.test_browser import Page, _assert_accessible

pytestmark = pytest.mark.browser


def _submit(driver: WebDriver) -> None:
    driver.find_element(By.CSS_SELECTOR, "main form button[type=submit]").click()


def _sign_in(page: Page, email: str) -> WebDriver:
    driver = page.open("/login")
    driver.find_element(By.ID, "email").send_keys(email)
    driver.find_element(By.ID, "password").send_keys(PASSWORD)
    _submit(driver)
    WebDriverWait(driver, 10).until(lambda d: "/dashboard" in d.current_url)
    return driver


@pytest.mark.parametrize("lang", ["en", "fr"])
@pytest.mark.parametrize(
    "path",
    ["/admin/users", "/admin/users/new", "/admin/api-keys", "/admin/api-keys/new", "/admin/audit"],
)
def test_admin_pages_are_accessible(page, world, path, lang):
    create_api_key("passport crm", ["passport"])
    db.session.commit()
    _sign_in(page, world.admin.email)
    driver = page.open(f"{path}?lang={lang}")
    assert driver.find_element(By.TAG_NAME, "html").get_attribute("lang") == lang
    _assert_accessible(driver)


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_the_user_form_with_errors_is_accessible(page, world, lang):
    _sign_in(page, world.admin.email)
    driver = page.open(f"/admin/users/new?lang={lang}")
    driver.find_element(By.ID, "email").send_keys("not an address")
    driver.find_element(By.ID, "role-2").click()  # analyst, without a program
    _submit(driver)
    WebDriverWait(driver, 10).until(lambda d: d.find_elements(By.CSS_SELECTOR, ".error-summary"))
    summary = driver.find_element(By.CSS_SELECTOR, ".error-summary[role=alert]")
    summary.find_element(By.CSS_SELECTOR, "a[href='#programs-0']").click()
    assert driver.switch_to.active_element.get_attribute("id") == "programs-0"
    _assert_accessible(driver)


def test_the_audit_log_with_a_bad_date_is_accessible(page, world):
    _sign_in(page, world.admin.email)
    driver = page.open("/admin/audit?date_from=tomorrow&lang=fr")
    assert driver.find_elements(By.CSS_SELECTOR, ".error-summary")
    _assert_accessible(driver)
