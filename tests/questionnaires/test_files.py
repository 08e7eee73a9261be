"""Questionnaires as JSON files: export, import, what a bad file is told, and the CLI."""

from __future__ import annotations

import copy
import json

import pytest
from sqlalchemy import func, select

from feedback.questionnaires import library, transfer
from feedback.questionnaires.models import Question, Questionnaire, QuestionnaireVersion
from feedback.questionnaires.transfer import FileError
from tests.factories import make_program, make_questionnaire


def counts(db) -> tuple[int, int, int]:
    """Questionnaires, versions and questions stored."""
    return tuple(
        db.session.scalar(select(func.count()).select_from(model))
        for model in (Questionnaire, QuestionnaireVersion, Question)
    )


def document(**overrides) -> dict:
    """The library's after-contact questionnaire for the passport program."""
    return library.template("after-contact") | {"program": "passport", **overrides}


def without(exported: dict, *keys: str) -> dict:
    return {key: value for key, value in exported.items() if key not in keys}


def refused(db, source, *, publish: bool = False) -> list[str]:
    """The problems of an import that must fail; rolled back as the CLI does."""
    with pytest.raises(FileError) as failed:
        if isinstance(source, str):
            transfer.import_text(source, publish=publish)
        else:
            transfer.import_document(source, publish=publish)
    db.session.rollback()
    return failed.value.problems


# --- export and import ----------------------------------------------------------------------


def test_the_library_template_is_a_valid_file():
    assert "after-contact" in library.names()
    template = library.template("after-contact")
    assert transfer.parse(json.dumps(template)) == template
    with pytest.raises(KeyError, match="no questionnaire template 'nope'"):
        library.template("nope")


def test_export_then_import_into_another_program_gives_the_same_questions(db):
    version = make_questionnaire(make_program())
    make_program("other")
    db.session.commit()
    exported = transfer.export_version(version)
    assert (exported["program"], exported["version"], exported["published"]) == (
        "passport",
        1,
        True,
    )
    # The export is the template it came from, with every default written out.
    template = library.template("after-contact")
    for question in template["questions"]:
        question.setdefault("required", False)
    assert without(exported, "version", "published") == template

    copied = transfer.import_text(
        json.dumps(exported | {"program": "other"}, ensure_ascii=False), publish=True
    )
    db.session.commit()
    assert copied.id != version.id and copied.questionnaire.program.code == "other"
    assert (copied.number, copied.is_published) == (1, True)
    again = transfer.export_version(copied)
    assert without(again, "program") == without(exported, "program")
    assert {q.id for q in copied.questions}.isdisjoint({q.id for q in version.questions})
    assert counts(db) == (2, 2, 10)


def test_import_over_a_published_version_makes_the_next_draft(db):
    first = make_questionnaire(make_program())
    db.session.commit()
    before = transfer.export_version(first)
    changed = document()
    changed["questions"] = [changed["questions"][4], changed["questions"][0]]
    changed["questions"][0]["text"] = {"en": "Anything to add?", "fr": "Autre chose?"}

    second = transfer.import_document(changed)
    db.session.commit()
    assert (second.number, second.is_published) == (2, False)
    assert [(q.position, q.code, q.text_en) for q in second.questions] == [
        (1, "comment", "Anything to add?"),
        (2, "overall", "Overall, how satisfied are you with the service you received?"),
    ]
    db.session.expire_all()
    assert transfer.export_version(db.session.get(QuestionnaireVersion, first.id)) == before

    # A second import replaces the draft under way instead of starting a third version.
    changed["questions"] = changed["questions"][1:]
    again = transfer.import_document(changed, publish=True)
    db.session.commit()
    assert (again.id, again.number, again.is_published) == (second.id, 2, True)
    assert [q.code for q in again.questions] == ["overall"]
    assert counts(db) == (1, 2, 6)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('{"format": "feedback-questionnaire/1",\n  oops}', ["line 2, column 3: not JSON"]),
        ("", ["line 1, column 1: not JSON"]),
    ],
)
def test_a_file_that_is_not_json_says_where(db, text, expected):
    problems = refused(db, text)
    assert len(problems) == 1 and problems[0].startswith(expected[0])
    assert counts(db) == (0, 0, 0)


def _bad_kind(doc):
    doc["questions"][0]["kind"] = "stars"


def _no_title(doc):
    del doc["title"]


def _unknown_key(doc):
    doc["colour"] = "blue"


def _unknown_question_key(doc):
    doc["questions"][1]["hint"] = "x"


def _text_not_texts(doc):
    doc["questions"][2]["text"] = "Resolved?"


def _wrong_format(doc):
    doc["format"] = "feedback-questionnaire/2"


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        (_bad_kind, "questions[1].kind: 'stars' is not one of"),
        (_no_title, "(the file): 'title' is a required property"),
        (_unknown_key, "(the file): Additional properties are not allowed ('colour' was"),
        (_unknown_question_key, "questions[2]: Additional properties are not allowed ('hint'"),
        (_text_not_texts, "questions[3].text: 'Resolved?' is not of type 'object'"),
        (_wrong_format, "format: 'feedback-questionnaire/1' was expected"),
    ],
)
def test_a_file_of_the_wrong_shape_names_the_place(db, change, problem):
    make_program()
    db.session.commit()
    doc = document()
    change(doc)
    problems = refused(db, json.dumps(doc))
    assert len(problems) == 1 and problems[0].startswith(problem), problems
    assert counts(db) == (0, 0, 0)


def test_every_problem_of_the_shape_is_listed(db):
    doc = document()
    del doc["title"]
    doc["questions"][0]["kind"] = "stars"
    doc["questions"][3]["options"][1]["value"] = 2
    problems = refused(db, json.dumps(doc))
    assert [problem.split(":")[0] for problem in problems] == [
        "(the file)",
        "questions[1].kind",
        "questions[4].options[2].value",
    ]


@pytest.mark.parametrize(
    ("change", "problems"),
    [
        (
            lambda doc: doc.update(program="nowhere"),
            ["program: no program 'nowhere'"],
        ),
        (
            lambda doc: doc.update(code="After Contact"),
            ["questionnaire.code: use 1 to 64 lower-case letters"],
        ),
        (
            lambda doc: doc["questions"][1].update(code="overall"),
            ["questions[2].code: the questionnaire already has a question 'overall'"],
        ),
        (
            lambda doc: doc["questions"][0].update(options=[{"value": "a", "en": "A"}]),
            ["questions[1].options: this kind of question takes no options"],
        ),
    ],
)
def test_a_file_the_authoring_rules_refuse_names_the_place_and_stores_nothing(db, change, problems):
    make_program()
    db.session.commit()
    doc = document()
    change(doc)
    found = refused(db, doc)
    assert len(found) == len(problems)
    assert all(f.startswith(p) for f, p in zip(found, problems, strict=True)), found
    assert counts(db) == (0, 0, 0)


def test_publishing_a_file_with_missing_texts_lists_them_and_stores_nothing(db):
    make_program()
    db.session.commit()
    doc = document()
    doc["questions"][2]["text"] = {"en": "Was your question resolved?"}
    doc["questions"][3]["options"] = doc["questions"][3]["options"][:1]
    assert refused(db, copy.deepcopy(doc), publish=True) == [
        "questions[3].text.fr: the French text is missing",
        "questions[4].options: give at least 2 options",
    ]
    assert counts(db) == (0, 0, 0)
    # The same file is a fine draft: a French text may be missing while the author writes.
    draft = transfer.import_document(doc)
    db.session.commit()
    assert (draft.is_published, draft.questions[2].text_fr) == (False, "")


def test_a_refused_import_over_a_published_version_keeps_only_that_version(db):
    first = make_questionnaire(make_program())
    db.session.commit()
    doc = document()
    doc["questions"][0]["text"]["fr"] = " "
    assert refused(db, doc, publish=True) == ["questions[1].text.fr: the French text is missing"]
    assert counts(db) == (1, 1, 5)
    assert db.session.scalars(select(QuestionnaireVersion)).one().id == first.id


# --- the command line -----------------------------------------------------------------------


def run(app, *args: str, **kwargs):
    return app.test_cli_runner().invoke(args=["questionnaire", *args], **kwargs)


def test_cli_import_and_publish(app, db, tmp_path):
    make_program()
    db.session.commit()
    path = tmp_path / "after-contact.json"
    path.write_text(json.dumps(document(), ensure_ascii=False), encoding="utf-8-sig")  # a BOM
    result = run(app, "import", str(path), "--publish")
    assert result.exit_code == 0, result.output
    assert result.output == "passport/after-contact version 1 (published, 5 questions)\n"
    version = db.session.scalars(select(QuestionnaireVersion)).one()
    assert version.is_published and counts(db) == (1, 1, 5)


def test_cli_import_from_standard_input_makes_a_draft(app, db):
    make_program()
    db.session.commit()
    result = run(app, "import", "-", input=json.dumps(document(code="mine")))
    assert result.exit_code == 0, result.output
    assert result.output == "passport/mine version 1 (draft, 5 questions)\n"


def test_cli_import_of_a_bad_file_lists_the_problems_and_stores_nothing(app, db, tmp_path):
    make_program()
    db.session.commit()
    doc = document()
    doc["questions"][1]["text"] = {"en": "Recommend us?"}
    doc["questions"][4]["kind"] = "essay"
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(doc))
    result = run(app, "import", str(path), "--publish")
    assert result.exit_code == 1
    assert f"{path} was not imported:\n  questions[5].kind: 'essay' is not one of" in result.output
    doc["questions"][4]["kind"] = "free_text"
    path.write_text(json.dumps(doc))
    result = run(app, "import", str(path), "--publish")
    assert result.exit_code == 1
    assert "  questions[2].text.fr: the French text is missing" in result.output
    assert counts(db) == (0, 0, 0)


def test_cli_export_writes_a_file_that_parses(app, db, tmp_path):
    version = make_questionnaire(make_program())
    db.session.commit()
    out = tmp_path / "out.json"
    result = run(app, "export", "after-contact", "--out", str(out))
    assert result.exit_code == 0, result.output
    parsed = transfer.parse(out.read_text(encoding="utf-8"))
    assert parsed == transfer.export_version(version)
    assert "Par téléphone" in out.read_text(encoding="utf-8")  # not \u-escaped
    on_stdout = run(app, "export", "after-contact", "--program", "passport", "--version", "1")
    assert on_stdout.exit_code == 0 and transfer.parse(on_stdout.output) == parsed


def test_cli_export_refusals(app, db):
    version = make_questionnaire(make_program())
    make_questionnaire(make_program("other"))
    db.session.commit()
    assert version.number == 1
    for args, message in (
        (["nope"], "no questionnaire 'nope'"),
        (["after-contact"], "name the program"),
        (["after-contact", "--program", "passport", "--version", "2"], "has no version 2"),
    ):
        result = run(app, "export", *args)
        assert result.exit_code == 1 and message in result.output, result.output


def test_cli_templates_and_a_template_that_imports(app, db):
    listed = run(app, "templates")
    assert listed.exit_code == 0 and "after-contact" in listed.output.splitlines()
    make_program()
    db.session.commit()
    result = run(app, "template", "after-contact", "--program", "passport", "--code", "mine")
    assert result.exit_code == 0, result.output
    doc = transfer.parse(result.output)
    assert (doc["program"], doc["code"]) == ("passport", "mine")
    version = transfer.import_text(result.output, publish=True)
    db.session.commit()
    assert (version.questionnaire.code, version.is_published, len(version.questions)) == (
        "mine",
        True,
        5,
    )
    unknown = run(app, "template", "nope", "--program", "passport")
    assert unknown.exit_code == 1 and "no questionnaire template 'nope'" in unknown.output
