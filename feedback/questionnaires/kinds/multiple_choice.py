"""Any number of options of a list ("select all that apply"); one stored row per option chosen,
so that reports count each option."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from flask_babel import gettext as _
from wtforms import Field, SelectMultipleField
from wtforms.validators import InputRequired, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from feedback.questionnaires.kinds import reading
from feedback.questionnaires.kinds.base import (
    AskedQuestion,
    ChoiceKind,
    FormContext,
    VoiceKeys,
)
from feedback.questionnaires.kinds.reading import Invalid

_SEPARATORS = re.compile(r"[\s,;/&+]+|\bet\b|\band\b")


class CheckboxesField(SelectMultipleField):
    """A group of checkboxes (WTForms' documented recipe)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class MultipleChoice(ChoiceKind):
    name = "multiple_choice"

    def label(self) -> str:
        return _("Several choices from a list")

    def form_field(
        self, text: str, required: bool, options: Sequence[Mapping[str, Any]], context: FormContext
    ) -> Field:
        message = _("Select at least one answer to question %(number)s.", number=context.number)
        return CheckboxesField(
            text,
            choices=self.form_choices(options, context.language),
            validators=[InputRequired(message) if required else Optional()],
            # Not WTForms' default, which is in English and repeats the values posted.
            invalid_choice_message=message,
        )

    def form_value(self, data: Any) -> Any:
        return list(data) or None

    def sms_hint(self) -> str:
        return _("Reply with the numbers of all that apply, e.g. 1 3.")

    def parse_text(self, question: AskedQuestion, text: str) -> list[str]:
        """One label, or the numbers of the options chosen ("1 3", "1, 3", "1 et 3")."""
        found = reading.option_by_label(text, question.options)
        if found is not None:
            return [found]
        parts = [part for part in _SEPARATORS.split(reading.fold(text)) if part]
        if not parts or not all(part.isdigit() for part in parts):
            raise Invalid
        chosen = [reading.option_by_position(int(part), question.options) for part in parts]
        return list(dict.fromkeys(chosen))

    def voice_keys(self, question: AskedQuestion) -> VoiceKeys:
        return VoiceKeys(max_digits=len(question.options), finish_on_key="#")

    def voice_instructions(self, question: AskedQuestion, language: str) -> str:
        return " ".join(
            (
                self.voice_option_instructions(question, language),
                _("Press every key that applies, then the pound key."),
            )
        )

    def read_keys(self, question: AskedQuestion, digits: str) -> list[str]:
        """Each key one option ("13" chooses the first and the third)."""
        if not digits.isdigit() or len(question.options) > 9:
            raise Invalid
        chosen = [reading.option_by_position(int(key), question.options) for key in digits]
        return list(dict.fromkeys(chosen))

    def answer_rows(self, value: Any) -> list[dict[str, Any]]:
        values = [value] if isinstance(value, str) else list(value)
        return [{"value_choice": str(item)} for item in values]
