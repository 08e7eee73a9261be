"""The questionnaire builder through the web client: start from a template, edit, reorder, be
refused publication with the list of what is missing, publish, start the next draft, preview;
and a manager of another program finds none of it."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest
from sqlalchemy import select

from feedback.accounts.models import Role
from feedback.accounts.services import create_user
from feedback.audit.models import AuditEvent
from feedback.extensions import db
from feedback.questionnaires import authoring
from feedback.questionnaires.authoring import QuestionSpec
from feedback.questionnaires.models import Questionnaire
from tests.governance.conftest import (
    PASSWORD,
    client_as,
    world,  # noqa: F401  (fixture)
)


@pytest.fixture()
def manager(app, world, monkeypatch):  # noqa: F811
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", False)
    return client_as(app, world.manager)


def _start(manager, template: str = "public-service-experience", code: str = "visit"):
    return manager.post(
        "/questionnaires/new",
        data={
            "program": "passport",
            "start": template,
            "code": code,
            "title_en": "",
            "title_fr": "",
        },
    )


def _questionnaire(code: str = "visit") -> Questionnaire:
    return db.session.scalar(select(Questionnaire).where(Questionnaire.code == code))


def test_start_from_the_template_and_list_it(manager):
    response = _start(manager)
    assert response.status_code == 303
    questionnaire = _questionnaire()
    assert response.headers["Location"] == f"/questionnaires/{questionnaire.id}/draft"
    draft = authoring.draft_of(questionnaire)
    assert draft.number == 1 and len(draft.questions) > 5
    assert draft.title_en and draft.title_fr
    page = manager.get(response.headers["Location"])
    assert page.status_code == 200
    assert "Move question 2 up" in page.text and "Publish version 1" in page.text
    listing = manager.get("/questionnaires")
    assert "visit" in listing.text and "after-contact" in listing.text


def test_start_from_scratch_with_a_taken_code_is_refused_beside_the_field(manager):
    response = _start(manager, template="", code="after-contact")
    assert response.status_code == 400
    assert 'href="#code"' in response.text
    assert "already has a questionnaire" in response.text


def test_edit_texts_add_edit_reorder_remove(manager):
    _start(manager, template="", code="visit")
    questionnaire = _questionnaire()
    base = f"/questionnaires/{questionnaire.id}/draft"
    response = manager.post(
        base,
        data={
            "title_en": "After your visit",
            "title_fr": "Après votre visite",
            "intro_en": "",
            "intro_fr": "",
        },
    )
    assert response.status_code == 303
    form = manager.get(f"{base}/questions/new?kind=single_choice")
    assert form.status_code == 200 and 'id="options-0-value"' in form.text
    assert 'id="options-1-value"' in form.text  # at least the kind's minimum
    response = manager.post(
        f"{base}/questions/new",
        data={
            "code": "how",
            "kind": "single_choice",
            "required": "y",
            "text_en": "How did you come?",
            "text_fr": "Comment êtes-vous venu?",
            "options-0-value": "car",
            "options-0-en": "By car",
            "options-0-fr": "En voiture",
            "options-1-value": "bus",
            "options-1-en": "By bus",
            "options-1-fr": "En autobus",
            "options-2-value": "",
            "options-2-en": "",
            "options-2-fr": "",
            "topic": "",
            "show_if_question": "",
        },
    )
    assert response.status_code == 303, response.text
    no_options = manager.get(f"{base}/questions/new?kind=rating")
    assert 'id="options-0-value"' not in no_options.text  # the kind has no options
    free_text = manager.get(f"{base}/questions/new?kind=free_text&lang=fr")
    assert "limitées à 2" in free_text.text  # what the kind says of its answers
    response = manager.post(
        f"{base}/questions/new",
        data={
            "code": "overall",
            "kind": "rating",
            "text_en": "Overall?",
            "text_fr": "Dans l'ensemble?",
            "topic": "overall",
            "show_if_question": "how",
            "show_if_values": ["how:bus"],
            "sms_en": "Overall, 1 to 5?",
            "sms_fr": "Dans l'ensemble, de 1 à 5?",
        },
    )
    assert response.status_code == 303, response.text
    draft = authoring.draft_of(questionnaire)
    overall = draft.questions[1]
    assert overall.show_if == {"question": "how", "values": ["bus"]}
    assert overall.topic == "overall" and overall.wordings["sms"]["fr"].startswith("Dans")

    # Moving overall above the question its condition names is refused, with the reason.
    refused = manager.post(f"{base}/questions/{overall.id}/move?lang=en", data={"direction": "up"})
    assert refused.status_code == 303
    assert "The question overall was not moved" in manager.get(base).text
    db.session.expire_all()
    assert [q.code for q in authoring.draft_of(questionnaire).questions] == ["how", "overall"]

    edit = manager.get(f"{base}/questions/{overall.id}")
    assert edit.status_code == 200 and 'value="overall"' in edit.text
    response = manager.post(
        f"{base}/questions/{overall.id}",
        data={
            "code": "overall",
            "kind": "rating",
            "text_en": "Overall, how satisfied?",
            "text_fr": "Dans l'ensemble, êtes-vous satisfait?",
            "topic": "overall",
            "show_if_question": "",
        },
    )
    assert response.status_code == 303, response.text
    moved = manager.post(f"{base}/questions/{overall.id}/move", data={"direction": "up"})
    assert moved.status_code == 303
    db.session.expire_all()
    draft = authoring.draft_of(questionnaire)
    assert [q.code for q in draft.questions] == ["overall", "how"]
    assert draft.questions[0].text_en == "Overall, how satisfied?"
    assert draft.questions[0].show_if is None

    removed = manager.post(f"{base}/questions/{overall.id}/remove")
    assert removed.status_code == 303
    db.session.expire_all()
    assert [q.code for q in authoring.draft_of(questionnaire).questions] == ["how"]
    actions = set(db.session.scalars(select(AuditEvent.action)))
    assert {
        "questionnaire.create",
        "questionnaire.add_question",
        "questionnaire.move_question",
        "questionnaire.edit_question",
        "questionnaire.remove_question",
    } <= actions


def test_publish_is_refused_with_the_list_then_accepted(manager):
    _start(manager, code="visit")
    questionnaire = _questionnaire()
    draft = authoring.draft_of(questionnaire)
    first = draft.questions[0]
    authoring.edit_question(
        first,
        replace(authoring.spec_of(first), text={"en": first.text_en, "fr": ""}),
    )
    db.session.commit()
    refused = manager.post(f"/questionnaires/{questionnaire.id}/publish")
    assert refused.status_code == 400
    assert "This version cannot be published yet" in refused.text
    link = f"/questionnaires/{questionnaire.id}/draft/questions/{first.id}#text_fr"
    assert f'href="{link}"' in refused.text
    assert "the French text is missing" in refused.text
    assert authoring.draft_of(questionnaire) is not None

    fixed = manager.post(
        f"/questionnaires/{questionnaire.id}/draft/questions/{first.id}",
        data={**_form_data(first), "text_fr": "Dans l'ensemble, êtes-vous satisfait?"},
    )
    assert fixed.status_code == 303, fixed.text
    published = manager.post(f"/questionnaires/{questionnaire.id}/publish")
    assert published.status_code == 303
    db.session.expire_all()
    assert authoring.latest_published(questionnaire).number == 1
    assert authoring.draft_of(questionnaire) is None
    overview = manager.get(f"/questionnaires/{questionnaire.id}")
    assert "Live version: 1" in overview.text
    # The published version's questions are no longer editable: their page leads back.
    assert (
        manager.get(f"/questionnaires/{questionnaire.id}/draft/questions/{first.id}").status_code
        == 303
    )

    # "Edit" starts the next draft, a copy.
    started = manager.post(f"/questionnaires/{questionnaire.id}/new-draft")
    assert started.status_code == 303
    db.session.expire_all()
    draft = authoring.draft_of(questionnaire)
    assert draft.number == 2 and len(draft.questions) == len(questionnaire.versions[0].questions)


def _form_data(question) -> dict[str, object]:
    from feedback.questionnaires.views.forms import QuestionForm

    data = QuestionForm.data_of(question)
    flat: dict[str, object] = {k: v for k, v in data.items() if k not in ("options", "required")}
    if question.required:
        flat["required"] = "y"
    for index, option in enumerate(data["options"]):
        for key in ("value", "en", "fr"):
            flat[f"options-{index}-{key}"] = option[key]
    return flat


def test_preview_shows_the_web_page_sms_and_voice(manager, world):  # noqa: F811
    _start(manager, code="visit")
    questionnaire = _questionnaire()
    page = manager.get(f"/questionnaires/{questionnaire.id}/versions/1/preview")
    assert page.status_code == 200
    assert page.text.count("<iframe") == 2 and 'width="390"' in page.text
    assert re.search(r"GSM-7|UCS-2", page.text)
    assert "segment" in page.text
    assert "Please answer with the keys of your phone" in page.text
    for lang, words in (("en", "Send my answers"), ("fr", "Envoyer mes réponses")):
        framed = manager.get(f"/questionnaires/{questionnaire.id}/versions/1/page/{lang}")
        assert framed.status_code == 200 and words in framed.text
        assert f'lang="{lang}"' in framed.text
        assert framed.headers["X-Frame-Options"] == "SAMEORIGIN"
        assert "frame-ancestors 'self'" in framed.headers["Content-Security-Policy"]
    # The published after-contact questionnaire, too.
    version = world.version
    assert (
        manager.get(
            f"/questionnaires/{version.questionnaire_id}/versions/{version.number}/preview"
        ).status_code
        == 200
    )


def test_a_manager_of_another_program_gets_404(app, world, manager):  # noqa: F811
    _start(manager, code="visit")
    questionnaire = _questionnaire()
    draft = authoring.draft_of(questionnaire)
    other = create_user(
        "other@example.org", PASSWORD, Role.PROGRAM_MANAGER, programs=["citizenship"]
    )
    db.session.commit()
    outsider = client_as(app, other)
    base = f"/questionnaires/{questionnaire.id}"
    question = draft.questions[0].id
    for url in (
        base,
        f"{base}/draft",
        f"{base}/draft/questions/{question}",
        f"{base}/versions/1/preview",
        f"{base}/versions/1/page/en",
        f"{base}/draft/questions/new",
    ):
        assert outsider.get(url).status_code == 404, url
    for url in (
        f"{base}/publish",
        f"{base}/new-draft",
        f"{base}/draft/questions/{question}/move",
        f"{base}/draft/questions/{question}/remove",
        f"{base}/draft",
    ):
        assert outsider.post(url).status_code == 404, url
    assert outsider.get("/questionnaires?program=passport").status_code == 404
    assert "visit" not in outsider.get("/questionnaires").text
    refused = outsider.post(
        "/questionnaires/new", data={"program": "passport", "start": "", "code": "x"}
    )
    assert refused.status_code == 400  # passport is not among the choices


def test_publish_is_refused_while_a_text_message_is_too_long(manager):
    _start(manager, template="", code="visit")
    questionnaire = _questionnaire()
    draft = authoring.draft_of(questionnaire)
    authoring.set_texts(draft, {"en": "Visit", "fr": "Visite"})
    long_en = "How satisfied are you with the service? " * 12
    question = authoring.add_question(
        draft,
        QuestionSpec(code="overall", kind="rating", text={"en": long_en, "fr": "Satisfait?"}),
    )
    db.session.commit()
    refused = manager.post(f"/questionnaires/{questionnaire.id}/publish")
    assert refused.status_code == 400
    link = f"/questionnaires/{questionnaire.id}/draft/questions/{question.id}#text_en"
    assert f'href="{link}"' in refused.text
    assert "segments (GSM-7), more than 2" in refused.text
    assert authoring.draft_of(questionnaire) is not None
    # An SMS wording that fits lets it through.
    authoring.edit_question(
        question,
        QuestionSpec(
            code="overall",
            kind="rating",
            text={"en": long_en, "fr": "Satisfait?"},
            wordings={"sms": {"en": "Satisfied?", "fr": "Satisfait?"}},
        ),
    )
    db.session.commit()
    assert manager.post(f"/questionnaires/{questionnaire.id}/publish").status_code == 303


def test_changing_the_kind_shows_its_fields_before_saving(manager):
    _start(manager, template="", code="visit")
    questionnaire = _questionnaire()
    draft = authoring.draft_of(questionnaire)
    question = authoring.add_question(
        draft, QuestionSpec(code="overall", kind="rating", text={"en": "Overall?", "fr": "Global?"})
    )
    db.session.commit()
    url = f"/questionnaires/{questionnaire.id}/draft/questions/{question.id}"
    assert 'id="options-0-value"' not in manager.get(url).text
    data = {**_form_data(question), "kind": "single_choice", "action": "refresh"}
    shown = manager.post(url, data=data)
    assert shown.status_code == 200 and 'id="options-1-value"' in shown.text
    db.session.expire_all()
    assert authoring.draft_of(questionnaire).questions[0].kind == "rating"  # not saved yet
