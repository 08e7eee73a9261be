"""The web survey at /s/<token>: states, languages, validation, CSRF and recording answers."""

from __future__ import annotations

import re
import threading
from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_babel import force_locale, gettext
from sqlalchemy import func, select

from feedback.invitations.models import Invitation, InvitationStatus, InvitationTransition
from feedback.responses.models import Answer, Response
from tests.surveys.helpers import FULL_ANSWERS, TOKEN, csrf_token, live_invitation

URL = f"/s/{TOKEN}"  # the link in the message: it redirects to FORM
FORM = "/s/"


def _responses(db) -> int:
    return db.session.scalar(select(func.count()).select_from(Response))


def _answers_by_code(db) -> dict[str, Answer]:
    response = db.session.scalars(select(Response)).one()
    return {a.question.code: a for a in response.answers}


def _post(client: FlaskClient, data: dict[str, str], url: str = URL):
    token = csrf_token(client.get(url, follow_redirects=True).get_data(as_text=True))
    return client.post(FORM, data={"csrf_token": token, **data})


def test_csrf_protection_is_on_in_tests(app: Flask):
    assert app.config.get("WTF_CSRF_ENABLED", True) is True


def test_get_renders_every_question_and_marks_the_invitation_opened(client, db):
    version, invitation = live_invitation()
    page = client.get(URL, follow_redirects=True)
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert page.headers["Cache-Control"] == "no-store"
    assert page.headers["Referrer-Policy"] == "no-referrer"
    assert '<html lang="en">' in html
    for number, question in enumerate(version.questions, 1):
        assert question.text_en.replace("'", "&#39;") in html
        assert f"Question {number} of 5" in html
    assert html.count("<fieldset") == 4  # four radio groups; the free-text question has a label
    assert 'value="online"' in html and "By phone" in html
    assert "1 – Very poor" in html and "5 – Very good" in html
    assert "0 – Not at all likely" in html and "10 – Extremely likely" in html
    assert "Do not include personal information" in html and "up to 2,000 characters" in html
    assert 'href="/privacy"' in html
    toggle = '<a class="site-header__language" href="?lang=fr" lang="fr" hreflang="fr">Français</a>'
    assert toggle in html

    db.session.expire_all()
    invitation = db.session.get(Invitation, invitation.id)
    assert invitation.status is InvitationStatus.OPENED
    assert invitation.opened_at is not None
    assert invitation.email == "client1@example.org"  # kept until the survey is answered

    client.get(URL, follow_redirects=True)
    opened = db.session.scalars(
        select(InvitationTransition).where(
            InvitationTransition.to_status == InvitationStatus.OPENED
        )
    ).all()
    assert len(opened) == 1


@pytest.mark.parametrize(
    ("invitation_language", "query"), [("en", "?lang=fr"), ("fr", "")], ids=["toggle", "invited"]
)
def test_questions_are_shown_in_french(client, db, invitation_language, query):
    version, _ = live_invitation(language=invitation_language)
    html = client.get(URL + query, follow_redirects=True).get_data(as_text=True)
    assert '<html lang="fr">' in html
    for question in version.questions:
        assert question.text_fr.replace("'", "&#39;") in html
        assert question.text_en.replace("'", "&#39;") not in html
    assert "Par téléphone" in html and "En ligne" in html
    assert "Comment avons-nous fait?" in html
    assert 'lang="en" hreflang="en">English</a>' in html


def test_explicit_english_wins_over_a_french_invitation(client, db):
    version, _ = live_invitation(language="fr")
    html = client.get(URL + "?lang=en", follow_redirects=True).get_data(as_text=True)
    assert '<html lang="en">' in html
    assert version.questions[-1].text_en in html


def test_unknown_token_is_a_friendly_404(client, db):
    live_invitation()
    page = client.get("/s/not-a-real-token")
    assert page.status_code == 404
    assert "We cannot find this survey" in page.get_data(as_text=True)


@pytest.mark.parametrize(
    "kwargs",
    [{"status": "expired"}, {"expires_in": timedelta(minutes=-1)}],
    ids=["status-expired", "past-expires-at"],
)
def test_expired_survey_is_gone(client, db, kwargs):
    _, invitation = live_invitation(**kwargs)
    page = client.get(URL, follow_redirects=True)
    assert page.status_code == 410
    assert "This survey has closed" in page.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Invitation, invitation.id).opened_at is None


@pytest.mark.parametrize("status", ["opted_out", "failed"])
def test_stopped_survey_is_gone(client, db, status):
    live_invitation(status=status)
    page = client.get(URL, follow_redirects=True)
    assert page.status_code == 410
    assert "This survey is no longer available" in page.get_data(as_text=True)


def test_completed_survey_thanks_the_client_again(client, db):
    live_invitation(status="completed")
    page = client.get(URL, follow_redirects=True)
    assert page.status_code == 200
    assert "You have already answered this survey" in page.get_data(as_text=True)


def test_post_without_csrf_token_is_refused(client, db):
    _, invitation = live_invitation()
    client.get(URL, follow_redirects=True)
    page = client.post(FORM, data=FULL_ANSWERS)
    html = page.get_data(as_text=True)
    assert page.status_code == 400
    assert "your session timed out" in html
    assert re.search(r'checked[^>]*value="online"', html), "answers are kept for a resubmit"
    assert _responses(db) == 0
    db.session.expire_all()
    assert db.session.get(Invitation, invitation.id).status is InvitationStatus.OPENED


def test_missing_required_answer_shows_errors_and_keeps_the_other_answers(client, db):
    live_invitation()
    answers = {k: v for k, v in FULL_ANSWERS.items() if k != "q_overall"}
    page = _post(client, answers)
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "<title>Error: How did we do?" in html
    summary = re.search(r'<div class="error-summary" role="alert".*?</div>', html, re.S)
    assert summary, "no error summary"
    assert '<a href="#q_overall-0">Select an answer to question 1.</a>' in summary.group(0)
    assert 'aria-describedby="q_overall-error"' in html
    assert 'id="q_overall-error"' in html
    assert html.count('aria-invalid="true"') == 5  # every radio of question 1, nothing else
    assert re.search(r'checked[^>]*id="q_recommend-9"', html)
    assert re.search(r'checked[^>]*id="q_resolved-0"', html)
    assert re.search(r'checked[^>]*value="online"', html)
    assert "Shorter queues, please.</textarea>" in html
    assert _responses(db) == 0


def test_too_long_comment_and_tampered_choice_are_refused(client, db):
    live_invitation()
    page = _post(
        client,
        {**FULL_ANSWERS, "q_how": "by-pigeon", "q_recommend": "eleven", "q_comment": "x" * 2001},
    )
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Select an answer to question 2." in html
    assert "Select an answer to question 4." in html
    assert "Your answer to question 5 must be 2,000 characters or fewer." in html
    assert 'aria-describedby="q_comment-hint q_comment-error"' in html
    assert _responses(db) == 0


def test_valid_answers_are_recorded_once_and_contact_details_purged(client, db):
    _, invitation = live_invitation()
    page = _post(client, FULL_ANSWERS)
    assert page.status_code == 303
    assert page.headers["Location"] == "/s/done?lang=en"
    assert TOKEN not in page.headers["Location"]

    answers = _answers_by_code(db)
    assert answers["overall"].value_int == 4
    assert answers["recommend"].value_int == 9
    assert answers["resolved"].value_int == 1
    assert answers["how"].value_choice == "online" and answers["how"].value_int is None
    assert answers["comment"].value_text == "Shorter queues, please."
    response = db.session.scalars(select(Response)).one()
    assert response.is_complete and response.language == "en"
    invitation = db.session.get(Invitation, invitation.id)
    assert invitation.status is InvitationStatus.COMPLETED
    assert invitation.completed_at is not None
    assert invitation.email is None

    thanks = client.get(page.headers["Location"])
    assert "Thank you for your feedback" in thanks.get_data(as_text=True)


def test_a_second_submit_records_nothing_more(client, db):
    live_invitation()
    token = csrf_token(client.get(URL, follow_redirects=True).get_data(as_text=True))
    first = client.post(FORM, data={"csrf_token": token, **FULL_ANSWERS})
    second = client.post(
        FORM, data={"csrf_token": token, **FULL_ANSWERS, "q_overall": "1", "q_resolved": "0"}
    )
    assert first.status_code == 303
    assert second.status_code == 200
    assert "You have already answered this survey" in second.get_data(as_text=True)
    assert _responses(db) == 1
    answers = _answers_by_code(db)
    assert answers["overall"].value_int == 4 and answers["resolved"].value_int == 1


def test_optional_questions_may_be_skipped_and_no_means_zero(client, db):
    live_invitation(language="fr")
    page = _post(client, {"q_overall": "2", "q_resolved": "0", "q_comment": "   "})
    assert page.headers["Location"] == "/s/done?lang=fr"
    answers = _answers_by_code(db)
    assert set(answers) == {"overall", "resolved"}
    assert answers["resolved"].value_int == 0
    assert db.session.scalars(select(Response)).one().language == "fr"


def test_simultaneous_submits_record_one_response(app, db):
    """Two tabs sending at once: one response, and the other tab is told it was received."""
    live_invitation()
    barrier = threading.Barrier(2)
    statuses: list[int] = []

    def open_then_submit() -> None:
        # Each thread has its own app context, as two requests to the server would.
        client = app.test_client()
        token = csrf_token(client.get(URL, follow_redirects=True).get_data(as_text=True))
        barrier.wait()
        statuses.append(client.post(FORM, data={"csrf_token": token, **FULL_ANSWERS}).status_code)

    threads = [threading.Thread(target=open_then_submit) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses) == [200, 303]
    assert _responses(db) == 1


@pytest.mark.parametrize(("query", "language"), [("", "en"), ("?lang=fr", "fr")])
def test_privacy_page_in_both_languages(client, db, query, language):
    # One request per test: requests made from a test share its app context, and with it
    # Flask-Babel's cached locale.
    html = client.get("/privacy" + query).get_data(as_text=True)
    with force_locale(language):
        heading = gettext("Privacy notice")
    assert f'<html lang="{language}">' in html
    assert f"<h1>{heading}</h1>" in html
