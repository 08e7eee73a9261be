"""What the survey says on the phone, in the caller's language (the core's catalogue).

Written to be heard, not read: short sentences, the keys to press after the question, numbers
as digits (text-to-speech reads them in the voice's language). The language menu speaks each
choice in its own language, whatever the caller's.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from flask_babel import force_locale
from flask_babel import gettext as _

from feedback.channels.base import Question
from feedback.conversations.texts import LANGUAGES, pick
from feedback.questionnaires import kinds
from feedback.voice.steps import Speech


def _spoken(lang: str, write: Callable[[], str]) -> Speech:
    with force_locale(lang):
        return Speech(write(), lang)


def _in_each(lang: str | None, write: Callable[[], str]) -> tuple[Speech, ...]:
    """`write()` in `lang`; in English then in French while the language is not known."""
    return tuple(_spoken(each, write) for each in ([lang] if lang in LANGUAGES else LANGUAGES))


def language_menu(again: bool) -> tuple[Speech, ...]:
    """'For English, press 1. Pour le français, appuyez sur le 2.', each in its language."""
    said: list[Speech] = []
    if again:
        said += _in_each(None, lambda: _("Sorry, we did not get your choice."))
    said.append(_spoken("en", lambda: _("For English, press 1.")))
    said.append(_spoken("fr", lambda: _("For French, press 2.")))
    return tuple(said)


#: The keys of the language menu.
MENU_KEYS = {"1": "en", "2": "fr"}


def goodbye(lang: str | None) -> tuple[Speech, ...]:
    """When there is no survey to take: a survey closed, not for this call, a menu unanswered."""
    return _in_each(lang, lambda: _("Thank you for calling. Goodbye."))


def introduction(program: Mapping[str, str], lang: str) -> Speech:
    return _spoken(
        lang,
        lambda: _(
            "Thank you for taking our short survey about your contact with %(program)s. "
            "Please answer with the keys of your phone.",
            program=pick(program, lang),
        ),
    )


def _instructions(question: Question, lang: str) -> str:
    return kinds.of(question).voice_instructions(question, lang)


def question(question: Question, lang: str, *, after: str | None = None) -> Speech:
    """The question in its phone wording, then the keys to press.

    `after` says why it is asked again: "silence" (nothing pressed) or "invalid" (a key that
    is not an answer).
    """

    def write() -> str:
        parts = []
        if after == "silence":
            parts.append(_("Sorry, we did not hear your answer."))
        elif after == "invalid":
            parts.append(_("Sorry, that key is not one of the choices."))
        parts += [pick(question.text, lang), _instructions(question, lang)]
        return " ".join(parts)

    return _spoken(lang, write)


def thanks(lang: str) -> Speech:
    return _spoken(lang, lambda: _("Thank you for your answers. Goodbye."))
