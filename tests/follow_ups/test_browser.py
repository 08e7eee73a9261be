"""The follow-up pages in a real browser: axe-core (WCAG 2.1 A and AA) in English and French,
and the item form's errors reachable from the error summary.

Uses the survey pages' browser fixtures (Chromium, chromedriver, axe-core; they skip, or fail
under CI, when a tool is missing).
"""

from __future__ import annotations

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from tests.accounts.test_browser import _sign_in, _submit
from tests.follow_ups.helpers import consenting_rule, make_follow_up
from tests.surveys.test_browser import _assert_accessible

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_the_follow_up_pages_are_accessible(page, world, lang):
    item = make_follow_up(world.passport, world.version, owner_id=world.manager.id)
    loop = consenting_rule(world.passport)
    driver = _sign_in(page, world.manager.email)
    for path in (
        "/follow-ups",
        f"/follow-ups/{item.id}",
        "/follow-ups/settings",
        f"/follow-ups/settings/{loop.rule.id}",
    ):
        driver = page.open(f"{path}?lang={lang}")
        assert driver.find_element(By.TAG_NAME, "html").get_attribute("lang") == lang
        _assert_accessible(driver)


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_the_item_form_with_errors_is_accessible(page, world, lang):
    item = make_follow_up(world.passport, world.version)
    driver = _sign_in(page, world.manager.email)
    driver = page.open(f"/follow-ups/{item.id}?lang={lang}")
    due = driver.find_element(By.ID, "due_on")
    driver.execute_script("arguments[0].type = 'text'; arguments[0].value = 'soon';", due)
    _submit(driver)
    WebDriverWait(driver, 10).until(lambda d: d.find_elements(By.CSS_SELECTOR, ".error-summary"))
    summary = driver.find_element(By.CSS_SELECTOR, ".error-summary[role=alert]")
    summary.find_element(By.CSS_SELECTOR, "a[href='#due_on']").click()
    assert driver.switch_to.active_element.get_attribute("id") == "due_on"
    _assert_accessible(driver)
