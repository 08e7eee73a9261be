"""Yes or no, stored as 1 or 0."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from flask_babel import gettext as _
from wtforms import SelectChoice

from feedback.questionnaires.kinds import reading
from feedback.questionnaires.kinds.base import AskedQuestion, QuestionKind
from feedback.questionnaires.kinds.reading import Invalid

_KEYS = {"1": True, "2": False}


class YesNo(QuestionKind):
    name = "yes_no"

    def label(self) -> str:
        return _("Yes or no")

    def form_choices(
        self, options: Sequence[Mapping[str, Any]], language: str
    ) -> list[SelectChoice]:
        return [SelectChoice(value=1, label=_("Yes")), SelectChoice(value=0, label=_("No"))]

    def answer_key(self, value: Any) -> str:
        return "yes" if _is_yes(value) else "no"

    def sms_hint(self) -> str:
        return _("Reply YES or NO.")

    def parse_text(self, question: AskedQuestion, text: str) -> bool:
        return reading.yes_no(text)

    def voice_instructions(self, question: AskedQuestion, language: str) -> str:
        return _("Press 1 for yes, or 2 for no.")

    def read_keys(self, question: AskedQuestion, digits: str) -> bool:
        if digits not in _KEYS:
            raise Invalid
        return _KEYS[digits]

    def answer_rows(self, value: Any) -> list[dict[str, Any]]:
        return [{"value_int": 1 if _is_yes(value) else 0}]


def _is_yes(value: Any) -> bool:
    """A yes as the form (1), a reply (True), a stored row (1) or a condition ("yes") has it."""
    return value in (True, 1, "1", "yes")
