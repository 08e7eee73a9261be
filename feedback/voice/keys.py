"""Reading keypad digits as the answer to a question (through the question's kind)."""

from __future__ import annotations

from typing import Any

from feedback.channels.base import Question
from feedback.questionnaires import kinds
from feedback.voice.steps import Keys

#: Seconds of silence after the prompt before the keys pressed (maybe none) are the reply.
KEY_TIMEOUT = 6


def keys_for(question: Question) -> Keys | None:
    """What to collect: one key, or several ended by #; None when the answer is spoken."""
    keys = kinds.of(question).voice_keys(question)
    if keys is None:
        return None
    return Keys(max_digits=keys.max_digits, timeout=KEY_TIMEOUT, finish_on_key=keys.finish_on_key)


def read_keys(question: Question, digits: str) -> Any:
    """The cleaned value the keys give for `question`; Invalid when they give none.

    * and # (other than the one that ends an entry) are never an answer.
    """
    return kinds.of(question).read_keys(question, digits)
