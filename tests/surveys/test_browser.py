"""The survey pages in a real browser: axe-core (WCAG 2.1 A and AA), a 320 px phone, keyboard use.

Debian's chromium and chromedriver drive the pages; axe-core comes from npm (`npm install` at the
repository root). When one of them is missing these tests fail under CI and skip, saying why,
elsewhere.
"""

from __future__ import annotations

import json
import os
import shutil
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from flask import Flask
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support.ui import WebDriverWait
from sqlalchemy import select
from werkzeug.serving import make_server

from feedback.consent.codes import unsubscribe_code
from feedback.responses.models import Response
from tests.factories import make_program, make_rule, make_sent_invitation
from tests.questionnaires.helpers import conditional
from tests.surveys.helpers import TOKEN, live_invitation

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
AXE = ROOT / "node_modules/axe-core/axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
CHROME_FLAGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--window-size=1024,900",
]


def _missing_tools() -> list[str]:
    missing = []
    if not CHROMIUM.exists():
        missing.append(f"{CHROMIUM} (apt-get install chromium)")
    if not CHROMEDRIVER.exists():
        missing.append(f"{CHROMEDRIVER} (apt-get install chromium-driver)")
    if not AXE.exists():
        missing.append(f"{AXE} (run `npm install` at the repository root)")
    return missing


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WebDriver]:
    missing = _missing_tools()
    if missing:
        message = "browser tests need " + ", ".join(missing)
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in CHROME_FLAGS:
        options.add_argument(flag)
    profile = tmp_path_factory.mktemp("chromium-profile")
    options.add_argument(f"--user-data-dir={profile}")
    driver = webdriver.Chrome(options=options, service=Service(executable_path=str(CHROMEDRIVER)))
    driver.set_script_timeout(60)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


@pytest.fixture(scope="module")
def server(app: Flask) -> Iterator[str]:
    """The app served over HTTP on a free loopback port, in a thread."""
    http = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=http.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{http.server_port}"
    finally:
        http.shutdown()
        thread.join()


@dataclass
class Page:
    driver: WebDriver
    base_url: str

    def open(self, path: str) -> WebDriver:
        self.driver.get(self.base_url + path)
        return self.driver


@pytest.fixture()
def page(browser: WebDriver, server: str, db: object) -> Page:
    """A fresh browser session (no cookies, so no remembered language) at the normal size."""
    browser.delete_all_cookies()
    browser.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
    return Page(browser, server)


def _assert_accessible(driver: WebDriver) -> None:
    driver.execute_script(AXE.read_text(encoding="utf-8"))
    result = driver.execute_async_script(
        """
        const done = arguments[arguments.length - 1];
        axe.run(document, {runOnly: {type: "tag", values: arguments[0]}})
           .then(r => done({violations: r.violations.map(v => ({
               id: v.id, impact: v.impact, help: v.help,
               nodes: v.nodes.map(n => ({target: n.target, summary: n.failureSummary}))}))}))
           .catch(e => done({error: String(e)}));
        """,
        AXE_TAGS,
    )
    assert "error" not in result, f"axe-core failed to run: {result.get('error')}"
    violations = result["violations"]
    assert not violations, f"axe-core found violations on {driver.current_url}:\n" + json.dumps(
        violations, indent=2, ensure_ascii=False
    )


@pytest.mark.parametrize(
    ("invited_in", "query", "shown_in"),
    [("en", "", "en"), ("fr", "", "fr"), ("en", "?lang=fr", "fr")],
    ids=["en", "fr", "toggle"],
)
def test_survey_form_is_accessible(page, invited_in, query, shown_in):
    version, _ = live_invitation(language=invited_in)
    driver = page.open(f"/s/{TOKEN}{query}")
    assert driver.find_element(By.TAG_NAME, "html").get_attribute("lang") == shown_in
    legend = driver.find_element(By.CSS_SELECTOR, "legend .question__text").text
    assert legend.startswith(version.questions[0].text(shown_in))
    _assert_accessible(driver)


def test_form_with_errors_is_accessible(page):
    live_invitation()
    driver = page.open(f"/s/{TOKEN}")
    driver.find_element(By.CSS_SELECTOR, "label[for=q_recommend-8]").click()
    driver.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    WebDriverWait(driver, 10).until(lambda d: d.title.startswith("Error: "))
    summary = driver.find_element(By.CSS_SELECTOR, ".error-summary[role=alert]")
    summary.find_element(By.CSS_SELECTOR, "a[href='#q_overall-0']").click()
    assert driver.switch_to.active_element.get_attribute("id") == "q_overall-0"
    assert driver.find_element(By.ID, "q_recommend-8").is_selected()
    _assert_accessible(driver)


@pytest.mark.parametrize(
    ("path", "heading"),
    [("/s/done?lang=en", "Thank you for your feedback"), ("/privacy", "Privacy notice")],
    ids=["thanks", "privacy"],
)
def test_message_pages_are_accessible(page, path, heading):
    driver = page.open(path)
    assert driver.find_element(By.TAG_NAME, "h1").text == heading
    _assert_accessible(driver)


def test_expired_page_is_accessible(page):
    live_invitation(status="expired")
    driver = page.open(f"/s/{TOKEN}")
    assert driver.find_element(By.TAG_NAME, "h1").text == "This survey has closed"
    _assert_accessible(driver)


def test_unsubscribe_pages_are_accessible(page):
    _, invitation = live_invitation()
    driver = page.open(f"/u/{unsubscribe_code(invitation.id)}")
    _assert_accessible(driver)
    driver.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    # Wait on the title: an element found while the page changes can go stale under the wait.
    WebDriverWait(driver, 10).until(lambda d: d.title.startswith("You are unsubscribed"))
    _assert_accessible(driver)


def test_form_fits_a_320_pixel_phone(page):
    live_invitation()
    page.driver.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": 320, "height": 640, "deviceScaleFactor": 2, "mobile": True},
    )
    driver = page.open(f"/s/{TOKEN}")
    assert driver.execute_script("return window.innerWidth") == 320
    scroll_width = driver.execute_script("return document.documentElement.scrollWidth")
    assert scroll_width <= 320, f"the page scrolls sideways: {scroll_width} px wide"
    choice = driver.find_element(By.CSS_SELECTOR, ".choice").size
    assert choice["height"] >= 44, "touch targets should be at least 44 px tall"


def test_survey_can_be_answered_with_the_keyboard_alone(page, db):
    live_invitation()
    driver = page.open(f"/s/{TOKEN}")
    driver.execute_script("document.getElementById('q_overall-0').focus()")
    keys = ActionChains(driver)
    keys.send_keys(Keys.SPACE)  # choose 1
    keys.send_keys(Keys.ARROW_DOWN, Keys.ARROW_DOWN, Keys.ARROW_DOWN)  # move the choice to 4
    keys.send_keys(Keys.TAB * 5)  # questions 2, 3, 4, the comment box, the button
    keys.perform()
    focused = driver.switch_to.active_element
    assert focused.get_attribute("type") == "submit", focused.get_attribute("outerHTML")
    ActionChains(driver).send_keys(Keys.ENTER).perform()
    WebDriverWait(driver, 10).until(lambda d: d.title.startswith("Thank you for your feedback"))
    assert TOKEN not in driver.current_url
    response = db.session.scalars(select(Response)).one()
    [answer] = response.answers
    assert answer.question.code == "overall" and answer.value_int == 4


def test_a_conditional_question_appears_when_it_applies(page, db):
    """Hidden by CSS alone (no script) until a choice it depends on is checked; out of the
    keyboard's way and of the accessibility tree while hidden; accessible either way."""
    program = make_program()
    version = conditional(program)
    make_rule(program, version)
    db.session.commit()
    make_sent_invitation(version, TOKEN)
    driver = page.open(f"/s/{TOKEN}")
    why = driver.find_element(By.ID, "q_why-0")
    other = driver.find_element(By.ID, "q_other")
    praise = driver.find_element(By.ID, "q_praise")
    assert not why.is_displayed() and not other.is_displayed() and not praise.is_displayed()
    _assert_accessible(driver)

    driver.find_element(By.CSS_SELECTOR, "label[for=q_resolved-1]").click()  # No
    assert why.is_displayed() and not other.is_displayed()
    note = driver.find_element(By.ID, "q_why-condition")
    assert note.text == "Answer this question only if you chose “No” in question 1."
    driver.find_element(By.CSS_SELECTOR, "label[for=q_why-2]").click()  # Something else
    assert other.is_displayed()
    driver.find_element(By.CSS_SELECTOR, "label[for=q_resolved-0]").click()  # Yes after all
    assert not why.is_displayed() and not other.is_displayed()  # the chain hides as a whole
    driver.find_element(By.CSS_SELECTOR, "label[for=q_rating-4]").click()  # 5
    assert praise.is_displayed()
    _assert_accessible(driver)

    # The keyboard goes from the rating to the praise box, past nothing hidden.
    driver.execute_script("document.getElementById('q_resolved-0').focus()")
    ActionChains(driver).send_keys(Keys.TAB).perform()
    assert driver.switch_to.active_element.get_attribute("name") == "q_rating"
    ActionChains(driver).send_keys(Keys.TAB).perform()
    assert driver.switch_to.active_element.get_attribute("id") == "q_praise"
    praise.send_keys("Kind staff")
    driver.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    WebDriverWait(driver, 10).until(lambda d: d.title.startswith("Thank you for your feedback"))
    response = db.session.scalars(select(Response)).one()
    # The reason ticked while "why" applied was sent, and discarded: it no longer applies.
    assert sorted(answer.question.code for answer in response.answers) == [
        "praise",
        "rating",
        "resolved",
    ]
