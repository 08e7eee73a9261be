"""Questionnaires as JSON files, so that they can be kept under version control.

The format is documented in docs/questionnaire-format.md and checked in two steps: its shape by
a JSON Schema (:data:`SCHEMA`, with the path of every problem), then its content by the
authoring services, so a file is held to exactly the rules of the builder. Importing makes the
questionnaire's draft (creating the questionnaire if it is new); ``publish=True`` then publishes
it, which refuses a file with a missing text.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from jsonschema import Draft202012Validator
from sqlalchemy import select

from feedback.extensions import db
from feedback.programs.models import Program
from feedback.questionnaires import authoring, kinds, topics
from feedback.questionnaires.authoring import AuthoringError, QuestionSpec
from feedback.questionnaires.models import Questionnaire, QuestionnaireVersion

FORMAT = "feedback-questionnaire/1"

_TEXTS = {
    "type": "object",
    "properties": {"en": {"type": "string"}, "fr": {"type": "string"}},
    "additionalProperties": False,
}
SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "A feedback questionnaire",
    "type": "object",
    "required": ["format", "program", "code", "title", "questions"],
    "additionalProperties": False,
    "properties": {
        "format": {"const": FORMAT},
        "program": {"type": "string", "minLength": 1},
        "code": {"type": "string", "minLength": 1},
        "version": {"type": "integer", "minimum": 1},
        "published": {"type": "boolean"},
        "title": _TEXTS,
        "intro": _TEXTS,
        # A template's name and what it is for, as the library lists it (see library.templates).
        "library": {
            "type": "object",
            "required": ["title", "description"],
            "additionalProperties": False,
            "properties": {"title": _TEXTS, "description": _TEXTS},
        },
        "questions": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["code", "kind", "text"],
                "additionalProperties": False,
                "properties": {
                    "code": {"type": "string"},
                    "kind": {"enum": list(kinds.KINDS)},
                    "required": {"type": "boolean"},
                    "text": _TEXTS,
                    "options": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "required": ["value"],
                            "additionalProperties": False,
                            "properties": {
                                "value": {"type": "string"},
                                "en": {"type": "string"},
                                "fr": {"type": "string"},
                            },
                        },
                    },
                    "wordings": {"type": "object", "additionalProperties": _TEXTS},
                    "show_if": {
                        "type": "object",
                        "required": ["question", "values"],
                        "additionalProperties": False,
                        "properties": {
                            "question": {"type": "string"},
                            "values": {"type": "array", "items": {"type": "string"}},
                        },
                    },
                    "topic": {"enum": list(topics.TOPICS)},
                },
            },
        },
    },
}
_validator = Draft202012Validator(SCHEMA)


class FileError(ValueError):
    """A questionnaire file that cannot be imported; `problems` lists each with its place."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("\n".join(problems))


def _place(path: Any) -> str:
    """A JSON path as people read it: questions[2].text.fr (questions counted from 1)."""
    place = ""
    for part in path:
        if isinstance(part, int):
            place += f"[{part + 1}]"
        else:
            place += f".{part}" if place else str(part)
    return place or "(the file)"


def parse(text: str) -> dict[str, Any]:
    """The document in `text`, its shape checked; FileError says where it is wrong."""
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise FileError([f"line {exc.lineno}, column {exc.colno}: not JSON ({exc.msg})"]) from exc
    errors = sorted(_validator.iter_errors(document), key=lambda e: list(e.absolute_path))
    if errors:
        raise FileError([f"{_place(e.absolute_path)}: {e.message}" for e in errors])
    return document


def _specs(document: Mapping[str, Any]) -> list[QuestionSpec]:
    return [
        QuestionSpec(
            code=item["code"],
            kind=item["kind"],
            text=item["text"],
            required=item.get("required", False),
            options=item.get("options", []),
            wordings=item.get("wordings", {}),
            show_if=item.get("show_if"),
            topic=item.get("topic"),
        )
        for item in document["questions"]
    ]


def _with_places(exc: AuthoringError, prefix: str) -> FileError:
    return FileError(
        [
            f"{prefix}.{key}: {message}" if key else f"{prefix}: {message}"
            for key, message in exc.errors.items()
        ]
    )


def import_document(document: Mapping[str, Any], *, publish: bool = False) -> QuestionnaireVersion:
    """Make the file's questionnaire the questionnaire's draft (replacing a draft under way),
    and publish it if asked. The caller commits; on FileError nothing was kept (the caller
    rolls back)."""
    program = db.session.scalar(select(Program).where(Program.code == document["program"]))
    if program is None:
        raise FileError([f"program: no program {document['program']!r}"])
    questionnaire = db.session.scalar(
        select(Questionnaire).where(
            Questionnaire.program_id == program.id, Questionnaire.code == document["code"]
        )
    )
    specs = _specs(document)
    misplaced = [
        f"questions[{index + 1}].{key}: {message}"
        for index in range(len(specs))
        for key, message in authoring.placement_problems(specs, index).items()
    ]
    if misplaced:
        raise FileError(misplaced)
    title, intro = document["title"], document.get("intro", {})
    try:
        if questionnaire is None:
            draft = authoring.create_questionnaire(program, document["code"], title, intro)
        else:
            draft = authoring.new_draft(questionnaire)
            authoring.set_texts(draft, title, intro)
            # The last first: a question is removed before any it depends on.
            for question in reversed(list(draft.questions)):
                authoring.remove_question(question)
    except AuthoringError as exc:
        raise _with_places(exc, "questionnaire") from exc
    for number, spec in enumerate(specs, 1):
        try:
            authoring.add_question(draft, spec)
        except AuthoringError as exc:
            raise _with_places(exc, f"questions[{number}]") from exc
    if publish:
        try:
            authoring.publish(draft)
        except AuthoringError as exc:
            raise FileError(
                [f"{_file_place(key)}: {message}" for key, message in exc.errors.items()]
            ) from exc
    return draft


def _file_place(key: str) -> str:
    """questions.2.text.fr (as publishing names it) -> questions[2].text.fr (as the file)."""
    parts = key.split(".")
    if len(parts) > 1 and parts[0] == "questions" and parts[1].isdigit():
        return f"questions[{parts[1]}]" + "".join(f".{p}" for p in parts[2:])
    return key


def import_text(text: str, *, publish: bool = False) -> QuestionnaireVersion:
    return import_document(parse(text), publish=publish)


def export_version(version: QuestionnaireVersion) -> dict[str, Any]:
    """A version as a document of the file format (import gives back the same questions)."""
    questionnaire = version.questionnaire
    questions = []
    for question in version.questions:
        item: dict[str, Any] = {
            "code": question.code,
            "kind": question.kind,
            "required": question.required,
            "text": {"en": question.text_en, "fr": question.text_fr},
        }
        if question.options:
            item["options"] = [dict(option) for option in question.options]
        if question.wordings:
            item["wordings"] = {key: dict(value) for key, value in question.wordings.items()}
        if question.show_if:
            item["show_if"] = dict(question.show_if)
        if question.topic:
            item["topic"] = question.topic
        questions.append(item)
    document: dict[str, Any] = {
        "format": FORMAT,
        "program": questionnaire.program.code,
        "code": questionnaire.code,
        "version": version.number,
        "published": version.is_published,
        "title": {"en": version.title_en, "fr": version.title_fr},
    }
    if version.intro_en or version.intro_fr:
        document["intro"] = {"en": version.intro_en, "fr": version.intro_fr}
    document["questions"] = questions
    return document


def export_text(version: QuestionnaireVersion) -> str:
    return json.dumps(export_version(version), ensure_ascii=False, indent=2) + "\n"
