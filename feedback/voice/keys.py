"""Reading keypad digits as the answer to a question."""

from __future__ import annotations

from typing import Any

from feedback.channels.base import Question
from feedback.conversations.parsing import Invalid, parse_answer
from feedback.surveys.models import QuestionKind
from feedback.voice.steps import Keys

#: Seconds of silence after the prompt before the keys pressed (maybe none) are the reply.
KEY_TIMEOUT = 6
_YES_NO = {"1": True, "2": False}


def keys_for(question: Question) -> Keys:
    """What to collect: one key, or two ended by # for 0-10 and long lists of choices."""
    kind = QuestionKind(question.kind)
    if kind is QuestionKind.NPS or (
        kind is QuestionKind.SINGLE_CHOICE and len(question.options) > 9
    ):
        return Keys(max_digits=2, timeout=KEY_TIMEOUT, finish_on_key="#")
    return Keys(max_digits=1, timeout=KEY_TIMEOUT)


def read_keys(question: Question, digits: str) -> Any:
    """The cleaned value the keys give for `question`; Invalid when they give none.

    Scales take their number; yes/no takes 1 (yes) or 2 (no); a choice takes its position in
    the list as read; * and # (other than the one that ends an entry) are never an answer.
    """
    if not digits.isdigit():
        raise Invalid
    kind = QuestionKind(question.kind)
    if kind is QuestionKind.YES_NO:
        if digits not in _YES_NO:
            raise Invalid
        return _YES_NO[digits]
    if kind is QuestionKind.SINGLE_CHOICE:
        position = int(digits)
        if not 1 <= position <= len(question.options):
            raise Invalid
        return str(question.options[position - 1]["value"])
    if kind is QuestionKind.FREE_TEXT:
        raise Invalid
    return parse_answer(question, digits)
