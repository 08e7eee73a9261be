"""Reading a client's text: keywords first, then an answer to the current question (read by
the question's kind, see :mod:`feedback.questionnaires.kinds`).

Everything is compared after folding: case and accents are ignored ("ARRÊT", "Arret" and "arrêt"
are one word), and so is the punctuation around words.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Any

from feedback.channels.base import Question
from feedback.questionnaires import kinds
from feedback.questionnaires.kinds.reading import Invalid, fold, words

__all__ = ["Invalid", "Keyword", "KeywordMatch", "fold", "keyword", "parse_answer"]


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
# languages, written folded. A whole message must be one of them, give or take politeness
# ("Stop svp", "please stop", "Arrêtez, merci!"): "stop the delays" is an answer.
_KEYWORDS: dict[str, KeywordMatch] = {
    **{w: KeywordMatch(Keyword.STOP, None) for w in ("stop", "stopall", "stop all")},
    **{
        w: KeywordMatch(Keyword.STOP, "en")
        for w in ("unsubscribe", "unsub", "cancel", "end", "quit", "optout", "opt out")
    },
    **{
        w: KeywordMatch(Keyword.STOP, "fr")
        for w in (
            "arret",
            "arrete",
            "arreter",
            "arretez",
            "desabonner",
            "desabonnez",
            "desabonnement",
            "desinscrire",
            "desinscription",
            "annuler",
        )
    },
    **{w: KeywordMatch(Keyword.START, None) for w in ("start", "unstop")},
    **{w: KeywordMatch(Keyword.START, "fr") for w in ("reprendre", "debut")},
    **{w: KeywordMatch(Keyword.HELP, None) for w in ("info",)},
    "help": KeywordMatch(Keyword.HELP, "en"),
    "aide": KeywordMatch(Keyword.HELP, "fr"),
}
#: Politeness around a keyword, folded, longest first.
_POLITE = sorted(
    (
        tuple(phrase.split())
        for phrase in (
            "please",
            "pls",
            "plz",
            "thanks",
            "thank you",
            "thx",
            "svp",
            "stp",
            "s il vous plait",
            "s il te plait",
            "merci",
            "merci beaucoup",
        )
    ),
    key=len,
    reverse=True,
)


def _without_politeness(found: list[str]) -> list[str]:
    """The words without politeness at either end ("stop svp" -> "stop")."""
    trimmed = True
    while trimmed and found:
        trimmed = False
        for phrase in _POLITE:
            size = len(phrase)
            if tuple(found[:size]) == phrase:
                found, trimmed = found[size:], True
            elif len(found) > size and tuple(found[-size:]) == phrase:
                found, trimmed = found[:-size], True
            if trimmed:
                break
    return found


def keyword(text: str) -> KeywordMatch | None:
    found = _without_politeness(words(text).split())
    if len(set(found)) == 1:  # "STOP STOP STOP"
        found = found[:1]
    return _KEYWORDS.get(" ".join(found))


def parse_answer(question: Question, text: str) -> Any:
    """The cleaned value `text` gives for `question`; Invalid when it gives none."""
    return kinds.of(question).parse_text(question, text)
