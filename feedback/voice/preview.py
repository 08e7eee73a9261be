"""The questionnaire preview for the phone: what an automated call says, in order, in one
language, when every question is asked (the builder's preview page)."""

from __future__ import annotations

from feedback.invitations.messages import as_channel_question
from feedback.questionnaires.models import QuestionnaireVersion
from feedback.voice import texts
from feedback.voice.steps import Speech

#: Whose wordings the preview uses: the phone's ("voice"), else the written text.
MEDIUM = "voice"


def prompts(version: QuestionnaireVersion, lang: str) -> list[Speech]:
    """The introduction, each question with the keys to press, then the thanks."""
    program = version.questionnaire.program
    names = {"en": program.name_en, "fr": program.name_fr}
    said = [texts.introduction(names, lang)]
    said += [texts.question(as_channel_question(q, MEDIUM), lang) for q in version.questions]
    said.append(texts.thanks(lang))
    return said
