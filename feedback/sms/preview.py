"""The questionnaire preview for text messages: every text a client could receive, per language,
with its segment count, and a warning for any that takes more than two segments.

There is no questionnaire editor yet; `feedback preview-sms <questionnaire>` prints this.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app

from feedback import channels
from feedback.conversations import texts
from feedback.invitations.messages import as_channel_question
from feedback.questionnaires.models import QuestionnaireVersion
from feedback.sms.segments import SegmentCount, count_segments

MAX_SEGMENTS = texts.MAX_INVITATION_SEGMENTS


@dataclass(frozen=True)
class PreviewText:
    language: str
    label: str
    text: str

    @property
    def count(self) -> SegmentCount:
        return count_segments(self.text)

    @property
    def too_long(self) -> bool:
        return not self.count.fits(MAX_SEGMENTS)


def _sample_invitation(
    version: QuestionnaireVersion, questions: tuple[channels.Question, ...], lang: str, mode: str
) -> channels.Invitation:
    program = version.questionnaire.program
    return channels.Invitation(
        id="preview",
        language=lang,
        email=None,
        phone=None,
        timezone=None,
        survey_url=f"{current_app.config['PUBLIC_BASE_URL']}/s/{texts.SAMPLE_TOKEN}",
        unsubscribe_url="",
        expires_at=None,
        program_name={"en": program.name_en, "fr": program.name_fr},
        questionnaire_title={"en": version.title("en"), "fr": version.title("fr")},
        questions=questions,
        mode=mode,
    )


def preview(version: QuestionnaireVersion, channel: str = "sms") -> list[PreviewText]:
    """The texts of `version` as `channel` (a channel name, or the medium "sms") words them."""
    questions = tuple(as_channel_question(q, channel) for q in version.questions)
    found: list[PreviewText] = []
    for lang in texts.LANGUAGES:
        for mode in ("link", "conversation"):
            invitation = _sample_invitation(version, questions, lang, mode)
            text = texts.invitation_text(invitation, replies=True)
            found.append(PreviewText(lang, f"invitation, {mode} mode", text))
        for number, (model, question) in enumerate(
            zip(version.questions, questions, strict=True), 1
        ):
            prompt = texts.question_prompt(question, number, len(questions), lang)
            found.append(PreviewText(lang, f"question {number} ({model.code})", prompt))
    return found
