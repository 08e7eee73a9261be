"""The client's survey form, built from the ordered questions of a questionnaire version.

Each question's field comes from its kind (the registry in :mod:`feedback.questionnaires.kinds`).
Field names are stable (``q_<code>``) so that a posted form still maps onto the same questions
whatever the language it was shown in.

A published version never changes, so what the page needs of it (its title and intro, the form
class with every label, choice and message translated, the HTML of its blank questions and the
whole blank page, with marks for each client's own values) is built once per version and
language and kept by the process (:func:`survey_version`); a request then costs no query of the
version, no field construction and no template rendering. A draft is built afresh each time.

A question with a condition (:mod:`feedback.questionnaires.conditions`) is on the page with a
note that says when to answer it ("Answer this question only if you chose “No” in question
2."); where the browser supports CSS ``:has()``, it is hidden until an answer that it depends on
is chosen (the classes of :func:`_condition_classes`, rules in feedback.css), with no script.
The server decides alike: the answer to a question whose condition does not hold is discarded,
and such a question is never required.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from threading import Lock
from typing import Any, ClassVar

from babel.lists import format_list
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from markupsafe import Markup
from sqlalchemy.orm import selectinload
from wtforms import Field, RadioField, SelectChoice
from wtforms.validators import InputRequired

from feedback.extensions import db
from feedback.questionnaires import conditions, kinds
from feedback.questionnaires.kinds.base import FormContext, QuestionKind
from feedback.questionnaires.models import Question, QuestionnaireVersion

#: Versions (times two languages) kept by a process; the oldest goes first beyond this.
MAX_CACHED_VERSIONS = 256
#: Blank pages kept per version and language (one per program name it is shown under).
MAX_BLANK_PAGES = 8
#: Conditional questions of a version that the page can hide and show by CSS alone (as many
#: rules as feedback.css has, ``.shows-N`` / ``.shown-by-N``); any beyond stay on the page,
#: with their note, and the server still discards an answer that does not apply.
CSS_CONDITIONS = 24


@dataclass(frozen=True)
class SurveyQuestion:
    """A question as the web form needs it: plain data, safe to keep between requests (an ORM
    row is bound to one request's session)."""

    id: str
    code: str
    kind: str
    required: bool
    #: Its condition (see feedback.questionnaires.conditions); None: always asked.
    show_if: Mapping[str, Any] | None = None
    #: When to answer it, in the form's language ("" when always).
    condition_note: str = ""
    #: Classes of the question's block: hidden by CSS while its condition does not hold.
    condition_classes: str = ""
    #: Classes of each of its choices, by answer key: the conditions the choice fulfils.
    choice_classes: Mapping[str, str] = field(default_factory=dict)


def field_name(question: SurveyQuestion | Question) -> str:
    return f"q_{question.code}"


def _field(question: Question, number: int, language: str) -> Field:
    """An unbound field for one question; its label is the question in the current language."""
    return kinds.of(question).form_field(
        question.text(language),
        question.required,
        question.options or [],
        FormContext(number=number, language=language),
    )


class SurveyForm(FlaskForm):
    """Base of the per-version form classes made by :func:`survey_version`."""

    questions: ClassVar[tuple[SurveyQuestion, ...]] = ()

    def entries(self) -> list[tuple[SurveyQuestion, Field, QuestionKind]]:
        """The questions in order, each with its bound field and its kind."""
        return [(q, self[field_name(q)], kinds.of(q)) for q in self.questions]

    def first_input_id(self, field: Field, kind: QuestionKind) -> str:
        """Where an error summary link should land: the field, or a group's first choice."""
        return f"{field.id}-0" if kind.grouped else field.id

    def choice_classes(self, question: SurveyQuestion, kind: QuestionKind, choice: Field) -> str:
        """The classes of one choice's input: the conditions choosing it fulfils."""
        return question.choice_classes.get(kind.answer_key(choice.data), "")

    #: Codes of the questions whose condition did not hold in the posted answers.
    skipped: frozenset[str] = frozenset()

    def validate(self, extra_validators: Mapping[str, Sequence[Any]] | None = None) -> bool:
        """Every field's validators, then the conditions, in order: a question whose condition
        does not hold has no answer and no error (it may be required, when it applies)."""
        super().validate(extra_validators)
        answered: dict[str, frozenset[str]] = {}
        skipped = set()
        for question, bound, kind in self.entries():
            if not conditions.holds(question.show_if, answered):
                skipped.add(question.code)
                bound.errors = []
                bound.data = None
            elif not bound.errors:
                answered[question.code] = kind.answer_keys(kind.form_value(bound.data))
        self.skipped = frozenset(skipped)
        return not self.errors

    def answers(self) -> dict[str, Any]:
        """Cleaned values keyed by question id; None for a question left unanswered or whose
        condition did not hold (call after :meth:`validate`)."""
        return {
            question.id: None if question.code in self.skipped else kind.form_value(field.data)
            for question, field, kind in self.entries()
        }


@dataclass
class SurveyVersion:
    """What the survey page shows of one version in one language."""

    title: str
    intro: str
    form_class: type[SurveyForm]
    #: The questions as a blank form renders them (set on first use, by :meth:`blank_questions`).
    _blank_html: Markup | None = None

    def blank_questions(self, render: Callable[[], Markup]) -> Markup:
        """The questions of a form with no answer and no error: the same for every client, so
        rendered once (`render` renders them from a blank form)."""
        if self._blank_html is None:
            self._blank_html = render()
        return self._blank_html

    #: Whole blank pages by program name (the one part of the page not of the version), each
    #: with marks where a client's own values go (see surveys.views.form).
    _blank_pages: dict[str, str] = field(default_factory=dict)

    def blank_page(self, program_name: str, render: Callable[[], str]) -> str:
        """The page of a blank form for `program_name`, rendered once (by `render`). A renamed
        program gets a page of its own; the few names a version is shown under are kept."""
        page = self._blank_pages.get(program_name)
        if page is None:
            page = render()
            if len(self._blank_pages) >= MAX_BLANK_PAGES:
                self._blank_pages.clear()
            self._blank_pages[program_name] = page
        return page


def _condition_note(
    question: Question, by_code: Mapping[str, tuple[int, Question]], language: str
) -> str:
    """When to answer `question`, in the current locale, `language` ("" when always)."""
    if not question.show_if or question.show_if["question"] not in by_code:
        return ""
    number, controlling = by_code[question.show_if["question"]]
    labels = dict(kinds.of(controlling).condition_choices(controlling.options or [], language))
    chosen = [
        _("“%(answer)s”", answer=labels.get(value, value)) for value in question.show_if["values"]
    ]
    return _(
        "Answer this question only if you chose %(answers)s in question %(number)s.",
        answers=format_list(chosen, style="or", locale=get_locale()),
        number=number,
    )


def _condition_classes(
    questions: Sequence[Question],
) -> tuple[dict[str, str], dict[str, dict[str, str]]]:
    """The CSS classes that hide a conditional question until a choice it depends on is made:
    its block is ``shown-by-N`` (N numbering the conditions, and also those its controlling
    question depends on, so that a chain hides as a whole), and every choice that fulfils
    condition N is ``shows-N``. By question code: the block's classes, the choices' by key."""
    blocks: dict[str, list[str]] = {}
    choices: dict[str, dict[str, list[str]]] = {}
    conditional = [q for q in questions if q.show_if][:CSS_CONDITIONS]
    for slot, question in enumerate(conditional, 1):
        assert question.show_if is not None
        controlling = question.show_if["question"]
        blocks[question.code] = [f"shown-by-{slot}", *blocks.get(controlling, [])]
        keys = choices.setdefault(controlling, {})
        for value in question.show_if["values"]:
            keys.setdefault(value, []).append(f"shows-{slot}")
    return (
        {code: " ".join(names) for code, names in blocks.items()},
        {
            code: {key: " ".join(names) for key, names in keys.items()}
            for code, keys in choices.items()
        },
    )


def _build(version: QuestionnaireVersion, language: str) -> SurveyVersion:
    """The form class and texts of `version`; labels are translated into the current locale,
    which the caller has set to `language`."""
    questions = version.questions
    attributes: dict[str, Any] = {
        field_name(q): _field(q, number, language) for number, q in enumerate(questions, 1)
    }
    by_code = {q.code: (number, q) for number, q in enumerate(questions, 1)}
    blocks, choices = _condition_classes(questions)
    attributes["questions"] = tuple(
        SurveyQuestion(
            id=q.id,
            code=q.code,
            kind=q.kind,
            required=q.required,
            show_if=q.show_if,
            condition_note=_condition_note(q, by_code, language),
            condition_classes=blocks.get(q.code, ""),
            choice_classes=choices.get(q.code, {}),
        )
        for q in questions
    )
    return SurveyVersion(
        title=version.title(language),
        intro=version.intro(language),
        form_class=type("VersionSurveyForm", (SurveyForm,), attributes),
    )


_cache: dict[tuple[str, str], SurveyVersion] = {}
_cache_lock = Lock()


def survey_version(version_id: str, language: str) -> SurveyVersion:
    """The page's view of a version in `language` (the current locale), built once if published.

    Only a published version is kept: a draft may still change. (Rules refuse drafts, so no
    invitation should lead to one; if one did, it would be built on every request, never stale.)
    """
    key = (version_id, language)
    found = _cache.get(key)
    if found is not None:
        return found
    # One build at a time: the threads of a fresh process, all asking for the same version at
    # once, wait for the first one's build (a few ms) instead of each building it, one after
    # the other under the interpreter lock.
    with _cache_lock:
        found = _cache.get(key)
        if found is not None:
            return found
        version = db.session.get(
            QuestionnaireVersion, version_id, options=[selectinload(QuestionnaireVersion.questions)]
        )
        assert version is not None  # an invitation's version is never deleted
        built = _build(version, language)
        if version.is_published:
            while len(_cache) >= MAX_CACHED_VERSIONS:
                del _cache[next(iter(_cache))]
            _cache[key] = built
    return built


#: The unsubscribe page's choices: every channel (the default), or only this way of being asked.
EVERY_CHANNEL, THIS_CHANNEL = "all", "channel"


def only_this_way(medium: str) -> str:
    """The unsubscribe page's second choice, named after the way this survey came."""
    labels = {
        "email": _l("Only surveys sent by email"),
        "sms": _l("Only surveys sent by text message"),
        "voice": _l("Only surveys by automated phone call"),
    }
    return str(labels.get(medium, _l("Only surveys sent the same way as this one")))


class UnsubscribeForm(FlaskForm):
    """Which surveys to stop; the POST itself, with its CSRF token, is the confirmation."""

    scope = RadioField(
        _l("Which surveys do you want to stop?"),
        choices=[SelectChoice(EVERY_CHANNEL, _l("All feedback surveys, however they are sent"))],
        default=EVERY_CHANNEL,
        validators=[InputRequired(_l("Select which surveys to stop."))],
    )
