"""A published questionnaire version never changes."""

from __future__ import annotations

import pytest

from feedback.questionnaires.models import PublishedVersionError, Question
from tests.factories import make_program, make_questionnaire


def test_editing_a_published_question_is_refused(db):
    version = make_questionnaire(make_program())
    db.session.commit()
    version.questions[0].text_en = "Changed"
    with pytest.raises(PublishedVersionError):
        db.session.flush()
    db.session.rollback()
    assert version.questions[0].text_en.startswith("Overall")


def test_adding_a_question_to_a_published_version_is_refused(db):
    version = make_questionnaire(make_program())
    db.session.commit()
    db.session.add(
        Question(
            version=version,
            position=9,
            code="new",
            kind="free_text",
            text_en="New?",
            text_fr="Nouveau?",
        )
    )
    with pytest.raises(PublishedVersionError):
        db.session.flush()
    db.session.rollback()


def test_unpublishing_is_refused(db):
    version = make_questionnaire(make_program())
    db.session.commit()
    version.published_at = None
    with pytest.raises(PublishedVersionError):
        db.session.flush()
    db.session.rollback()


def test_a_draft_can_be_edited_then_published(db):
    from feedback.questionnaires.models import Questionnaire, QuestionnaireVersion

    program = make_program()
    draft = QuestionnaireVersion(
        questionnaire=Questionnaire(
            program_id=program.id, code="draft", title_en="T", title_fr="T"
        ),
        number=1,
    )
    draft.questions = [Question(position=1, code="a", kind="rating", text_en="A?", text_fr="A?")]
    db.session.add(draft)
    db.session.commit()
    draft.questions[0].text_fr = "A (fr)?"
    db.session.commit()
    from feedback.db_types import utcnow

    draft.published_at = utcnow()
    db.session.commit()
    assert draft.is_published
