"""The client's survey form, built from the ordered questions of a questionnaire version.

A published version never changes, but versions differ, so the form class is made per request
from the version's questions; each question's field comes from its kind (the registry in
:mod:`feedback.questionnaires.kinds`). Field names are stable (``q_<code>``) so that a posted
form still maps onto the same questions whatever the language it was shown in.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import Field, RadioField, SelectChoice
from wtforms.validators import InputRequired

from feedback.questionnaires import kinds
from feedback.questionnaires.kinds.base import FormContext, QuestionKind
from feedback.questionnaires.models import Question


def field_name(question: Question) -> str:
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
    """Base of the per-version form classes made by :func:`survey_form`."""

    questions: ClassVar[tuple[Question, ...]] = ()

    def entries(self) -> list[tuple[Question, Field, QuestionKind]]:
        """The questions in order, each with its bound field and its kind."""
        return [(q, self[field_name(q)], kinds.of(q)) for q in self.questions]

    def first_input_id(self, field: Field, kind: QuestionKind) -> str:
        """Where an error summary link should land: the field, or a group's first choice."""
        return f"{field.id}-0" if kind.grouped else field.id

    def answers(self) -> dict[str, Any]:
        """Cleaned values keyed by question id; None for a question left unanswered."""
        return {
            question.id: kind.form_value(field.data) for question, field, kind in self.entries()
        }


def survey_form(questions: Sequence[Question], language: str) -> SurveyForm:
    """Build the form for these questions (in order) and bind it to the current request."""
    attributes: dict[str, Any] = {
        field_name(q): _field(q, number, language) for number, q in enumerate(questions, 1)
    }
    attributes["questions"] = tuple(questions)
    form_class = type("VersionSurveyForm", (SurveyForm,), attributes)
    return form_class()


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
