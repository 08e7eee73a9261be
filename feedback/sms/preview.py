"""The questionnaire preview for text messages: every text a client could receive, per language,
with its segment count, and a warning for any that takes more than two segments.

`feedback preview-sms <questionnaire>` prints this; the builder's preview page shows the
conversation in order (:func:`conversation`).
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app
from flask_babel import gettext as _

from feedback import channels
from feedback.conversations import texts
from feedback.invitations.messages import as_channel_question
from feedback.questionnaires import authoring
from feedback.questionnaires.models import QuestionnaireVersion
from feedback.sms.segments import SegmentCount, count_segments

MAX_SEGMENTS = texts.MAX_INVITATION_SEGMENTS


@dataclass(frozen=True)
class PreviewText:
    language: str
    label: str
    text: str
    #: What the text is in a conversation: "invitation", "question" (`number` from 1) or "thanks".
    step: str = "invitation"
    number: int | None = None

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
            found.append(
                PreviewText(lang, f"question {number} ({model.code})", prompt, "question", number)
            )
    return found


def budget_problems(version: QuestionnaireVersion) -> dict[str, str]:
    """Each question whose text message takes more than MAX_SEGMENTS, keyed as the publication
    problems are: by the SMS wording it uses ("questions.2.wordings.sms.fr"), else its text."""
    problems: dict[str, str] = {}
    for item in preview(version):
        if item.step != "question" or not item.too_long or item.number is None:
            continue
        question = version.questions[item.number - 1]
        worded = ((question.wordings or {}).get("sms") or {}).get(item.language)
        field = f"wordings.sms.{item.language}" if worded else f"text.{item.language}"
        problems[f"questions.{item.number}.{field}"] = _(
            "the text message takes %(segments)s segments (%(encoding)s), more than %(max)s: "
            "shorten it, or give the question an SMS wording",
            segments=item.count.segments,
            encoding=item.count.encoding,
            max=MAX_SEGMENTS,
        )
    return problems


def conversation(
    version: QuestionnaireVersion, lang: str, channel: str = "sms"
) -> list[PreviewText]:
    """The texts a client receives in conversation mode, in order, when every question is
    asked: the invitation (with the first question when both fit), each question, the thanks."""
    questions = tuple(as_channel_question(q, channel) for q in version.questions)
    invitation = _sample_invitation(version, questions, lang, "conversation")
    found = [PreviewText(lang, "invitation", texts.invitation_text(invitation, replies=True))]
    first = 2 if texts.asks_first_question(invitation) else 1
    for number, question in enumerate(questions, 1):
        prompt = texts.question_prompt(question, number, len(questions), lang)
        if number >= first:
            found.append(PreviewText(lang, f"question {number}", prompt, "question", number))
    found.append(PreviewText(lang, "thanks", texts.thanks(lang), "thanks"))
    return found


def connect() -> None:
    """Add the segment budget to the publish gate (idempotent)."""
    authoring.publication_check.connect(budget_problems)
