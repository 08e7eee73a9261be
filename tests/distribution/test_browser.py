"""The rule pages in a real browser: axe-core (WCAG 2.1 A and AA) in English and French, the rule
form with its errors (the summary leads to the field), and the simulate page showing a fatigue
skip. Uses the survey pages' browser fixtures (Chromium, chromedriver, axe-core)."""

from __future__ import annotations

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support.ui import Select, WebDriverWait

from feedback.extensions import db
from tests.factories import make_sent_invitation
from tests.governance import conftest as governance
from tests.surveys import test_browser as survey_browser
from tests.surveys.test_browser import Page, _assert_accessible

pytestmark = pytest.mark.browser

#: Fixtures: the governance tests' world, and the survey pages' browser and server.
world = governance.world
browser, server, page = survey_browser.browser, survey_browser.server, survey_browser.page


def _sign_in(page: Page, email: str) -> WebDriver:
    driver = page.open("/login")
    driver.find_element(By.ID, "email").send_keys(email)
    driver.find_element(By.ID, "password").send_keys(governance.PASSWORD)
    driver.find_element(By.CSS_SELECTOR, "main form button[type=submit]").click()
    WebDriverWait(driver, 10).until(lambda d: "/dashboard" in d.current_url)
    return driver


def _submit(driver: WebDriver, shown: str) -> None:
    """Submit the page's form, and wait for the answer to show the element `shown` (a CSS
    selector); waiting on an element found while the page changes could go stale."""
    driver.find_element(By.CSS_SELECTOR, "main form button[type=submit]").click()
    WebDriverWait(driver, 10).until(lambda d: d.find_elements(By.CSS_SELECTOR, shown))


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_the_rule_list_is_accessible(page, world, lang):
    _sign_in(page, world.manager.email)
    driver = page.open(f"/rules?lang={lang}")
    assert driver.find_element(By.TAG_NAME, "html").get_attribute("lang") == lang
    assert driver.find_elements(By.CSS_SELECTOR, "section.rule")
    _assert_accessible(driver)


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_the_rule_form_with_errors_is_accessible(page, world, lang):
    world.passport.contact_types = [{"code": "call", "en": "Call", "fr": "Appel"}]
    db.session.commit()
    _sign_in(page, world.manager.email)
    driver = page.open(f"/rules/new?lang={lang}")
    _assert_accessible(driver)
    delay = driver.find_element(By.ID, "delay_minutes")
    delay.clear()
    delay.send_keys("-5")
    Select(driver.find_element(By.ID, "quiet_start_hour")).select_by_value("21")
    _submit(driver, ".error-summary")
    summary = driver.find_element(By.CSS_SELECTOR, ".error-summary[role=alert]")
    assert driver.title.startswith("Error:" if lang == "en" else "Erreur")
    summary.find_element(By.CSS_SELECTOR, "a[href='#delay_minutes']").click()
    assert driver.switch_to.active_element.get_attribute("id") == "delay_minutes"
    described = driver.find_element(By.ID, "delay_minutes").get_attribute("aria-describedby")
    assert "delay_minutes-error" in described
    _assert_accessible(driver)


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_the_simulate_page_shows_a_fatigue_skip_accessibly(page, world, lang):
    invitation = make_sent_invitation(world.version, "a-token", n=7)
    _sign_in(page, world.manager.email)
    driver = page.open(f"/rules/simulate?lang={lang}")
    _assert_accessible(driver)
    driver.find_element(By.ID, "contact_type").send_keys("call")
    driver.find_element(By.ID, "client_ref").send_keys("client-7")
    driver.find_element(By.ID, "email").send_keys("client7@example.org")
    _submit(driver, "#outcome")
    outcome = driver.find_element(By.ID, "outcome").text
    assert outcome == (
        "This contact would not be surveyed" if lang == "en" else "Ce contact ne serait pas sondé"
    )
    steps = driver.find_element(By.CSS_SELECTOR, "#result ol").text
    limit = "Fatigue" if lang == "en" else "Limite de sollicitation"
    assert limit in steps and str(invitation.created_at.year) in steps  # with its date
    _assert_accessible(driver)
