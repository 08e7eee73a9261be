"""What every kind of question knows, whatever carries the survey.

A kind is one small class (one module each, listed in :mod:`feedback.questionnaires.kinds`):

* authoring: its name and label, whether it has options, and how to check them;
* the web form: its WTForms field, and the cleaned value of a posted field;
* text messages: the hint that says how to reply, the options listed, and reading a reply;
* the phone: the keys to collect (or a spoken answer), their instructions, and reading them;
* storage: the answer's typed columns (a multiple choice is one row per option chosen);
* reporting: the figure it feeds (satisfaction, NPS, effort) and its scale.

The web form, the SMS and voice engines, response storage and reporting ask the kind; none of
them branches on a kind's name.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar, Protocol

from flask_babel import format_number
from flask_babel import gettext as _
from wtforms import Field, RadioField, SelectChoice
from wtforms.validators import InputRequired, Optional

from feedback.questionnaires.kinds import reading
from feedback.questionnaires.kinds.reading import Invalid

#: An answer stores the value of the option chosen (responses.Answer.value_choice: 64).
MAX_OPTION_VALUE = 64
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


class AskedQuestion(Protocol):
    """A question as a channel asks it (feedback.channels.Question), or as stored."""

    @property
    def options(self) -> Sequence[Mapping[str, Any]]: ...


@dataclass(frozen=True)
class Scale:
    """An integer scale; `top_from` starts its top box (satisfied, promoters, low effort) and
    `bottom_to` ends its bottom box where the figure has one (NPS detractors)."""

    low: int
    high: int
    top_from: int
    bottom_to: int | None = None


@dataclass(frozen=True)
class VoiceKeys:
    """Keys to collect on the phone: up to `max_digits`, or fewer ended by `finish_on_key`."""

    max_digits: int
    finish_on_key: str | None = None


@dataclass(frozen=True)
class FormContext:
    """What a form field needs to say besides the question: its number in the form."""

    number: int
    language: str


def choose_message(context: FormContext) -> str:
    return _("Select an answer to question %(number)s.", number=context.number)


def option_label(option: Mapping[str, Any], language: str) -> str:
    return str(option.get(language) or option.get("en") or option["value"])


class QuestionKind:
    """The base of every kind; subclasses override what differs."""

    #: Stored in Question.kind and in questionnaire files.
    name: ClassVar[str]
    #: Whether the question lists options ({"value", "en", "fr"}), and how many at least.
    has_options: ClassVar[bool] = False
    min_options: ClassVar[int] = 0
    #: On the web form: a group of choices (a fieldset of radios or checkboxes) or a text box;
    #: a scale's choices are laid out in a row.
    grouped: ClassVar[bool] = True
    scale_layout: ClassVar[bool] = False
    #: The report figure the answers feed ("satisfaction", "nps", "effort"), with its scale.
    figure: ClassVar[str | None] = None
    scale: ClassVar[Scale | None] = None
    #: True when the answer is given in the client's own words (on the phone, aloud).
    spoken_answer: ClassVar[bool] = False

    def label(self) -> str:
        """The kind's name for the questionnaire builder, in the current language."""
        raise NotImplementedError

    def builder_notes(self) -> list[str]:
        """What the builder says of this kind's answers besides its fields (e.g. their length
        limit), in the current language."""
        return []

    # --- authoring -----------------------------------------------------------------------------

    def check_options(self, options: Sequence[Mapping[str, Any]]) -> list[str]:
        """What is wrong with a question's options (none when the kind takes none)."""
        if not self.has_options:
            return [_("this kind of question takes no options")] if options else []
        problems = []
        if len(options) < self.min_options:
            problems.append(_("give at least %(number)s options", number=self.min_options))
        values = [str(option.get("value", "")).strip() for option in options]
        if any(not value for value in values):
            problems.append(_("every option needs a value"))
        if any(len(value) > MAX_OPTION_VALUE or _CONTROL.search(value) for value in values):
            problems.append(
                _(
                    "an option's value is at most %(most)s characters, without control characters",
                    most=MAX_OPTION_VALUE,
                )
            )
        if len(set(values)) != len(values):
            problems.append(_("two options have the same value"))
        for index, option in enumerate(options, 1):
            for lang in ("en", "fr"):
                if not str(option.get(lang, "")).strip():
                    problems.append(
                        _("option %(number)s has no %(lang)s label", number=index, lang=lang)
                    )
        return problems

    # --- the web form --------------------------------------------------------------------------

    def form_field(
        self, text: str, required: bool, options: Sequence[Mapping[str, Any]], context: FormContext
    ) -> Field:
        """An unbound field whose label is the question in the form's language."""
        return RadioField(
            text,
            choices=self.form_choices(options, context.language),
            coerce=self.form_coerce,
            validators=[InputRequired(choose_message(context)) if required else Optional()],
            invalid_value_message=choose_message(context),
            invalid_choice_message=choose_message(context),
        )

    form_coerce: ClassVar[type] = int

    def form_choices(
        self, options: Sequence[Mapping[str, Any]], language: str
    ) -> list[SelectChoice]:
        raise NotImplementedError

    def form_value(self, data: Any) -> Any:
        """The cleaned value of a posted field; None when the question was left unanswered."""
        return data

    # --- conditions ----------------------------------------------------------------------------

    def answer_key(self, value: Any) -> str:
        """One chosen answer as a condition names it: a scale's point ("4"), an option's value.
        `value` is a form choice's value or a cleaned value."""
        return str(value)

    def answer_keys(self, value: Any) -> frozenset[str]:
        """The keys of a cleaned answer (several for a multiple choice); none when unanswered."""
        if value is None or value == "":
            return frozenset()
        values = value if isinstance(value, list | tuple | set | frozenset) else (value,)
        return frozenset(self.answer_key(item) for item in values)

    def condition_choices(
        self, options: Sequence[Mapping[str, Any]], language: str
    ) -> list[tuple[str, str]]:
        """The answers a later question's condition may name, as (key, label) in the order
        shown; none when the answer is in the client's own words."""
        return [
            (self.answer_key(choice.value), str(choice.label))
            for choice in self.form_choices(options, language)
        ]

    # --- text messages -------------------------------------------------------------------------

    def sms_hint(self) -> str:
        """How to reply, in the current language (GSM-7 in both: see conversations.texts)."""
        raise NotImplementedError

    def sms_option_lines(self, question: AskedQuestion, language: str) -> list[str]:
        """The options as listed under the question, numbered from 1."""
        return [
            f"{index} {option_label(option, language)}"
            for index, option in enumerate(question.options, start=1)
        ]

    def parse_text(self, question: AskedQuestion, text: str) -> Any:
        """The cleaned value a text reply gives; Invalid when it gives none."""
        raise NotImplementedError

    # --- the phone -----------------------------------------------------------------------------

    def voice_keys(self, question: AskedQuestion) -> VoiceKeys | None:
        """The keys to collect; None when the answer is spoken (recorded)."""
        return VoiceKeys(max_digits=1)

    def voice_instructions(self, question: AskedQuestion, language: str) -> str:
        """What to press, said after the question, in the current language."""
        raise NotImplementedError

    def read_keys(self, question: AskedQuestion, digits: str) -> Any:
        """The cleaned value the keys give; Invalid when they give none."""
        raise NotImplementedError

    # --- storage -------------------------------------------------------------------------------

    def answer_rows(self, value: Any) -> list[dict[str, Any]]:
        """The answer's typed columns, one dict per stored row."""
        raise NotImplementedError


class ScaleKind(QuestionKind):
    """Every point of an integer scale, with words at both ends so nobody has to guess which
    end is good."""

    scale_layout = True
    scale: ClassVar[Scale]

    def ends(self) -> tuple[str, str]:
        """The words for the low and the high end, in the current language."""
        raise NotImplementedError

    def form_choices(
        self, options: Sequence[Mapping[str, Any]], language: str
    ) -> list[SelectChoice]:
        low, high = self.scale.low, self.scale.high
        low_words, high_words = self.ends()
        labels = {low: f"{low} – {low_words}", high: f"{high} – {high_words}"}
        return [SelectChoice(value=n, label=labels.get(n, str(n))) for n in range(low, high + 1)]

    def parse_text(self, question: AskedQuestion, text: str) -> int:
        return reading.number(text, self.scale.low, self.scale.high)

    def read_keys(self, question: AskedQuestion, digits: str) -> int:
        if not digits.isdigit():
            raise Invalid
        return reading.number(digits, self.scale.low, self.scale.high)

    def voice_keys(self, question: AskedQuestion) -> VoiceKeys:
        if self.scale.high > 9:  # two digits: ended by #
            return VoiceKeys(max_digits=len(str(self.scale.high)), finish_on_key="#")
        return VoiceKeys(max_digits=1)

    def answer_rows(self, value: Any) -> list[dict[str, Any]]:
        return [{"value_int": int(value)}]

    def numbers(self) -> dict[str, str]:
        """The scale's ends as the current locale writes numbers, for messages."""
        return {"low": format_number(self.scale.low), "high": format_number(self.scale.high)}


class ChoiceKind(QuestionKind):
    """A list of options written by the questionnaire's author."""

    has_options = True
    min_options = 2
    form_coerce = str

    def form_choices(
        self, options: Sequence[Mapping[str, Any]], language: str
    ) -> list[SelectChoice]:
        return [
            SelectChoice(value=str(option["value"]), label=option_label(option, language))
            for option in options
        ]

    def voice_keys(self, question: AskedQuestion) -> VoiceKeys:
        if len(question.options) > 9:
            return VoiceKeys(max_digits=2, finish_on_key="#")
        return VoiceKeys(max_digits=1)

    def voice_option_instructions(self, question: AskedQuestion, language: str) -> str:
        return " ".join(
            _("%(choice)s: press %(key)s.", choice=option_label(option, language), key=key)
            for key, option in enumerate(question.options, start=1)
        )
