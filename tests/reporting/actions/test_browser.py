"""The "you said, we did" pages and the export page in a real browser: axe-core (WCAG 2.1 A and
AA) in English and French, with and without errors; a new action recorded from the keyboard.
Uses the survey pages' browser fixtures (Chromium, axe-core)."""

from __future__ import annotations

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait

from feedback.extensions import db
from feedback.reporting.actions.models import ThemeAction
from tests.accounts.test_browser import _sign_in
from tests.reporting.actions.helpers import make_action
from tests.surveys.test_browser import _assert_accessible

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_action_pages_are_accessible(page, world, lang):
    action = make_action(world.passport, owner=world.manager)
    db.session.commit()
    _sign_in(page, world.manager.email)
    for path in [
        "/actions",
        "/actions/new",
        f"/actions/{action.id}",
        f"/actions/{action.id}/delete",
    ]:
        driver = page.open(f"{path}?lang={lang}")
        assert driver.find_element(By.TAG_NAME, "html").get_attribute("lang") == lang, path
        _assert_accessible(driver)
    # The form with its errors: the summary, each message tied to its input.
    driver = page.open(f"/actions/new?lang={lang}")
    driver.find_element(By.CSS_SELECTOR, "main form button[type=submit]").click()
    WebDriverWait(driver, 10).until(lambda d: d.find_elements(By.CLASS_NAME, "error-summary"))
    _assert_accessible(driver)


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_export_page_is_accessible(page, world, lang):
    _sign_in(page, world.analyst_in.email)
    driver = page.open(f"/exports/responses?lang={lang}")
    _assert_accessible(driver)
    driver = page.open(f"/exports/responses?lang={lang}&from=2026-03-31&to=2026-03-01")
    assert driver.find_elements(By.CLASS_NAME, "error-summary")
    _assert_accessible(driver)


def test_an_action_is_recorded_from_the_keyboard(page, world):
    driver = _sign_in(page, world.manager.email)
    page.open("/actions/new")
    driver.find_element(By.ID, "program").send_keys(Keys.ARROW_DOWN)  # the first program
    driver.find_element(By.ID, "theme").send_keys(Keys.ARROW_DOWN)  # the first theme
    driver.find_element(By.ID, "text_en").send_keys("Longer opening hours.")
    driver.find_element(By.ID, "text_fr").send_keys("Heures d'ouverture prolongées.")
    date_input = driver.find_element(By.ID, "action_date")
    driver.execute_script("arguments[0].value = '2026-05-01'", date_input)  # the picker's value
    date_input.send_keys(Keys.ENTER)  # submits the form, as Enter does in an input
    WebDriverWait(driver, 10).until(lambda d: d.current_url.endswith("/actions"))
    action = db.session.query(ThemeAction).one()
    assert action.text_fr == "Heures d'ouverture prolongées."
