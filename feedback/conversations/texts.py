"""The texts a client receives by SMS, in their language, counted in segments.

Written to stay in the GSM-7 alphabet in both languages (é, è, à and ù are in it; ê, ç, ’ and
the non-breaking space are not), so that only a program name or a question's own wording can
make a text UCS-2 and halve what fits in a segment. An invitation must fit in
MAX_INVITATION_SEGMENTS, so each has a fallback that always does: the link without the program
name; in conversation mode, no first question (the client replies OK to start), and if need be
no program name either. The translations must keep to GSM-7 as well (a plain space before the
colon, a straight apostrophe, ARRET without its accent) or French texts cost twice as much.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _

from feedback.channels.base import Invitation, Question
from feedback.questionnaires import kinds
from feedback.sms.segments import count_segments

LANGUAGES = ("en", "fr")
MAX_INVITATION_SEGMENTS = 2
#: A survey link as long as a real one (PUBLIC_BASE_URL + /s/ + a 43-character token).
SAMPLE_TOKEN = "x" * 43


def pick(texts: Mapping[str, str], lang: str) -> str:
    """A text in `lang`, falling back to any non-empty one rather than showing nothing."""
    return texts.get(lang) or next((value for value in texts.values() if value), "")


def _fitting(candidates: list[str]) -> str:
    """The first (longest) wording that fits; the last, shortest one if none does."""
    for text in candidates:
        if count_segments(text).fits(MAX_INVITATION_SEGMENTS):
            return text
    return candidates[-1]


def _in_language(lang: str | None, write: Callable[[str], str]) -> str:
    """`write(lang)` in `lang`; in English then French when the language is not known."""
    parts = []
    for each in [lang] if lang in LANGUAGES else LANGUAGES:
        with force_locale(each):
            parts.append(write(each))
    return "\n".join(parts)


def _hint(question: Question) -> str:
    return kinds.of(question).sms_hint()


def _prompt(question: Question, number: int, total: int, lang: str) -> str:
    lines = [f"({number}/{total}) {pick(question.text, lang)}"]
    lines += kinds.of(question).sms_option_lines(question, lang)
    lines.append(_hint(question))
    return "\n".join(lines)


def question_prompt(question: Question, number: int, total: int, lang: str) -> str:
    """`(2/5) Question text`, the choices one per line, then how to answer."""
    with force_locale(lang):
        return _prompt(question, number, total, lang)


def reprompt(question: Question, lang: str) -> str:
    with force_locale(lang):
        sorry = _("Sorry, we did not understand.")
        return f"{sorry} {_hint(question)}"


def _opening(invitation: Invitation, lang: str) -> tuple[str, bool]:
    """A conversation's first text, and whether it asks the first question.

    The first question comes with the invitation when both fit; otherwise the invitation
    asks the client to reply OK (any reply) to start, and the question follows that reply.
    Who is writing is said either way, unless the program's name itself does not fit.
    """
    program = pick(invitation.program_name, lang)
    first = _prompt(invitation.questions[0], 1, len(invitation.questions), lang)
    intro = _("%(program)s: how did we do? Please answer a few questions by text.", program=program)
    stop = _("Reply STOP to opt out.")
    with_question = f"{intro} {stop}\n{first}"
    if count_segments(with_question).fits(MAX_INVITATION_SEGMENTS):
        return with_question, True
    start = _("Reply OK to start, or STOP to opt out.")
    plain = _("How did we do? Please answer a few questions by text.")
    return _fitting([f"{intro} {start}", f"{plain} {start}"]), False


def asks_first_question(invitation: Invitation) -> bool:
    """Whether the invitation's text (in conversation mode) carries the first question."""
    if invitation.mode != "conversation" or not invitation.questions:
        return False
    lang = invitation.language if invitation.language in LANGUAGES else LANGUAGES[0]
    with force_locale(lang):
        return _opening(invitation, lang)[1]


def invitation_text(invitation: Invitation, *, replies: bool) -> str:
    """The invitation: the survey link, or in conversation mode the opening of the survey; its
    reminder says it is one.

    `replies` says whether the channel receives texts back (and so can honour STOP).
    """
    lang = invitation.language if invitation.language in LANGUAGES else LANGUAGES[0]
    program = pick(invitation.program_name, lang)
    with force_locale(lang):
        if invitation.mode == "conversation" and invitation.questions:
            return _opening(invitation, lang)[0]
        url = invitation.survey_url
        links = (
            [
                _(
                    "Reminder from %(program)s: how did we do? Take our short survey: %(url)s",
                    program=program,
                    url=url,
                ),
                _("Reminder: how did we do? Take our short survey: %(url)s", url=url),
            ]
            if invitation.reminder
            else [
                _(
                    "%(program)s: how did we do? Take our short survey: %(url)s",
                    program=program,
                    url=url,
                ),
                _("How did we do? Take our short survey: %(url)s", url=url),
            ]
        )
        stop = _("Reply STOP to opt out.")
        return _fitting([f"{link} {stop}" if replies else link for link in links])


def thanks(lang: str) -> str:
    return _in_language(
        lang, lambda _lang: _("Thank you! Your answers will help us improve our services.")
    )


def opted_out(lang: str | None) -> str:
    """The one confirmation of a STOP."""
    return _in_language(
        lang,
        lambda _lang: _(
            "You will no longer receive our feedback surveys. Reply START to receive them again."
        ),
    )


def opted_in(lang: str | None) -> str:
    return _in_language(
        lang, lambda _lang: _("You will receive our survey texts again. Reply STOP to opt out.")
    )


def help_text(lang: str | None, program: Mapping[str, str] | None) -> str:
    """Who is writing and how to stop, in one segment per language (PUBLIC_BASE_URL is at most
    MAX_PUBLIC_BASE_URL characters, see feedback.config)."""
    url = f"{current_app.config['PUBLIC_BASE_URL']}/privacy"

    def write(each: str) -> str:
        plain = _(
            "Client feedback survey. Reply STOP to opt out. More information: %(url)s", url=url
        )
        if not program:
            return plain
        named = _(
            "%(program)s client feedback survey. Reply STOP to opt out. More information: %(url)s",
            program=pick(program, each),
            url=url,
        )
        # One segment: without the program's name when a long name would make it two.
        return named if count_segments(named).segments == 1 else plain

    return _in_language(lang, write)
