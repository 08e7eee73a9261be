"""What a question is about, for reporting: a small registry of tags (``Question.topic``).

A question's code is its author's to choose; its topic is how reporting finds it whatever the
code: the overall satisfaction, the effort, the open question on what to improve, and the usual
drivers of satisfaction in a public service. A topic is given to at most one question of a
version, so "the ease question" of a version is never ambiguous.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString


@dataclass(frozen=True)
class Topic:
    code: str
    #: Its name, in the current language when shown (str() of it).
    label: LazyString
    #: A driver of satisfaction (reporting relates its answers to the overall one).
    driver: bool = False
    #: Answered in the client's own words (else: with set answers, such as a scale).
    own_words: bool = False

    def text(self, language: str) -> str:
        """Its name in `language` ("en" or "fr"), whatever the current one."""
        with force_locale(language):
            return str(self.label)


def _topics(*topics: Topic) -> Mapping[str, Topic]:
    return MappingProxyType({topic.code: topic for topic in topics})


#: Every topic by code, in the order the builder lists them.
TOPICS: Mapping[str, Topic] = _topics(
    Topic("overall", _l("Overall satisfaction")),
    Topic("ease", _l("Ease of getting the service"), driver=True),
    Topic("timeliness", _l("Time it took"), driver=True),
    Topic("staff_helpful", _l("Helpful staff"), driver=True),
    Topic("staff_knowledgeable", _l("Knowledgeable staff"), driver=True),
    Topic("fairness", _l("Fair treatment"), driver=True),
    Topic("clear_information", _l("Clear information"), driver=True),
    Topic("confidence", _l("Confidence in the outcome"), driver=True),
    Topic("need_met", _l("Need met"), driver=True),
    Topic("effort", _l("Effort to get the service")),
    Topic("improve", _l("What to improve"), own_words=True),
)

#: The drivers of satisfaction, in order.
DRIVERS: tuple[str, ...] = tuple(code for code, topic in TOPICS.items() if topic.driver)


def label(code: str) -> str:
    """The topic's name in the current language (the code itself for an unknown one)."""
    topic = TOPICS.get(code)
    return str(topic.label) if topic else code
