"""Recording answers: saved as they arrive, a response completed once."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from feedback.db_types import utcnow
from feedback.delivery.models import AWAITING_ANSWER, Invitation, InvitationStatus
from feedback.delivery.services import transition
from feedback.extensions import db
from feedback.responses.models import Answer, Response
from feedback.surveys.models import Question, QuestionKind

ANSWERABLE = tuple(AWAITING_ANSWER)


@dataclass(frozen=True)
class VoiceRecording:
    """A free-text answer given aloud: the provider's reference to the recording."""

    ref: str


def response_for(invitation: Invitation) -> Response:
    """The invitation's response, started on first use."""
    response = db.session.scalar(select(Response).where(Response.invitation_id == invitation.id))
    if response is None:
        assert invitation.questionnaire_version_id and invitation.channel
        response = Response(
            invitation_id=invitation.id,
            questionnaire_version_id=invitation.questionnaire_version_id,
            program_id=invitation.program_id,
            channel=invitation.channel,
            language=invitation.language,
        )
        db.session.add(response)
        db.session.flush()
    return response


def answer_columns(question: Question, value: Any) -> dict[str, Any]:
    """Map a cleaned value onto the answer's typed columns."""
    if question.kind is QuestionKind.FREE_TEXT:
        if isinstance(value, VoiceRecording):
            return {"recording_ref": value.ref}
        return {"value_text": str(value)}
    if question.kind is QuestionKind.SINGLE_CHOICE:
        return {"value_choice": str(value)}
    if question.kind is QuestionKind.YES_NO:
        return {"value_int": 1 if value in (True, 1, "1", "yes") else 0}
    return {"value_int": int(value)}


def save_answer(response: Response, question: Question, value: Any) -> Answer:
    answer = db.session.scalar(
        select(Answer).where(Answer.response_id == response.id, Answer.question_id == question.id)
    )
    if answer is None:
        answer = Answer(response_id=response.id, question_id=question.id)
        db.session.add(answer)
    for column in ("value_int", "value_choice", "value_text", "recording_ref"):
        setattr(answer, column, None)
    for column, stored in answer_columns(question, value).items():
        setattr(answer, column, stored)
    answer.answered_at = utcnow()
    return answer


def complete_response(invitation: Invitation, answers: dict[str, Any], language: str) -> Response:
    """Save every answer and complete the invitation in the caller's transaction.

    `answers` maps question id to a cleaned value; None or "" means the question was skipped.
    """
    response = response_for(invitation)
    response.language = language
    questions = {q.id: q for q in invitation.questionnaire_version.questions}
    for question_id, value in answers.items():
        if value is None or value == "":
            continue
        save_answer(response, questions[question_id], value)
    now = utcnow()
    response.completed_at = now
    response.is_complete = True
    invitation.completed_at = now
    transition(invitation, InvitationStatus.COMPLETED)
    return response
