"""The registry of question kinds: one module per kind, each a small class (see :mod:`.base`).

Adding a kind is adding a module here and its line below; the web form, the SMS and voice
engines, response storage, reporting and the questionnaire builder all ask this registry.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Protocol

from feedback.questionnaires.kinds.base import QuestionKind
from feedback.questionnaires.kinds.contact_consent import ContactConsent
from feedback.questionnaires.kinds.effort import Effort
from feedback.questionnaires.kinds.free_text import FreeText
from feedback.questionnaires.kinds.multiple_choice import MultipleChoice
from feedback.questionnaires.kinds.nps import Nps
from feedback.questionnaires.kinds.rating import Rating
from feedback.questionnaires.kinds.single_choice import SingleChoice
from feedback.questionnaires.kinds.yes_no import YesNo

__all__ = ["KINDS", "QuestionKind", "UnknownKind", "feeding", "get", "of"]

#: Every kind by name, in the order the builder lists them. Kinds hold no state.
KINDS: Mapping[str, QuestionKind] = MappingProxyType(
    {
        kind.name: kind
        for kind in (
            Rating(),
            Nps(),
            Effort(),
            YesNo(),
            ContactConsent(),
            SingleChoice(),
            MultipleChoice(),
            FreeText(),
        )
    }
)


class UnknownKind(KeyError):
    """No kind of question has this name."""


class HasKind(Protocol):
    @property
    def kind(self) -> str: ...


def get(name: str) -> QuestionKind:
    try:
        return KINDS[name]
    except KeyError:
        known = ", ".join(KINDS)
        raise UnknownKind(f"no kind of question {name!r} (kinds: {known})") from None


def of(question: HasKind) -> QuestionKind:
    """The kind of a question (stored, or as a channel sees it)."""
    return get(question.kind)


def feeding(figure: str) -> list[QuestionKind]:
    """The kinds whose answers feed a report figure ("satisfaction", "nps", "effort")."""
    return [kind for kind in KINDS.values() if kind.figure == figure]
