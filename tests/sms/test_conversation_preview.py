"""The builder's preview of an SMS conversation: the texts in the order a client receives them,
each with its segments, and the questions whose text message is over the budget."""

from __future__ import annotations

from dataclasses import replace

from feedback.extensions import db as _db
from feedback.questionnaires import authoring
from feedback.sms.preview import budget_problems, conversation
from feedback.sms.segments import Encoding
from tests.factories import make_program, make_questionnaire


def test_the_conversation_in_order_with_the_first_question_in_the_invitation(app, db):
    version = make_questionnaire(make_program())
    total = len(version.questions)
    with app.test_request_context():
        texts = conversation(version, "fr")
    assert texts[0].step == "invitation" and texts[-1].step == "thanks"
    asked = [t.number for t in texts if t.step == "question"]
    first = 1 if asked[0] == 1 else 2
    assert asked == list(range(first, total + 1))
    if first == 2:  # the invitation carries question 1
        assert f"(1/{total})" in texts[0].text
    assert all(t.language == "fr" for t in texts)
    assert texts[1].count.encoding in (Encoding.GSM7, Encoding.UCS2)


def test_a_question_over_the_budget_is_named_by_the_text_it_uses(app, db):
    version = make_questionnaire(make_program())
    with app.test_request_context():
        assert budget_problems(version) == {}
    draft = authoring.new_draft(version.questionnaire)
    question = draft.questions[0]
    long_fr = "Êtes-vous satisfait du service? " * 8
    spec = authoring.spec_of(question)
    authoring.edit_question(question, replace(spec, text={"en": question.text_en, "fr": long_fr}))
    _db.session.flush()
    with app.test_request_context():
        problems = budget_problems(draft)
    assert list(problems) == ["questions.1.text.fr"]
    assert "UCS-2" in problems["questions.1.text.fr"]
    authoring.edit_question(
        question,
        replace(
            spec,
            text={"en": question.text_en, "fr": long_fr},
            wordings={"sms": {"en": "Satisfied?", "fr": long_fr}},
        ),
    )
    with app.test_request_context():
        assert list(budget_problems(draft)) == ["questions.1.wordings.sms.fr"]
