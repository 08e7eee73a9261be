"""An answer in the client's own words: typed on the web or by text, spoken on the phone (the
provider keeps the recording; the answer keeps its reference). Not counted by value in reports:
comments are read, scrubbed and coded instead."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from flask_babel import format_number
from flask_babel import gettext as _
from wtforms import Field, TextAreaField
from wtforms.validators import InputRequired, Length, Optional

from feedback.questionnaires.kinds.base import AskedQuestion, FormContext, QuestionKind
from feedback.questionnaires.kinds.reading import Invalid

#: Longest answer kept from the web form.
MAX_LENGTH = 2000


@dataclass(frozen=True)
class VoiceRecording:
    """A free-text answer given aloud: the provider's reference to the recording."""

    ref: str


def _strip(value: str | None) -> str | None:
    return value.strip() if isinstance(value, str) else value


class FreeText(QuestionKind):
    name = "free_text"
    grouped = False
    spoken_answer = True

    def label(self) -> str:
        return _("An answer in the client's own words")

    def builder_notes(self) -> list[str]:
        return [
            _(
                "Answers on the web form are limited to %(max)s characters.",
                max=format_number(MAX_LENGTH),
            )
        ]

    def form_field(
        self, text: str, required: bool, options: Sequence[Mapping[str, Any]], context: FormContext
    ) -> Field:
        required_message = _("Enter an answer to question %(number)s.", number=context.number)
        return TextAreaField(
            text,
            validators=[
                InputRequired(required_message) if required else Optional(),
                Length(
                    max=MAX_LENGTH,
                    message=_(
                        "Your answer to question %(number)s must be %(max)s characters or fewer.",
                        number=context.number,
                        max=format_number(MAX_LENGTH),
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
                    _("You can enter up to %(max)s characters.", max=format_number(MAX_LENGTH)),
                )
            ),
            # No maxlength: a browser would cut a pasted answer short without saying so.
            render_kw={"rows": 6},
        )

    def form_value(self, data: Any) -> Any:
        return data or None

    def condition_choices(
        self, options: Sequence[Mapping[str, Any]], language: str
    ) -> list[tuple[str, str]]:
        return []  # no set of answers for a condition to name

    def sms_hint(self) -> str:
        return _("Reply in your own words.")

    def sms_option_lines(self, question: AskedQuestion, language: str) -> list[str]:
        return []

    def parse_text(self, question: AskedQuestion, text: str) -> str:
        value = text.strip()
        if not value:
            raise Invalid
        return value

    def voice_keys(self, question: AskedQuestion) -> None:
        return None

    def voice_instructions(self, question: AskedQuestion, language: str) -> str:
        return _(
            "After the tone, please answer in your own words. Your answer will be recorded. "
            "Press the pound key when you are done."
        )

    def read_keys(self, question: AskedQuestion, digits: str) -> Any:
        raise Invalid  # spoken, never keyed

    def answer_rows(self, value: Any) -> list[dict[str, Any]]:
        if isinstance(value, VoiceRecording):
            return [{"recording_ref": value.ref}]
        return [{"value_text": str(value)}]
