"""The template library: what the builder lists, and the public service experience
questionnaire, which imports, publishes, tags every question for reporting and fits a text."""

from __future__ import annotations

import json
from importlib.resources import files

import pytest
from flask_babel import force_locale

from feedback.conversations.texts import question_prompt
from feedback.invitations.messages import as_channel_question
from feedback.questionnaires import authoring, library, topics, transfer
from feedback.sms.segments import Encoding, count_segments
from tests.factories import make_program

NAME = "public-service-experience"


def test_the_builder_lists_every_template_with_a_title_and_description_in_both_languages():
    listed = {template.name: template for template in library.templates()}
    assert set(listed) == set(library.names()) >= {NAME, "after-contact"}
    for template in listed.values():
        for texts in (template.title, template.description):
            assert texts["en"].strip() and texts["fr"].strip()
            assert texts["en"] != texts["fr"]
    ours = listed[NAME]
    assert ours.title_in("fr") == "Expérience du service public"
    assert ours.description_in("en").startswith("Overall satisfaction and its usual drivers")
    assert ours.questions == 11


def test_a_template_as_a_document_leaves_the_listing_out():
    document = library.template(NAME)
    assert "library" not in document
    assert transfer.parse(json.dumps(document)) == document
    # The file itself may be imported as it is: the schema knows the listing.
    raw = json.loads(files(library).joinpath(f"{NAME}.json").read_text("utf-8"))
    assert transfer.parse(json.dumps(raw))["library"]["title"]["en"]


@pytest.fixture()
def published(db):
    make_program()
    version = transfer.import_document(library.template(NAME), publish=True)
    db.session.commit()
    return version


def test_it_imports_and_publishes(published):
    assert published.is_published
    assert authoring.publication_problems(published) == {}
    assert published.title_en == "Tell us about your experience"
    assert published.title_fr == "Parlez-nous de votre expérience"


def test_every_question_has_its_topic_and_every_driver_is_there(published):
    by_topic = {question.topic: question for question in published.questions}
    assert len(by_topic) == len(published.questions)  # one topic each, none twice
    assert set(by_topic) == {"overall", "effort", "improve", *topics.DRIVERS}
    assert by_topic["overall"].required and by_topic["overall"].kind == "rating"
    assert by_topic["effort"].kind == "effort"
    assert by_topic["improve"].kind == "free_text"
    assert published.questions[0] is by_topic["overall"]


def test_the_french_is_written_not_copied(published):
    for question in published.questions:
        assert question.text_en.strip() and question.text_fr.strip()
        assert question.text_en != question.text_fr
        for option in question.options:
            assert option["en"] != option["fr"]


@pytest.mark.parametrize("language", ["en", "fr"])
def test_every_text_message_prompt_fits_one_segment(app, published, language):
    questions = [as_channel_question(q, "sms") for q in published.questions]
    with app.test_request_context(), force_locale(language):
        for number, question in enumerate(questions, 1):
            prompt = question_prompt(question, number, len(questions), language)
            count = count_segments(prompt)
            assert count.encoding is Encoding.GSM7, (question.code, count.non_gsm)
            assert count.segments == 1, (question.code, count.units, prompt)
