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


def keyword(text: str) -> KeywordMatch | None:
    return _KEYWORDS.get(words(text))


def parse_answer(question: Question, text: str) -> Any:
    """The cleaned value `text` gives for `question`; Invalid when it gives none."""
    return kinds.of(question).parse_text(question, text)
