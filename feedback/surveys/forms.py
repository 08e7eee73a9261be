"""The client's survey form, built from the ordered questions of a questionnaire version.

A published version never changes, but versions differ, so the form class is made per request
from the version's questions. Field names are stable (``q_<code>``) so that a posted form still
maps onto the same questions whatever the language it was shown in.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

from flask_babel import format_number
from flask_babel import gettext as _
from flask_wtf import FlaskForm
from wtforms import Field, RadioField, SelectChoice, TextAreaField
from wtforms.validators import InputRequired, Length, Optional

from feedback.surveys.models import Question, QuestionKind

FREE_TEXT_MAX = 2000


def field_name(question: Question) -> str:
    return f"q_{question.code}"


def _strip(value: str | None) -> str | None:
    return value.strip() if isinstance(value, str) else value


def _scale(low: int, high: int, low_words: str, high_words: str) -> list[SelectChoice]:
    """Every point of a scale, with words for both ends so nobody has to guess which is good."""
    labels = {low: f"{low} – {low_words}", high: f"{high} – {high_words}"}
    return [SelectChoice(value=n, label=labels.get(n, str(n))) for n in range(low, high + 1)]


def _choices(question: Question, language: str) -> tuple[list[SelectChoice], type]:
    kind = question.kind
    if kind is QuestionKind.RATING:
        return _scale(1, 5, _("Very poor"), _("Very good")), int
    if kind is QuestionKind.NPS:
        return _scale(0, 10, _("Not at all likely"), _("Extremely likely")), int
    if kind is QuestionKind.YES_NO:
        return [SelectChoice(value=1, label=_("Yes")), SelectChoice(value=0, label=_("No"))], int
    options = question.options or []
    return [
        SelectChoice(value=o["value"], label=question.option_label(o["value"], language))
        for o in options
    ], str


def _field(question: Question, number: int, language: str) -> Any:
    """An unbound field for one question; its label is the question in the current language."""
    text = question.text(language)
    if question.kind is QuestionKind.FREE_TEXT:
        required_message = _("Enter an answer to question %(number)s.", number=number)
        return TextAreaField(
            text,
            validators=[
                InputRequired(required_message) if question.required else Optional(),
                Length(
                    max=FREE_TEXT_MAX,
                    message=_(
                        "Your answer to question %(number)s must be %(max)s characters or fewer.",
                        number=number,
                        max=format_number(FREE_TEXT_MAX),
                    ),
                ),
            ],
            filters=[_strip],
            description=" ".join(
                (
                    _(
                        "Do not include personal information, such as your name, phone number, "
                        "email address or file number."
                    ),
                    _("You can enter up to %(max)s characters.", max=format_number(FREE_TEXT_MAX)),
                )
            ),
            # No maxlength: a browser would cut a pasted answer short without saying so.
            render_kw={"rows": 6},
        )
    choices, coerce = _choices(question, language)
    choose_message = _("Select an answer to question %(number)s.", number=number)
    return RadioField(
        text,
        choices=choices,
        coerce=coerce,
        validators=[InputRequired(choose_message) if question.required else Optional()],
        invalid_value_message=choose_message,
        invalid_choice_message=choose_message,
    )


class SurveyForm(FlaskForm):
    """Base of the per-version form classes made by :func:`survey_form`."""

    questions: ClassVar[tuple[Question, ...]] = ()

    def entries(self) -> list[tuple[Question, Field]]:
        """The questions in order, each with its bound field."""
        return [(q, self[field_name(q)]) for q in self.questions]

    def first_input_id(self, field: Field) -> str:
        """Where an error summary link should land: the field, or a group's first radio."""
        return f"{field.id}-0" if isinstance(field, RadioField) else field.id

    def answers(self) -> dict[str, Any]:
        """Cleaned values keyed by question id; None for a question left unanswered."""
        cleaned: dict[str, Any] = {}
        for question, field in self.entries():
            value = field.data
            if question.kind is QuestionKind.FREE_TEXT:
                value = value or None
            cleaned[question.id] = value
        return cleaned


def survey_form(questions: Sequence[Question], language: str) -> SurveyForm:
    """Build the form for these questions (in order) and bind it to the current request."""
    attributes: dict[str, Any] = {
        field_name(q): _field(q, number, language) for number, q in enumerate(questions, 1)
    }
    attributes["questions"] = tuple(questions)
    form_class = type("VersionSurveyForm", (SurveyForm,), attributes)
    return form_class()


class UnsubscribeForm(FlaskForm):
    """No fields: the POST itself, with its CSRF token, is the confirmation."""
