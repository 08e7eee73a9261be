"""The questionnaire builder and the program pages in a real browser: axe-core (WCAG 2.1 A and
AA) in English and French; the publish gate's list leads to the field to fix; questions move
with the keyboard alone. Uses the survey pages' browser fixtures (Chromium, axe-core)."""

from __future__ import annotations

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support.ui import WebDriverWait

from feedback.extensions import db
from feedback.questionnaires import authoring
from feedback.questionnaires.authoring import QuestionSpec
from tests.accounts.test_browser import _sign_in
from tests.governance.conftest import world  # noqa: F401  (fixture)
from tests.surveys.test_browser import _assert_accessible, browser, page, server  # noqa: F401

pytestmark = pytest.mark.browser


@pytest.fixture()
def draft(world):  # noqa: F811
    """A draft of passport's with a choice question and a rating whose French text is missing."""
    version = authoring.create_questionnaire(
        world.passport, "visit", {"en": "After your visit", "fr": "Après votre visite"}
    )
    authoring.add_question(
        version,
        QuestionSpec(
            code="how",
            kind="single_choice",
            text={"en": "How did you come?", "fr": "Comment êtes-vous venu?"},
            options=[
                {"value": "car", "en": "By car", "fr": "En voiture"},
                {"value": "bus", "en": "By bus", "fr": "En autobus"},
            ],
        ),
    )
    authoring.add_question(
        version,
        QuestionSpec(code="overall", kind="rating", text={"en": "Overall?", "fr": ""}),
    )
    world.passport.contact_types = [{"code": "call", "en": "Call", "fr": "Appel"}]
    db.session.commit()
    return version


def _paths(world, draft) -> list[str]:  # noqa: F811
    base = f"/questionnaires/{draft.questionnaire_id}"
    return [
        "/programs",
        f"/programs/{world.passport.id}",
        "/questionnaires",
        "/questionnaires/new",
        base,
        f"{base}/draft",
        f"{base}/draft/questions/{draft.questions[0].id}",
        f"{base}/draft/questions/new?kind=rating",
        f"{base}/versions/1/preview",
        f"{base}/versions/1/page/fr",
    ]


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_builder_pages_are_accessible(page, world, draft, lang):  # noqa: F811
    _sign_in(page, world.manager.email)
    for path in _paths(world, draft):
        separator = "&" if "?" in path else "?"
        driver = page.open(f"{path}{separator}lang={lang}")
        if not path.endswith("/page/fr"):
            assert driver.find_element(By.TAG_NAME, "html").get_attribute("lang") == lang, path
        _assert_accessible(driver)


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_the_publish_gate_lists_what_is_missing_and_leads_to_it(page, world, draft, lang):  # noqa: F811
    driver = _sign_in(page, world.manager.email)
    page.open(f"/questionnaires/{draft.questionnaire_id}/draft?lang={lang}")
    driver.find_element(By.CSS_SELECTOR, "form[action$='/publish'] button").click()
    WebDriverWait(driver, 10).until(lambda d: d.find_elements(By.CSS_SELECTOR, ".error-summary"))
    summary = driver.find_element(By.CSS_SELECTOR, ".error-summary[role=alert]")
    links = summary.find_elements(By.TAG_NAME, "a")
    assert len(links) == 1 and "(overall)" in links[0].text
    _assert_accessible(driver)
    links[0].click()
    WebDriverWait(driver, 10).until(lambda d: "#text_fr" in d.current_url)
    field = driver.find_element(By.ID, "text_fr")
    assert field.get_attribute("value") == ""
    field.send_keys("Dans l'ensemble, êtes-vous satisfait?")
    driver.find_element(By.CSS_SELECTOR, "main form button.button:not(.button--secondary)").click()
    WebDriverWait(driver, 10).until(lambda d: d.current_url.split("#")[0].endswith("/draft"))
    driver.find_element(By.CSS_SELECTOR, "form[action$='/publish'] button").click()
    WebDriverWait(driver, 10).until(
        lambda d: d.current_url.endswith(f"/questionnaires/{draft.questionnaire_id}")
    )
    _assert_accessible(driver)
    db.session.expire_all()
    assert authoring.latest_published(draft.questionnaire).number == 1


def test_questions_move_with_the_keyboard(page, world, draft):  # noqa: F811
    driver: WebDriver = _sign_in(page, world.manager.email)
    page.open(f"/questionnaires/{draft.questionnaire_id}/draft")
    button = driver.find_element(By.XPATH, "//button[normalize-space()='Move question 2 up']")
    button.send_keys(Keys.ENTER)
    WebDriverWait(driver, 10).until(lambda d: d.find_elements(By.CSS_SELECTOR, ".notice"))
    db.session.expire_all()
    assert [q.code for q in authoring.draft_of(draft.questionnaire).questions] == ["overall", "how"]


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_the_program_form_with_errors_is_accessible(page, world, draft, lang):  # noqa: F811
    driver = _sign_in(page, world.manager.email)
    page.open(f"/programs/{world.passport.id}?lang={lang}")
    driver.find_element(By.ID, "name_fr").clear()
    driver.find_element(By.CSS_SELECTOR, "main form button[type=submit]").click()
    WebDriverWait(driver, 10).until(lambda d: d.find_elements(By.CSS_SELECTOR, ".error-summary"))
    summary = driver.find_element(By.CSS_SELECTOR, ".error-summary[role=alert]")
    summary.find_element(By.CSS_SELECTOR, "a[href='#name_fr']").click()
    assert driver.switch_to.active_element.get_attribute("id") == "name_fr"
    _assert_accessible(driver)
