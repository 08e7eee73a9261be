"""One option of a list written by the questionnaire's author."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _

from feedback.questionnaires.kinds import reading
from feedback.questionnaires.kinds.base import AskedQuestion, ChoiceKind
from feedback.questionnaires.kinds.reading import Invalid


class SingleChoice(ChoiceKind):
    name = "single_choice"

    def label(self) -> str:
        return _("One choice from a list")

    def sms_hint(self) -> str:
        return _("Reply with the number of your answer.")

    def parse_text(self, question: AskedQuestion, text: str) -> str:
        """Its number in the list, or its label in either language."""
        found = reading.option_by_label(text, question.options)
        if found is not None:
            return found
        return reading.option_by_position(
            reading.number(text, 1, len(question.options)), question.options
        )

    def voice_instructions(self, question: AskedQuestion, language: str) -> str:
        return self.voice_option_instructions(question, language)

    def read_keys(self, question: AskedQuestion, digits: str) -> str:
        if not digits.isdigit():
            raise Invalid
        return reading.option_by_position(int(digits), question.options)

    def answer_rows(self, value: Any) -> list[dict[str, Any]]:
        return [{"value_choice": str(value)}]
