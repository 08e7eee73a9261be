"""Reading a client's text: keywords first, then an answer to the current question.

Everything is compared after folding: case and accents are ignored ("ARRÊT", "Arret" and "arrêt"
are one word, and so are "OUI", "Oui" and "oui"), and so is the punctuation around words.
"""

from __future__ import annotations

import enum
import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from feedback.channels.base import Question
from feedback.surveys.models import SCALE_BOUNDS, QuestionKind


class Keyword(enum.Enum):
    STOP = "stop"
    START = "start"
    HELP = "help"


@dataclass(frozen=True)
class KeywordMatch:
    keyword: Keyword
    #: The language the word belongs to, when it tells ("ARRET" is French, "STOP" is both).
    language: str | None


# The usual carrier keywords in Canada (CTIA / CWTA lists and Twilio's defaults), in both
# languages, written folded. A whole message must be one of them: "stop the delays" is an answer.
_KEYWORDS: dict[str, KeywordMatch] = {
    **{w: KeywordMatch(Keyword.STOP, None) for w in ("stop", "stopall", "stop all")},
    **{
        w: KeywordMatch(Keyword.STOP, "en")
        for w in ("unsubscribe", "cancel", "end", "quit", "optout", "opt out")
    },
    **{
        w: KeywordMatch(Keyword.STOP, "fr")
        for w in ("arret", "arreter", "desabonner", "desabonnement", "desinscrire", "annuler")
    },
    **{w: KeywordMatch(Keyword.START, None) for w in ("start", "unstop")},
    **{w: KeywordMatch(Keyword.START, "fr") for w in ("reprendre", "debut")},
    **{w: KeywordMatch(Keyword.HELP, None) for w in ("info",)},
    "help": KeywordMatch(Keyword.HELP, "en"),
    "aide": KeywordMatch(Keyword.HELP, "fr"),
}

_YES = frozenset({"yes", "y", "yeah", "yep", "yup", "oui", "ouais", "ouin"})
_NO = frozenset({"no", "n", "nope", "nah", "non", "nan"})
_WORD = re.compile(r"[a-z0-9]+")
# One number, optionally "out of" the top of the scale: "4", "4/5", "I'd say 8 sur 10".
_NUMBER = re.compile(r"^\D*?(\d{1,3})(?:\s*(?:/|sur|out of)\s*(\d{1,3}))?\D*$")


def fold(text: str) -> str:
    """Lower case, without accents, with runs of whitespace made single spaces."""
    decomposed = unicodedata.normalize("NFKD", text)
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(bare.casefold().split())


def keyword(text: str) -> KeywordMatch | None:
    words = " ".join(_WORD.findall(fold(text)))
    return _KEYWORDS.get(words)


class Invalid(Exception):
    """The reply does not answer the question."""


def _number(text: str, low: int, high: int) -> int:
    match = _NUMBER.match(fold(text))
    if match is None:
        raise Invalid
    value = int(match.group(1))
    if match.group(2) is not None and int(match.group(2)) != high:
        raise Invalid
    if not low <= value <= high:
        raise Invalid
    return value


def _yes_no(text: str) -> bool:
    words = set(_WORD.findall(fold(text)))
    yes, no = bool(words & _YES), bool(words & _NO)
    if yes == no:  # neither, or both ("yes and no")
        raise Invalid
    return yes


def _choice(text: str, options: tuple[Any, ...]) -> str:
    folded = " ".join(_WORD.findall(fold(text)))
    for option in options:
        labels = {option["value"], option.get("en", ""), option.get("fr", "")}
        if folded in {" ".join(_WORD.findall(fold(label))) for label in labels if label}:
            return str(option["value"])
    return str(options[_number(text, 1, len(options)) - 1]["value"])


def parse_answer(question: Question, text: str) -> Any:
    """The cleaned value `text` gives for `question`; Invalid when it gives none.

    Scales take one number in range; yes/no takes yes or no words in English or French;
    a choice takes its number in the list or its label; free text is kept as written.
    """
    kind = QuestionKind(question.kind)
    if kind is QuestionKind.FREE_TEXT:
        value = text.strip()
        if not value:
            raise Invalid
        return value
    if kind is QuestionKind.YES_NO:
        return _yes_no(text)
    if kind is QuestionKind.SINGLE_CHOICE:
        return _choice(text, question.options)
    low, high = SCALE_BOUNDS[kind]
    return _number(text, low, high)
