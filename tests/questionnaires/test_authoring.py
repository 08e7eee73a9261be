"""Authoring services: a draft's questions, the publish gate, and the next draft."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from feedback.questionnaires import authoring
from feedback.questionnaires.authoring import AuthoringError, QuestionSpec
from feedback.questionnaires.models import PublishedVersionError, Question, QuestionnaireVersion
from tests.factories import make_program

TITLE = {"en": "How did we do?", "fr": "Comment avons-nous fait?"}
CHOICES = (
    {"value": "phone", "en": "By phone", "fr": "Par téléphone"},
    {"value": "online", "en": "Online", "fr": "En ligne"},
)


def spec(code: str, kind: str = "rating", **overrides) -> QuestionSpec:
    values = {"text": {"en": f"{code} (en)?", "fr": f"{code} (fr)?"}, **overrides}
    if kind in ("single_choice", "multiple_choice") and "options" not in overrides:
        values["options"] = CHOICES
    return QuestionSpec(code=code, kind=kind, **values)


def draft_with(*codes_and_kinds: tuple[str, str]) -> QuestionnaireVersion:
    draft = authoring.create_questionnaire(make_program(), "survey", TITLE)
    for code, kind in codes_and_kinds:
        authoring.add_question(draft, spec(code, kind))
    return draft


def layout(version: QuestionnaireVersion) -> list[tuple[int, str]]:
    return [(q.position, q.code) for q in version.questions]


def stored_layout(db, version: QuestionnaireVersion) -> list[tuple[int, str]]:
    """The positions as the database holds them (not as the session remembers them)."""
    rows = db.session.execute(
        select(Question.position, Question.code)
        .where(Question.version_id == version.id)
        .order_by(Question.position)
    )
    return [tuple(row) for row in rows]


FIVE = (
    ("overall", "rating"),
    ("recommend", "nps"),
    ("resolved", "yes_no"),
    ("how", "single_choice"),
    ("comment", "free_text"),
)


def test_create_gives_a_first_draft(db):
    draft = authoring.create_questionnaire(make_program(), "survey", TITLE, {"en": "Hi"})
    db.session.commit()
    assert (draft.number, draft.is_published, draft.questions) == (1, False, [])
    assert (draft.questionnaire.title_fr, draft.intro_en, draft.intro_fr) == (TITLE["fr"], "Hi", "")
    assert authoring.draft_of(draft.questionnaire) is draft


def test_create_refuses_a_bad_or_taken_code_and_a_long_title(db):
    program = make_program()
    authoring.create_questionnaire(program, "survey", TITLE)
    with pytest.raises(AuthoringError) as taken:
        authoring.create_questionnaire(program, "survey", TITLE)
    assert list(taken.value.errors) == ["code"] and "already" in taken.value.errors["code"]
    with pytest.raises(AuthoringError) as bad:
        authoring.create_questionnaire(program, "Bad Code", {"en": "x" * 201, "fr": "T"})
    assert set(bad.value.errors) == {"code", "title.en"}


def test_questions_are_added_in_order_and_at_a_position(db):
    draft = draft_with(*FIVE)
    assert layout(draft) == [
        (1, "overall"), (2, "recommend"), (3, "resolved"), (4, "how"), (5, "comment"),
    ]  # fmt: skip
    authoring.add_question(draft, spec("effort", "effort"), position=2)
    db.session.commit()
    expected = ["overall", "effort", "recommend", "resolved", "how", "comment"]
    assert layout(draft) == list(enumerate(expected, 1))
    assert stored_layout(db, draft) == list(enumerate(expected, 1))
    how = draft.questions[4]
    assert (how.kind, how.options) == ("single_choice", [dict(o) for o in CHOICES])


def test_reorder_move_and_remove_keep_positions_one_to_n(db):
    draft = draft_with(*FIVE)
    authoring.reorder(draft, ["comment", "how", "resolved", "recommend", "overall"])
    assert layout(draft) == list(
        enumerate(["comment", "how", "resolved", "recommend", "overall"], 1)
    )
    overall = draft.questions[-1]
    authoring.move_question(overall, 1)
    assert layout(draft) == list(
        enumerate(["overall", "comment", "how", "resolved", "recommend"], 1)
    )
    authoring.move_question(overall, 99)  # clamped to the end
    assert [code for _, code in layout(draft)][-1] == "overall"
    authoring.move_question(overall, 0)  # clamped to the start
    authoring.remove_question(next(q for q in draft.questions if q.code == "how"))
    db.session.commit()
    expected = ["overall", "comment", "resolved", "recommend"]
    assert layout(draft) == list(enumerate(expected, 1))
    assert stored_layout(db, draft) == list(enumerate(expected, 1))
    assert db.session.scalar(select(func.count()).select_from(Question)) == 4


def test_reorder_must_name_every_question_once(db):
    draft = draft_with(("a", "rating"), ("b", "nps"))
    for codes in (["a"], ["a", "a"], ["a", "b", "c"]):
        with pytest.raises(AuthoringError) as refused:
            authoring.reorder(draft, codes)
        assert list(refused.value.errors) == ["order"]
    assert layout(draft) == [(1, "a"), (2, "b")]


def test_editing_changes_the_texts(db):
    draft = draft_with(("overall", "rating"), ("comment", "free_text"))
    question = draft.questions[1]
    authoring.edit_question(
        question,
        spec(
            "better",
            "free_text",
            text={"en": "What could be better?", "fr": "Qu'est-ce qui pourrait être mieux?"},
            required=True,
            wordings={"voice": {"en": "Say it", "fr": "Dites-le"}},
        ),
    )
    db.session.commit()
    db.session.expire_all()
    stored = db.session.get(Question, question.id)
    assert (stored.code, stored.text_en, stored.text_fr, stored.required) == (
        "better",
        "What could be better?",
        "Qu'est-ce qui pourrait être mieux?",
        True,
    )
    assert stored.text("fr", "voice") == "Dites-le" and stored.text("fr") == stored.text_fr
    assert layout(draft) == [(1, "overall"), (2, "better")]


@pytest.mark.parametrize(
    ("bad", "field"),
    [
        (spec("overall", "nps"), "code"),  # taken by another question
        (spec("Bad Code"), "code"),
        (spec("9lives"), "code"),
        (spec("new", "stars"), "kind"),
        (spec("new", "rating", options=CHOICES), "options"),
        (spec("new", "nps", options=CHOICES), "options"),
        (spec("new", text={"en": "x" * 1001, "fr": "ok"}), "text.en"),
        (spec("new", wordings={"sms": "Rate us"}), "wordings.sms"),
    ],
)
def test_unusable_questions_are_refused_with_the_field_named(db, bad, field):
    draft = draft_with(("overall", "rating"), ("comment", "free_text"))
    with pytest.raises(AuthoringError) as added:
        authoring.add_question(draft, bad)
    assert list(added.value.errors) == [field]
    if bad.code != "overall":  # an edit may keep its own code, not take another's
        with pytest.raises(AuthoringError) as edited:
            authoring.edit_question(draft.questions[1], bad)
        assert list(edited.value.errors) == [field]
    db.session.commit()
    assert layout(draft) == [(1, "overall"), (2, "comment")]
    assert draft.questions[1].kind == "free_text"


def test_editing_may_keep_the_question_code_but_not_take_another(db):
    draft = draft_with(("overall", "rating"), ("comment", "free_text"))
    authoring.edit_question(draft.questions[1], spec("comment", "free_text", required=True))
    with pytest.raises(AuthoringError) as taken:
        authoring.edit_question(draft.questions[1], spec("overall", "free_text"))
    assert list(taken.value.errors) == ["code"]


def test_a_draft_may_lack_a_french_text_but_publishing_lists_exactly_what_is_missing(db):
    draft = draft_with(("overall", "rating"))
    authoring.add_question(draft, spec("comment", "free_text", text={"en": "Anything else?"}))
    authoring.add_question(draft, spec("how", "single_choice", options=CHOICES[:1]))
    db.session.commit()
    assert authoring.publication_problems(draft) == {
        "questions.2.text.fr": "the French text is missing",
        "questions.3.options": "give at least 2 options",
    }
    with pytest.raises(AuthoringError) as refused:
        authoring.publish(draft)
    assert set(refused.value.errors) == {"questions.2.text.fr", "questions.3.options"}
    db.session.commit()
    db.session.expire_all()
    assert draft.published_at is None

    authoring.edit_question(draft.questions[1], spec("comment", "free_text"))
    authoring.edit_question(draft.questions[2], spec("how", "single_choice"))
    assert authoring.publication_problems(draft) == {}
    authoring.publish(draft)
    db.session.commit()
    db.session.expire_all()
    assert draft.published_at is not None and draft.is_published


def test_publishing_checks_the_title_intro_options_and_wordings(db):
    draft = authoring.create_questionnaire(
        make_program(), "survey", {"en": "Title", "fr": " "}, {"en": "Intro"}
    )
    assert authoring.publication_problems(draft) == {
        "title.fr": "the French text is missing",
        "intro.fr": "the French text is missing",
        "questions": "add at least one question",
    }
    authoring.set_texts(draft, TITLE)
    authoring.add_question(
        draft,
        spec(
            "how",
            "multiple_choice",
            options=[{"value": "a", "en": "A", "fr": "A"}, {"value": "a", "en": "B"}],
            wordings={"sms": {"en": "How? Reply 1 or 2"}},
        ),
    )
    problems = authoring.publication_problems(draft)
    assert set(problems) == {"questions.1.options", "questions.1.wordings.sms.fr"}
    assert "two options have the same value" in problems["questions.1.options"]
    assert "option 2 has no fr label" in problems["questions.1.options"]


def test_publishing_refuses_a_text_message_over_its_segment_budget_whoever_publishes(db):
    """The SMS engine's budget is part of the gate itself: the builder, the command line's
    `questionnaire import --publish` and the demo all call authoring.publish."""
    draft = draft_with(("overall", "rating"))
    long_fr = "Êtes-vous satisfait " + "du service reçu aujourd’hui, " * 12 + "?"
    authoring.edit_question(
        draft.questions[0], spec("overall", text={"en": "Satisfied?", "fr": long_fr})
    )
    problems = authoring.publication_problems(draft)
    assert set(problems) == {"questions.1.text.fr"}
    assert "segments (UCS-2)" in problems["questions.1.text.fr"]
    with pytest.raises(AuthoringError):
        authoring.publish(draft)
    short = {"sms": {"en": "Satisfied? Reply 1-5", "fr": "Satisfait? Répondez 1 à 5"}}
    authoring.edit_question(
        draft.questions[0],
        spec("overall", text={"en": "Satisfied?", "fr": long_fr}, wordings=short),
    )
    assert authoring.publication_problems(draft) == {}


def test_a_published_version_cannot_change(db):
    draft = draft_with(("overall", "rating"), ("comment", "free_text"))
    authoring.publish(draft)
    db.session.commit()
    question = draft.questions[0]
    for change in (
        lambda: authoring.add_question(draft, spec("more")),
        lambda: authoring.edit_question(question, spec("overall", "nps")),
        lambda: authoring.move_question(question, 2),
        lambda: authoring.reorder(draft, ["comment", "overall"]),
        lambda: authoring.remove_question(question),
        lambda: authoring.set_texts(draft, {"en": "New", "fr": "Nouveau"}),
        lambda: authoring.publish(draft),
    ):
        with pytest.raises(AuthoringError, match="version 1 is published"):
            change()
    question.text_en = "Changed behind the services' back"
    with pytest.raises(PublishedVersionError):
        db.session.flush()
    db.session.rollback()
    assert layout(draft) == [(1, "overall"), (2, "comment")]
    assert draft.questionnaire.title_en == TITLE["en"]


@pytest.mark.filterwarnings("error::sqlalchemy.exc.SAWarning")  # no half-built autoflush
def test_new_draft_copies_the_latest_version_and_leaves_it_unchanged(db):
    first = draft_with(*FIVE)
    authoring.publish(first)
    db.session.commit()
    questionnaire = first.questionnaire
    second = authoring.new_draft(questionnaire)
    db.session.commit()
    assert (second.number, second.is_published) == (2, False)
    assert authoring.new_draft(questionnaire) is second  # the draft under way
    assert layout(second) == layout(first)
    assert [authoring.spec_of(q) for q in second.questions] == [
        authoring.spec_of(q) for q in first.questions
    ]
    # Distinct rows: answers to version 1 stay tied to version 1's questions.
    first_ids = {q.id for q in first.questions}
    assert first_ids.isdisjoint({q.id for q in second.questions})
    assert {q.version_id for q in second.questions} == {second.id}

    authoring.edit_question(second.questions[0], spec("overall", "rating", text=TITLE))
    authoring.remove_question(second.questions[-1])
    authoring.add_question(second, spec("effort", "effort"), position=1)
    db.session.commit()
    db.session.expire_all()
    stored_first = db.session.get(QuestionnaireVersion, first.id)
    assert layout(stored_first) == list(enumerate([code for code, _ in FIVE], 1))
    assert stored_first.questions[0].text_en == "overall (en)?"
    assert {q.id for q in stored_first.questions} == first_ids
    assert layout(second) == list(
        enumerate(["effort", "overall", "recommend", "resolved", "how"], 1)
    )
    assert authoring.latest_published(questionnaire) is stored_first
    assert authoring.draft_of(questionnaire).id == second.id


def test_find_version_prefers_the_latest_published(db):
    first = draft_with(("overall", "rating"))
    authoring.publish(first)
    second = authoring.new_draft(first.questionnaire)
    db.session.commit()
    assert authoring.find_version("survey", "passport", None).id == first.id
    assert authoring.find_version("survey", None, 2).id == second.id
    with pytest.raises(AuthoringError, match="no version 3"):
        authoring.find_version("survey", "passport", 3)
    with pytest.raises(AuthoringError, match="no questionnaire"):
        authoring.find_version("survey", "other", None)


def test_a_new_drafts_title_leaves_the_published_version_title_unchanged(db):
    first = draft_with(("overall", "rating"))
    authoring.publish(first)
    second = authoring.new_draft(first.questionnaire)
    authoring.set_texts(second, {"en": "New title", "fr": "Nouveau titre"})
    db.session.commit()
    assert first.title("en") == TITLE["en"]
