"""Recording answers: saved as they arrive, a response completed once."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from blinker import Namespace
from sqlalchemy import delete, insert, select

from feedback.db_types import utcnow
from feedback.extensions import db
from feedback.invitations import lifecycle
from feedback.invitations.models import Invitation
from feedback.questionnaires import kinds
from feedback.questionnaires.models import Question
from feedback.responses.models import Answer, Response

_VALUE_COLUMNS = ("value_int", "value_choice", "value_text", "recording_ref")

_signals = Namespace()
#: Sent once a response is complete, with the ``invitation``, in the caller's transaction and
#: before the invitation is completed (which purges its contact details): follow-ups read them.
response_completed = _signals.signal("response-completed")


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


def answer_rows(question: Question, value: Any) -> list[dict[str, Any]]:
    """A cleaned value as the answer's rows (one per option of a multiple choice), each with
    every value column set, so that a new answer replaces the old one whole."""
    return [
        {column: None for column in _VALUE_COLUMNS} | columns
        for columns in kinds.of(question).answer_rows(value)
    ]


def save_answer(response: Response, question: Question, value: Any) -> None:
    """Record (or replace) the answer to `question`."""
    save_answers(response, [(question, value)])


def save_answers(response: Response, answers: Sequence[tuple[Question, Any]]) -> None:
    """Record (or replace) the answers to these questions: one DELETE and one INSERT of every
    row, however many questions a web form sends."""
    if not answers:
        return
    db.session.execute(
        delete(Answer).where(
            Answer.response_id == response.id,
            Answer.question_id.in_([question.id for question, _value in answers]),
        ),
        execution_options={"synchronize_session": False},
    )
    now = utcnow()
    rows = [
        {"response_id": response.id, "question_id": question.id, "item": item, "answered_at": now}
        | columns
        for question, value in answers
        for item, columns in enumerate(answer_rows(question, value))
    ]
    # render_nulls: every row has the same columns, so they go as one batch.
    db.session.execute(insert(Answer), rows, execution_options={"render_nulls": True})


def complete_response(invitation: Invitation, answers: dict[str, Any], language: str) -> Response:
    """Save every answer and complete the invitation in the caller's transaction.

    `answers` maps question id to a cleaned value; None, "" or [] means the question was skipped.
    """
    response = response_for(invitation)
    response.language = language
    questions = {
        q.id: q
        for q in db.session.scalars(
            select(Question).where(Question.version_id == invitation.questionnaire_version_id)
        )
    }
    save_answers(
        response,
        [
            (questions[question_id], value)
            for question_id, value in answers.items()
            if not (value is None or value == "" or value == [])
        ],
    )
    response.completed_at = utcnow()
    response.is_complete = True
    response_completed.send(response, invitation=invitation)
    lifecycle.complete(invitation)
    return response
