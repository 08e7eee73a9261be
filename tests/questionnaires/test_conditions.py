"""Simple conditions and reporting topics, as authored: what a condition may name, the moves
and edits that would break one (refused, naming the question), topics, and questionnaire files."""

from __future__ import annotations

import pytest

from feedback.questionnaires import authoring, conditions, topics, transfer
from feedback.questionnaires.authoring import AuthoringError, QuestionSpec
from feedback.questionnaires.models import QuestionnaireVersion
from feedback.questionnaires.transfer import FileError
from tests.factories import make_program

TEXT = {"en": "A question?", "fr": "Une question?"}
REASONS = (
    {"value": "wait", "en": "The wait", "fr": "L'attente"},
    {"value": "unclear", "en": "Unclear information", "fr": "Information peu claire"},
    {"value": "other", "en": "Something else", "fr": "Autre chose"},
)


def spec(code: str, kind: str, **fields) -> QuestionSpec:
    return QuestionSpec(code=code, kind=kind, text=TEXT, **fields)


def draft() -> QuestionnaireVersion:
    """resolved (yes/no), why (several reasons, when not resolved), rating, comment (words)."""
    version = authoring.create_questionnaire(
        make_program(), "conditional", {"en": "Your visit", "fr": "Votre visite"}
    )
    authoring.add_question(version, spec("resolved", "yes_no", required=True))
    authoring.add_question(
        version,
        spec(
            "why",
            "multiple_choice",
            options=REASONS,
            show_if={"question": "resolved", "values": ["no"]},
        ),
    )
    authoring.add_question(version, spec("rating", "rating"))
    authoring.add_question(version, spec("comment", "free_text"))
    return version


def refused(call, *args) -> dict[str, str]:
    with pytest.raises(AuthoringError) as failed:
        call(*args)
    return failed.value.errors


def codes(version: QuestionnaireVersion) -> list[str]:
    return [question.code for question in version.questions]


# --- what a condition may name -----------------------------------------------------------------


def test_a_condition_is_stored_with_its_values_once(db):
    version = draft()
    question = authoring.add_question(
        version,
        spec("praise", "free_text", show_if={"question": "rating", "values": ["5", "4", "5"]}),
    )
    assert question.show_if == {"question": "rating", "values": ["5", "4"]}
    assert authoring.spec_of(question).show_if == question.show_if
    assert version.questions[1].show_if == {"question": "resolved", "values": ["no"]}
    assert authoring.publication_problems(version) == {}


@pytest.mark.parametrize(
    ("show_if", "message"),
    [
        ({"question": "nope", "values": ["1"]}, "there is no question 'nope'"),
        ({"question": "comment", "values": ["x"]}, "question 'comment' is answered in the client"),
        ({"question": "rating", "values": []}, "choose at least one answer to question 'rating'"),
        (
            {"question": "rating", "values": ["0", "5", "6"]},
            "question 'rating' has no answer 0, 6 (its answers: 1, 2, 3, 4, 5)",
        ),
        ({"question": "resolved", "values": ["oui"]}, "has no answer oui (its answers: yes, no)"),
        (
            {"question": "why", "values": ["nope"]},
            "its answers: wait, unclear, other",
        ),
        ({"question": "rating"}, 'give the condition as {"question"'),
        ({"question": "rating", "values": [5]}, 'give the condition as {"question"'),
        ({"question": "rating", "values": ["5"], "also": 1}, 'give the condition as {"question"'),
    ],
)
def test_a_condition_names_an_earlier_question_and_some_of_its_answers(db, show_if, message):
    version = draft()
    errors = refused(authoring.add_question, version, spec("more", "yes_no", show_if=show_if))
    assert message in errors["show_if"]
    assert codes(version) == ["resolved", "why", "rating", "comment"]


def test_a_condition_cannot_name_a_later_question_or_itself(db):
    version = draft()
    errors = refused(
        authoring.add_question,
        version,
        spec("first", "yes_no", show_if={"question": "rating", "values": ["1"]}),
        1,
    )
    assert errors == {"show_if": "question 'rating' must come before this one"}
    errors = refused(
        authoring.add_question,
        version,
        spec("self", "yes_no", show_if={"question": "self", "values": ["yes"]}),
    )
    assert errors == {"show_if": "question 'self' must come before this one"}


def test_a_condition_added_at_a_position_is_checked_there(db):
    version = draft()
    authoring.add_question(
        version, spec("again", "yes_no", show_if={"question": "resolved", "values": ["no"]}), 2
    )
    assert codes(version) == ["resolved", "again", "why", "rating", "comment"]


# --- changes that would break one --------------------------------------------------------------


def test_moving_a_question_above_what_it_depends_on_is_refused(db):
    version = draft()
    why = version.questions[1]
    errors = refused(authoring.move_question, why, 1)
    assert errors == {
        "position": "question 'why' depends on an earlier answer: "
        "question 'resolved' must come before this one"
    }
    errors = refused(authoring.move_question, version.questions[0], 3)
    assert "question 'why' depends on an earlier answer" in errors["position"]
    errors = refused(authoring.reorder, version, ["why", "resolved", "rating", "comment"])
    assert "question 'why'" in errors["order"]
    assert codes(version) == ["resolved", "why", "rating", "comment"]
    authoring.reorder(version, ["resolved", "rating", "why", "comment"])  # still after it
    assert codes(version) == ["resolved", "rating", "why", "comment"]


def test_removing_a_question_another_depends_on_is_refused(db):
    version = draft()
    errors = refused(authoring.remove_question, version.questions[0])
    assert errors == {
        "": "question 'why' depends on an earlier answer: there is no question 'resolved'"
    }
    authoring.remove_question(version.questions[1])  # the dependant itself may go
    authoring.remove_question(version.questions[0])
    assert codes(version) == ["rating", "comment"]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"code": "fixed"}, "code"),
        ({"kind": "free_text"}, "kind"),
        ({"kind": "rating"}, "kind"),  # "no" is no point of a scale
    ],
)
def test_an_edit_that_a_later_condition_cannot_follow_is_refused(db, change, field):
    version = draft()
    resolved = version.questions[0]
    edited = authoring.spec_of(resolved)
    values = {"code": edited.code, "kind": edited.kind, **change}
    errors = refused(
        authoring.edit_question, resolved, spec(values["code"], values["kind"], required=True)
    )
    assert list(errors) == [field]
    assert errors[field].startswith("question 'why' depends on an earlier answer")
    assert resolved.code == "resolved"


def test_removing_an_option_a_condition_names_is_refused(db):
    version = draft()
    authoring.add_question(
        version, spec("which", "yes_no", show_if={"question": "why", "values": ["other"]})
    )
    why = version.questions[1]
    fewer = authoring.spec_of(why)
    errors = refused(
        authoring.edit_question,
        why,
        spec("why", "multiple_choice", options=REASONS[:2], show_if=fewer.show_if),
    )
    assert list(errors) == ["options"]
    assert "question 'which'" in errors["options"] and "no answer other" in errors["options"]


def test_an_edit_keeps_or_drops_its_own_condition(db):
    version = draft()
    why = version.questions[1]
    authoring.edit_question(why, spec("why", "multiple_choice", options=REASONS))
    assert why.show_if is None
    errors = refused(
        authoring.edit_question,
        why,
        spec(
            "why",
            "multiple_choice",
            options=REASONS,
            show_if={"question": "rating", "values": ["1"]},
        ),
    )
    assert errors == {"show_if": "question 'rating' must come before this one"}


# --- holding -----------------------------------------------------------------------------------


def test_a_condition_holds_when_an_answer_is_among_its_values():
    show_if = {"question": "rating", "values": ["1", "2"]}
    assert conditions.holds(None, {})
    assert conditions.holds(show_if, {"rating": frozenset({"2"})})
    assert not conditions.holds(show_if, {"rating": frozenset({"3"})})
    assert not conditions.holds(show_if, {})  # unanswered, or not asked
    several = {"question": "why", "values": ["other"]}
    assert conditions.holds(several, {"why": frozenset({"wait", "other"})})


def test_each_kind_names_its_answers(app):
    from feedback.questionnaires import kinds

    with app.test_request_context():
        assert kinds.get("yes_no").answer_keys(True) == {"yes"}
        assert kinds.get("yes_no").answer_keys(0) == {"no"}
        assert kinds.get("nps").answer_keys(10) == {"10"}
        assert kinds.get("multiple_choice").answer_keys(["a", "b"]) == {"a", "b"}
        assert kinds.get("single_choice").answer_keys(None) == frozenset()
        assert kinds.get("free_text").condition_choices([], "en") == []
        assert [key for key, _ in kinds.get("effort").condition_choices([], "fr")] == list(
            "1234567"
        )


# --- topics ------------------------------------------------------------------------------------


def test_the_topics_registry(app):
    assert topics.DRIVERS == (
        "ease",
        "timeliness",
        "staff_helpful",
        "staff_knowledgeable",
        "fairness",
        "clear_information",
        "confidence",
        "need_met",
    )
    assert {"overall", "effort", "improve"} < set(topics.TOPICS)
    with app.app_context():
        for topic in topics.TOPICS.values():
            english, french = topic.text("en"), topic.text("fr")
            assert english.strip() and french.strip()
            assert english != french, f"{topic.code}: the French label is not translated"
        assert topics.label("nope") == "nope"


def test_a_topic_is_given_to_one_question_of_a_fitting_kind(db):
    version = draft()
    authoring.edit_question(version.questions[2], spec("rating", "rating", topic="overall"))
    assert version.questions[2].topic == "overall"
    errors = refused(authoring.add_question, version, spec("again", "rating", topic="overall"))
    assert errors == {"topic": "question 'rating' already has this topic"}
    errors = refused(authoring.add_question, version, spec("x", "rating", topic="improve"))
    assert errors == {"topic": "this topic is for a question answered in the client's own words"}
    errors = refused(authoring.add_question, version, spec("y", "free_text", topic="ease"))
    assert "with set answers" in errors["topic"]
    errors = refused(authoring.add_question, version, spec("z", "rating", topic="nope"))
    assert errors["topic"].startswith("must be one of overall, ease")
    authoring.edit_question(version.questions[3], spec("comment", "free_text", topic="improve"))
    assert authoring.publication_problems(version) == {}


# --- files -------------------------------------------------------------------------------------


def test_conditions_and_topics_go_out_and_come_back_in_a_file(db):
    version = draft()
    authoring.edit_question(version.questions[2], spec("rating", "rating", topic="overall"))
    exported = transfer.export_version(version)
    why = exported["questions"][1]
    assert why["show_if"] == {"question": "resolved", "values": ["no"]}
    assert exported["questions"][2]["topic"] == "overall"
    assert "show_if" not in exported["questions"][0] and "topic" not in exported["questions"][0]
    again = transfer.import_document(exported)
    assert again.number == 1  # the draft under way, replaced
    assert [(q.code, q.show_if, q.topic) for q in again.questions] == [
        ("resolved", None, None),
        ("why", {"question": "resolved", "values": ["no"]}, None),
        ("rating", None, "overall"),
        ("comment", None, None),
    ]


def test_a_file_with_a_wrong_condition_or_topic_says_where(db):
    document = transfer.export_version(draft())
    document["questions"][1]["show_if"] = {"question": "rating", "values": ["1"]}
    with pytest.raises(FileError) as failed:
        transfer.import_document(document)
    assert failed.value.problems == [
        "questions[2].show_if: question 'rating' must come before this one"
    ]
    db.session.rollback()
    document["questions"][1]["topic"] = "nope"
    with pytest.raises(FileError) as failed:
        transfer.parse(transfer.json.dumps(document))
    assert failed.value.problems[0].startswith("questions[2].topic: 'nope' is not one of")
