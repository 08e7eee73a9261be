"""Simple conditions: a question asked only when an earlier answer is in a set.

A question's ``show_if`` is ``{"question": "<an earlier question's code>", "values": [...]}``,
the values being answers as the kind of that question names them (see
``QuestionKind.answer_key``): a scale's points ("4", "5"), "yes" or "no", options' values.
None means the question is always asked. The authoring services check a condition when it is
written; this module says whether it holds, for every channel alike: the web form, a text
conversation and a call all ask exactly the questions whose condition holds, given the answers
given so far, in order. A question that was not asked has no answer, so a question depending
on it is not asked either.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

#: Each answered question's answer keys, by question code.
Answered = Mapping[str, frozenset[str]]


def holds(show_if: Mapping[str, Any] | None, answered: Answered) -> bool:
    """Whether a question with this condition is asked, given the answers so far."""
    if not show_if:
        return True
    given = answered.get(show_if["question"], frozenset())
    return not given.isdisjoint(show_if["values"])
