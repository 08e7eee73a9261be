"""The walk-in pages in a real browser: axe-core (WCAG 2.1 A and AA) in English and French, on
the managers' pages and on the visitor's open link, then the survey it lands on.

Uses the survey pages' browser fixtures (see conftest.py: Chromium, chromedriver, axe-core; they
skip, or fail under CI, when a tool is missing).
"""

from __future__ import annotations

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from tests.accounts.test_browser import _sign_in
from tests.surveys.test_browser import _assert_accessible
from tests.walk_in.helpers import walk_in_point, walk_in_rule

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_the_managers_pages_are_accessible(page, world, lang):
    point = walk_in_point(world.passport)
    _sign_in(page, world.manager.email)
    for path in (
        "/walk-in",
        "/walk-in/new",
        f"/walk-in/{point.id}",
        f"/walk-in/{point.id}/deactivate",
    ):
        driver = page.open(f"{path}?lang={lang}")
        assert driver.find_element(By.TAG_NAME, "html").get_attribute("lang") == lang
        _assert_accessible(driver)


def test_the_point_form_with_errors_is_accessible(page, world):
    _sign_in(page, world.manager.email)
    driver = page.open("/walk-in/new?lang=fr")
    driver.find_element(By.ID, "office_code").send_keys("not a code!")
    driver.find_element(By.CSS_SELECTOR, "main form button[type=submit]").click()
    WebDriverWait(driver, 10).until(lambda d: d.find_elements(By.CSS_SELECTOR, ".error-summary"))
    summary = driver.find_element(By.CSS_SELECTOR, ".error-summary[role=alert]")
    summary.find_element(By.CSS_SELECTOR, "a[href='#name_en']").click()
    assert driver.switch_to.active_element.get_attribute("id") == "name_en"
    _assert_accessible(driver)


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_the_open_link_and_its_survey_are_accessible(page, world, lang):
    walk_in_rule(world.passport, world.version)
    point = walk_in_point(world.passport)
    driver = page.open(f"/w/{point.token}?lang={lang}")
    assert driver.find_element(By.TAG_NAME, "html").get_attribute("lang") == lang
    _assert_accessible(driver)
    driver.find_element(By.CSS_SELECTOR, f"button[value={lang}]").click()
    WebDriverWait(driver, 10).until(lambda d: d.current_url.endswith(f"/s/?lang={lang}"))
    assert driver.find_elements(By.CSS_SELECTOR, "form input[name=invitation]")
    _assert_accessible(driver)


def test_the_pages_without_a_survey_are_accessible(page, world):
    # The world's only rule sends email: a walk-in visit cannot be surveyed by it.
    point = walk_in_point(world.passport)
    driver = page.open(f"/w/{point.token}?lang=fr")
    driver.find_element(By.CSS_SELECTOR, "button[value=en]").click()
    # Wait on the title: an element found while the page changes can go stale under the wait.
    nothing = "Il n’y a pas de sondage à remplir pour le moment"
    WebDriverWait(driver, 10).until(lambda d: d.title.startswith(nothing))
    assert driver.find_element(By.TAG_NAME, "h1").text == nothing
    _assert_accessible(driver)
    driver = page.open("/w/abcdefghjkmn?lang=en")
    assert driver.find_element(By.TAG_NAME, "h1").text == "This survey link is no longer in use"
    _assert_accessible(driver)
