"""The builder's preview of an automated call: what it says, in order, in one language."""

from __future__ import annotations

from feedback.voice.preview import prompts
from tests.factories import make_program, make_questionnaire


def test_the_phone_prompts_in_order(app, db):
    version = make_questionnaire(make_program())
    with app.test_request_context():
        said = prompts(version, "en")
    assert len(said) == len(version.questions) + 2
    assert "Thank you for taking our short survey" in said[0].text
    assert version.questions[0].text_en in said[1].text and "Press" in said[1].text
    assert said[-1].text == "Thank you for your answers. Goodbye."
    assert {speech.language for speech in said} == {"en"}
