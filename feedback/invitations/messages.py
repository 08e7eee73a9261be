"""What a channel is handed: plain data built from an invitation, never an ORM object."""

from __future__ import annotations

from flask import current_app

from feedback import channels
from feedback.channels.registry import get_channel
from feedback.consent.codes import unsubscribe_code
from feedback.invitations.models import Invitation
from feedback.questionnaires.models import Question


def as_channel_question(question: Question, channel_name: str | None) -> channels.Question:
    """A question as a channel sees it, in the channel's wording where it has one.

    Wordings are looked up under the channel's name, then under its medium ("sms"), so one
    SMS wording serves every SMS provider.
    """
    keys = [channel_name] if channel_name else []
    channel = get_channel(channel_name) if channel_name else None
    if channel is not None and channel.medium:
        keys.append(channel.medium)
    key = next((k for k in keys if k in (question.wordings or {})), channel_name)
    return channels.Question(
        code=question.code,
        kind=question.kind,
        text={lang: question.text(lang, key) for lang in ("en", "fr")},
        required=question.required,
        options=tuple(question.options or ()),
    )


def channel_questions(invitation: Invitation) -> tuple[channels.Question, ...]:
    """The questions of the invitation's questionnaire as its channel sees them (the same for
    every invitation of a version and a channel: a batch computes them once)."""
    version = invitation.questionnaire_version
    return tuple(as_channel_question(q, invitation.channel) for q in version.questions)


def build_message(
    invitation: Invitation,
    token: str,
    questions: tuple[channels.Question, ...],
    *,
    reminder: bool = False,
) -> channels.Invitation:
    """The invitation as its channel sends it, with the one-time survey link for `token` and
    its :func:`channel_questions` (computed once for a batch); `reminder` for its reminder."""
    base = current_app.config["PUBLIC_BASE_URL"]
    version = invitation.questionnaire_version
    program = invitation.program
    return channels.Invitation(
        id=invitation.id,
        language=invitation.language,
        email=invitation.email,
        phone=invitation.phone,
        timezone=invitation.timezone,
        survey_url=f"{base}/s/{token}",
        unsubscribe_url=f"{base}/u/{unsubscribe_code(invitation.id)}",
        expires_at=invitation.expires_at,
        program_name={"en": program.name_en, "fr": program.name_fr},
        questionnaire_title={"en": version.title("en"), "fr": version.title("fr")},
        questions=questions,
        mode=invitation.mode.value,
        reminder=reminder,
    )
