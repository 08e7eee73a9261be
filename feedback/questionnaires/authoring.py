"""Authoring questionnaires: drafts, their questions, publishing, and the next draft.

A questionnaire has numbered versions. The latest unpublished one is its draft, which may be
edited freely (a French text may be missing while the author writes); publishing checks the
whole draft and freezes it as an immutable version (see the guard in :mod:`.models`). Editing a
published questionnaire starts the next draft, a copy of the latest published version; answers
stay tied to the version they answered.

A question may be asked only when an earlier answer is in a set (its condition, ``show_if``, see
:mod:`.conditions`) and may carry a reporting topic (:mod:`.topics`). Both are checked against
the questions before it whenever the draft changes: a move, an edit or a removal that would
leave a condition naming a later, missing or unsuitable question is refused, naming it.

The command line, the demo seed, the tests and (next) the builder pages call these services;
every error is an :class:`AuthoringError` that names the field it is about. Every change is
written to the audit log (by draft number and question code: "v2.questions.overall").
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from blinker import Namespace
from flask_babel import gettext as _
from sqlalchemy import select

from feedback.audit.services import record
from feedback.db_types import utcnow
from feedback.extensions import db
from feedback.programs.models import Program
from feedback.questionnaires import kinds, topics
from feedback.questionnaires.models import Question, Questionnaire, QuestionnaireVersion

LANGUAGES = ("en", "fr")
CODE = re.compile(r"^[a-z][a-z0-9_-]{0,63}$")
MAX_TITLE = 200
MAX_TEXT = 1000


class AuthoringError(ValueError):
    """What is wrong, by field (a form shows each beside its field, the CLI prints them)."""

    def __init__(self, errors: Mapping[str, str] | str) -> None:
        self.errors = {"": errors} if isinstance(errors, str) else dict(errors)
        super().__init__(
            "; ".join(f"{key}: {value}" if key else value for key, value in self.errors.items())
        )


@dataclass(frozen=True)
class QuestionSpec:
    """A question as an author writes it. Texts by language; `wordings` by channel or medium
    ("sms", "voice", "sms_twilio"), each by language, replace the text on that channel."""

    code: str
    kind: str
    text: Mapping[str, str]
    required: bool = False
    options: Sequence[Mapping[str, Any]] = ()
    wordings: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    #: Asked only when an earlier answer is in a set: {"question": code, "values": [...]}.
    show_if: Mapping[str, Any] | None = None
    #: A reporting topic's code (feedback.questionnaires.topics), at most once per version.
    topic: str | None = None


# --- finding ------------------------------------------------------------------------------------


def find_questionnaire(code: str, program_code: str | None) -> Questionnaire:
    query = select(Questionnaire).where(Questionnaire.code == code)
    if program_code:
        query = query.join(Program).where(Program.code == program_code)
    found = db.session.scalars(query).all()
    if not found:
        raise AuthoringError(f"no questionnaire {code!r}")
    if len(found) > 1:
        raise AuthoringError(f"several programs have a questionnaire {code!r}: name the program")
    return found[0]


def find_version(code: str, program_code: str | None, number: int | None) -> QuestionnaireVersion:
    """The questionnaire's chosen version, else its latest published one, else its latest."""
    versions = find_questionnaire(code, program_code).versions
    if number is not None:
        chosen = [v for v in versions if v.number == number]
        if not chosen:
            raise AuthoringError(f"{code!r} has no version {number}")
        return chosen[0]
    if not versions:
        raise AuthoringError(f"{code!r} has no version yet")
    published = [v for v in versions if v.is_published]
    return (published or versions)[-1]


def latest_published(questionnaire: Questionnaire) -> QuestionnaireVersion | None:
    published = [v for v in questionnaire.versions if v.is_published]
    return published[-1] if published else None


def draft_of(questionnaire: Questionnaire) -> QuestionnaireVersion | None:
    """The questionnaire's draft: its latest version, if not published."""
    versions = questionnaire.versions
    return versions[-1] if versions and not versions[-1].is_published else None


# --- checking -----------------------------------------------------------------------------------
# Messages are translated into the current locale (the builder's pages); outside a request, and
# on the command line, they are in English.


def _code_rule() -> str:
    return _("use 1 to 64 lower-case letters, digits, - or _, starting with a letter")


def _taken(code: str) -> str:
    return _("the questionnaire already has a question %(code)r", code=code)


def _check_texts(errors: dict[str, str], name: str, texts: Mapping[str, str], limit: int) -> None:
    for lang in LANGUAGES:
        if len(texts.get(lang) or "") > limit:
            errors[f"{name}.{lang}"] = _("must be %(limit)s characters or fewer", limit=limit)


def _missing_texts(name: str, texts: Mapping[str, str]) -> dict[str, str]:
    missing = {"en": _("the English text is missing"), "fr": _("the French text is missing")}
    return {
        f"{name}.{lang}": missing[lang] for lang in LANGUAGES if not (texts.get(lang) or "").strip()
    }


def _check_question(spec: QuestionSpec) -> dict[str, str]:
    """Problems that make a question unusable even in a draft (a missing text is not one)."""
    errors: dict[str, str] = {}
    if not CODE.match(spec.code or ""):
        errors["code"] = _code_rule()
    if spec.kind not in kinds.KINDS:
        errors["kind"] = _("must be one of %(kinds)s", kinds=", ".join(kinds.KINDS))
    _check_texts(errors, "text", spec.text, MAX_TEXT)
    for channel, texts in spec.wordings.items():
        if not isinstance(texts, Mapping) or not all(
            isinstance(texts.get(lang, ""), str) for lang in LANGUAGES
        ):
            errors[f"wordings.{channel}"] = _("give the wording as texts by language (en, fr)")
        else:
            _check_texts(errors, f"wordings.{channel}", texts, MAX_TEXT)
    if spec.kind in kinds.KINDS and not kinds.get(spec.kind).has_options and spec.options:
        errors["options"] = _("this kind of question takes no options")
    elif not all(_well_formed(option) for option in spec.options):
        errors["options"] = _(
            'give each option as {"value": "...", "en": "...", "fr": "..."} (text)'
        )
    if spec.show_if is not None and not _well_formed_condition(spec.show_if):
        errors["show_if"] = _(
            'give the condition as {"question": "<code>", "values": ["...", ...]} (text)'
        )
    if spec.topic is not None and spec.topic not in topics.TOPICS:
        errors["topic"] = _("must be one of %(topics)s", topics=", ".join(topics.TOPICS))
    return errors


def _well_formed_condition(show_if: Any) -> bool:
    return (
        isinstance(show_if, Mapping)
        and set(show_if) == {"question", "values"}
        and isinstance(show_if["question"], str)
        and isinstance(show_if["values"], list | tuple)
        and all(isinstance(value, str) for value in show_if["values"])
    )


def _answer_keys(spec: QuestionSpec) -> list[str]:
    """The answers a condition on this question may name (none for an answer in words)."""
    if spec.kind not in kinds.KINDS:
        return []
    options = [o for o in spec.options if isinstance(o, Mapping) and "value" in o]
    return [key for key, _label in kinds.get(spec.kind).condition_choices(options, "en")]


def _condition_problem(spec: QuestionSpec, earlier: Sequence[QuestionSpec], codes: set[str]) -> str:
    """What is wrong with `spec`'s condition given the questions before it ("" if nothing);
    `codes` are those of the whole questionnaire."""
    if spec.show_if is None or not _well_formed_condition(spec.show_if):
        return ""  # none, or refused for its shape already
    code, values = spec.show_if["question"], list(spec.show_if["values"])
    controlling = next((q for q in earlier if q.code == code), None)
    if controlling is None:
        if code in codes:
            return _("question %(code)r must come before this one", code=code)
        return _("there is no question %(code)r", code=code)
    keys = _answer_keys(controlling)
    if not keys:
        return _(
            "question %(code)r is answered in the client's own words: choose a question with "
            "set answers (a scale, yes or no, a choice)",
            code=code,
        )
    if not values:
        return _("choose at least one answer to question %(code)r", code=code)
    unknown = [value for value in values if value not in keys]
    if unknown:
        return _(
            "question %(code)r has no answer %(unknown)s (its answers: %(answers)s)",
            code=code,
            unknown=", ".join(unknown),
            answers=", ".join(keys),
        )
    return ""


def _topic_problem(spec: QuestionSpec, others: Sequence[QuestionSpec]) -> str:
    if spec.topic is None or spec.topic not in topics.TOPICS:
        return ""
    taken = next((q.code for q in others if q.topic == spec.topic), None)
    if taken is not None:
        return _("question %(code)r already has this topic", code=taken)
    own_words = topics.TOPICS[spec.topic].own_words
    if spec.kind in kinds.KINDS and own_words == bool(_answer_keys(spec)):
        if own_words:
            return _("this topic is for a question answered in the client's own words")
        return _("this topic is for a question with set answers (a scale, yes or no, a choice)")
    return ""


def placement_problems(specs: Sequence[QuestionSpec], index: int) -> dict[str, str]:
    """What is wrong with the condition and topic of question `index` of `specs` (in order):
    a file is checked whole with it, before its questions are added one by one."""
    spec = specs[index]
    codes = {q.code for q in specs}
    problems = {
        "show_if": _condition_problem(spec, specs[:index], codes),
        "topic": _topic_problem(spec, [q for i, q in enumerate(specs) if i != index]),
    }
    return {key: message for key, message in problems.items() if message}


def _broken_condition(specs: Sequence[QuestionSpec]) -> str:
    """The first condition that this order (or this set) of questions breaks, as a sentence
    naming its question; "" when every condition holds up."""
    codes = {q.code for q in specs}
    for index, spec in enumerate(specs):
        problem = _condition_problem(spec, specs[:index], codes)
        if problem:
            return _(
                "question %(code)r depends on an earlier answer: %(problem)s",
                code=spec.code,
                problem=problem,
            )
    return ""


def _well_formed(option: Any) -> bool:
    """An option as the file format has it: text values and labels, nothing else."""
    return (
        isinstance(option, Mapping)
        and set(option) <= {"value", "en", "fr"}
        and all(isinstance(value, str) for value in option.values())
    )


def question_problems(spec: QuestionSpec) -> dict[str, str]:
    """Everything that must be right before the question may be published."""
    errors = _check_question(spec)
    errors.update(_missing_texts("text", spec.text))
    if spec.kind in kinds.KINDS:
        problems = kinds.get(spec.kind).check_options(spec.options)
        if problems:
            errors["options"] = "; ".join(problems)
    for channel, texts in spec.wordings.items():
        if isinstance(texts, Mapping) and any(
            (texts.get(lang) or "").strip() for lang in LANGUAGES
        ):
            errors.update(_missing_texts(f"wordings.{channel}", texts))
    return errors


def spec_of(question: Question) -> QuestionSpec:
    return QuestionSpec(
        code=question.code,
        kind=question.kind,
        text={"en": question.text_en, "fr": question.text_fr},
        required=question.required,
        options=tuple(question.options or ()),
        wordings=dict(question.wordings or {}),
        show_if=question.show_if,
        topic=question.topic,
    )


#: Checks the engines above add to the publish gate, without this module importing them (the
#: SMS engine: each text message within its segment budget). A receiver takes the version and
#: returns its problems by field, as below.
publication_check = Namespace().signal("publication-check")


def publication_problems(version: QuestionnaireVersion) -> dict[str, str]:
    """Exactly what stops `version` from being published, by field ("questions.2.text.fr"):
    every text in both languages, options, conditions, topics, and what the engines check."""
    problems = _missing_texts("title", {"en": version.title_en, "fr": version.title_fr})
    if (version.intro_en or "").strip() or (version.intro_fr or "").strip():
        problems.update(_missing_texts("intro", {"en": version.intro_en, "fr": version.intro_fr}))
    if not version.questions:
        problems["questions"] = _("add at least one question")
    specs = [spec_of(question) for question in version.questions]
    for number, spec in enumerate(specs, 1):
        found = question_problems(spec) | placement_problems(specs, number - 1)
        for key, message in found.items():
            problems[f"questions.{number}.{key}"] = message
    for _receiver, found in publication_check.send(version):
        for key, message in found.items():
            problems.setdefault(key, message)
    return problems


# --- changing -----------------------------------------------------------------------------------


def _audit(
    action: str,
    version: QuestionnaireVersion,
    before: Mapping[str, Any] | None,
    after: Mapping[str, Any] | None,
) -> None:
    record(f"questionnaire.{action}", version.questionnaire, before, after)


def _question_entry(question: Question) -> dict[str, Any]:
    """The audit log's view of a question, keyed by draft and code."""
    key = f"v{question.version.number}.questions.{question.code}"
    return {key: asdict(spec_of(question))}


def _texts(version: QuestionnaireVersion) -> dict[str, str]:
    names = ("title_en", "title_fr", "intro_en", "intro_fr")
    return {f"v{version.number}.{name}": getattr(version, name) for name in names}


def _order(version: QuestionnaireVersion) -> dict[str, list[str]]:
    return {f"v{version.number}.order": [q.code for q in version.questions]}


def _draft(version: QuestionnaireVersion) -> QuestionnaireVersion:
    if version.is_published:
        raise AuthoringError(
            _(
                "version %(number)s is published and cannot change: start a new draft",
                number=version.number,
            )
        )
    return version


def create_questionnaire(
    program: Program,
    code: str,
    title: Mapping[str, str],
    intro: Mapping[str, str] | None = None,
) -> QuestionnaireVersion:
    """A new questionnaire and its first draft. The caller commits."""
    errors: dict[str, str] = {}
    if not CODE.match(code or ""):
        errors["code"] = _code_rule()
    elif db.session.scalar(
        select(Questionnaire.id).where(
            Questionnaire.program_id == program.id, Questionnaire.code == code
        )
    ):
        errors["code"] = _("the program already has a questionnaire %(code)r", code=code)
    _check_texts(errors, "title", title, MAX_TITLE)
    if errors:
        raise AuthoringError(errors)
    questionnaire = Questionnaire(
        program_id=program.id,
        code=code,
        title_en=title.get("en") or "",
        title_fr=title.get("fr") or "",
    )
    intro = intro or {}
    version = QuestionnaireVersion(
        questionnaire=questionnaire,
        number=1,
        title_en=questionnaire.title_en,
        title_fr=questionnaire.title_fr,
        intro_en=intro.get("en") or "",
        intro_fr=intro.get("fr") or "",
    )
    db.session.add(questionnaire)
    db.session.flush()
    _audit("create", version, None, {"code": code, **_texts(version)})
    return version


def set_texts(
    version: QuestionnaireVersion,
    title: Mapping[str, str],
    intro: Mapping[str, str] | None = None,
) -> None:
    """A draft's title and introduction, in both languages."""
    _draft(version)
    errors: dict[str, str] = {}
    _check_texts(errors, "title", title, MAX_TITLE)
    if errors:
        raise AuthoringError(errors)
    before = _texts(version)
    questionnaire = version.questionnaire
    questionnaire.title_en = version.title_en = title.get("en") or ""
    questionnaire.title_fr = version.title_fr = title.get("fr") or ""
    intro = intro or {}
    version.intro_en = intro.get("en") or ""
    version.intro_fr = intro.get("fr") or ""
    db.session.flush()
    _audit("edit_texts", version, before, _texts(version))


def _apply(question: Question, spec: QuestionSpec) -> None:
    question.code = spec.code
    question.kind = spec.kind
    question.text_en = spec.text.get("en") or ""
    question.text_fr = spec.text.get("fr") or ""
    question.required = spec.required
    question.options = [dict(option) for option in spec.options]
    question.wordings = {channel: dict(texts) for channel, texts in spec.wordings.items()}
    question.show_if = (
        {
            "question": spec.show_if["question"],
            "values": list(dict.fromkeys(spec.show_if["values"])),
        }
        if spec.show_if
        else None
    )
    question.topic = spec.topic or None


def add_question(
    version: QuestionnaireVersion, spec: QuestionSpec, position: int | None = None
) -> Question:
    """Add a question to a draft, last or at `position` (from 1). The caller commits."""
    _draft(version)
    errors = _check_question(spec)
    if any(q.code == spec.code for q in version.questions):
        errors["code"] = _taken(spec.code)
    specs = [spec_of(q) for q in version.questions]
    index = len(specs) if position is None else min(max(position, 1), len(specs) + 1) - 1
    specs.insert(index, spec)
    errors = placement_problems(specs, index) | errors
    if errors:
        raise AuthoringError(errors)
    question = Question(position=len(version.questions) + 1)
    _apply(question, spec)
    version.questions.append(question)
    db.session.flush()
    _audit("add_question", version, None, _question_entry(question))
    if position is not None:
        move_question(question, position)
    return question


def edit_question(question: Question, spec: QuestionSpec) -> Question:
    """Replace a draft question's code, kind, texts, options and wordings."""
    _draft(question.version)
    errors = _check_question(spec)
    if any(q.code == spec.code and q is not question for q in question.version.questions):
        errors["code"] = _taken(spec.code)
    specs = [spec if q is question else spec_of(q) for q in question.version.questions]
    errors = placement_problems(specs, question.version.questions.index(question)) | errors
    broken = "" if errors else _broken_condition(specs)
    if broken:  # a later question's condition names this one, as it was
        errors[_changed_field(spec_of(question), spec)] = broken
    if errors:
        raise AuthoringError(errors)
    before = _question_entry(question)
    _apply(question, spec)
    db.session.flush()
    after = _question_entry(question)
    if before.keys() != after.keys():  # a new code: one entry says both
        before, after = {"code": next(iter(before))}, {"code": next(iter(after))} | after
    _audit("edit_question", question.version, before, after)
    return question


def _changed_field(before: QuestionSpec, after: QuestionSpec) -> str:
    """The field of an edit that a later question's condition cannot follow."""
    if before.code != after.code:
        return "code"
    return "options" if kinds.of(before) is kinds.of(after) else "kind"


def _refuse_broken_order(ordered: Sequence[Question], key: str) -> None:
    broken = _broken_condition([spec_of(q) for q in ordered])
    if broken:
        raise AuthoringError({key: broken})


def _renumber(version: QuestionnaireVersion, ordered: list[Question]) -> None:
    """Positions 1..n in the given order, through negative positions so that the unique
    (version, position) constraint holds after every statement."""
    for index, question in enumerate(ordered, 1):
        question.position = -index
    db.session.flush()
    for index, question in enumerate(ordered, 1):
        question.position = index
    db.session.flush()
    db.session.refresh(version, ["questions"])


def move_question(question: Question, position: int) -> None:
    """Put a draft question at `position` (from 1; clamped to the list)."""
    version = _draft(question.version)
    ordered = [q for q in version.questions if q is not question]
    index = min(max(position, 1), len(ordered) + 1) - 1
    ordered.insert(index, question)
    _refuse_broken_order(ordered, "position")
    before = _order(version)
    _renumber(version, ordered)
    _audit("move_question", version, before, _order(version))


def reorder(version: QuestionnaireVersion, codes: Sequence[str]) -> None:
    """Put a draft's questions in the order of `codes` (every code, once)."""
    _draft(version)
    by_code = {q.code: q for q in version.questions}
    if sorted(codes) != sorted(by_code):
        raise AuthoringError({"order": _("name every question of the draft exactly once")})
    ordered = [by_code[code] for code in codes]
    _refuse_broken_order(ordered, "order")
    before = _order(version)
    _renumber(version, ordered)
    _audit("move_question", version, before, _order(version))


def remove_question(question: Question) -> None:
    version = _draft(question.version)
    remaining = [q for q in version.questions if q is not question]
    _refuse_broken_order(remaining, "")
    _audit("remove_question", version, _question_entry(question), None)
    version.questions.remove(question)
    db.session.flush()
    _renumber(version, remaining)


def publish(version: QuestionnaireVersion) -> QuestionnaireVersion:
    """Freeze a complete draft as an immutable version; AuthoringError lists what is missing."""
    _draft(version)
    problems = publication_problems(version)
    if problems:
        raise AuthoringError(problems)
    version.published_at = utcnow()
    db.session.flush()
    _audit("publish", version, None, {"published_version": version.number})
    return version


def new_draft(questionnaire: Questionnaire) -> QuestionnaireVersion:
    """The questionnaire's draft: the one under way, else a copy of its latest version."""
    current = draft_of(questionnaire)
    if current is not None:
        return current
    latest = questionnaire.versions[-1]
    # Loaded before the new version exists: a lazy load would autoflush a half-built one.
    questions = list(latest.questions)
    version = QuestionnaireVersion(
        questionnaire=questionnaire,
        number=latest.number + 1,
        title_en=latest.title_en,
        title_fr=latest.title_fr,
        intro_en=latest.intro_en,
        intro_fr=latest.intro_fr,
    )
    for question in questions:
        copy = Question(position=question.position)
        _apply(copy, spec_of(question))
        version.questions.append(copy)
    db.session.add(version)
    db.session.flush()
    db.session.refresh(questionnaire, ["versions"])
    _audit("new_draft", version, None, {"draft": version.number, "copied_from": latest.number})
    return version
