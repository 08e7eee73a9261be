"""Turns of a conversation, whatever carries it: which question is asked, what a reply does.

The rules every channel shares: a reply that answers the current question is saved at once
(so a client who stops halfway leaves a partial response); one that does not gets the question
once more, then the survey moves on; after the last question the response is completed. A
channel may leave some questions out (the phone skips free text unless it records answers), and
a question whose condition does not hold given the answers saved so far is skipped (see
:mod:`feedback.questionnaires.conditions`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from feedback import channels
from feedback.conversations.models import Conversation
from feedback.conversations.parsing import Invalid
from feedback.extensions import db
from feedback.invitations.messages import as_channel_question
from feedback.invitations.models import Invitation
from feedback.questionnaires import conditions, kinds
from feedback.questionnaires.models import Question
from feedback.responses.models import Answer, Response
from feedback.responses.services import complete_response, response_for, save_answer

#: Whether the channel asks a question at all.
Asked = Callable[[Question], bool]
#: The value a reply gives for a question (as the channel words it); raises Invalid if none.
Reader = Callable[[Question, channels.Question], Any]


def every_question(_question: Question) -> bool:
    return True


@dataclass(frozen=True)
class Turn:
    """What the conversation does next."""

    #: Index (in the version's order) of the question to ask; past the last when finished.
    position: int
    #: Why the same question is asked again: "invalid" (not an answer) or "silence" (no
    #: reply at all); None for a new question.
    again: str | None = None
    finished: bool = False


def current(invitation: Invitation) -> Conversation:
    """The invitation's conversation (started when sent; at the first question if missing)."""
    conversation = db.session.scalar(
        select(Conversation).where(Conversation.invitation_id == invitation.id)
    )
    if conversation is None:
        conversation = Conversation(invitation_id=invitation.id, position=0, reprompts=0)
        db.session.add(conversation)
    return conversation


def _questions(invitation: Invitation) -> list[Question]:
    assert invitation.questionnaire_version is not None
    return invitation.questionnaire_version.questions


def _answered(invitation: Invitation, questions: list[Question]) -> conditions.Answered:
    """The answer keys of every question answered so far (one SELECT of the saved answers)."""
    by_id = {question.id: question for question in questions}
    rows = db.session.execute(
        select(Answer.question_id, Answer.value_int, Answer.value_choice)
        .join(Response, Response.id == Answer.response_id)
        .where(Response.invitation_id == invitation.id)
    )
    found: dict[str, frozenset[str]] = {}
    for question_id, value_int, value_choice in rows:
        question = by_id[question_id]
        value = value_int if value_int is not None else value_choice
        keys = kinds.of(question).answer_keys(value)
        found[question.code] = found.get(question.code, frozenset()) | keys
    return found


def _move_to(invitation: Invitation, conversation: Conversation, start: int, asked: Asked) -> Turn:
    """Move to the first question asked from `start` on whose condition holds; complete the
    response past the last."""
    questions = _questions(invitation)
    answered: conditions.Answered | None = None  # read when a condition first needs it
    position = len(questions)
    for index in range(max(start, 0), len(questions)):
        question = questions[index]
        if not asked(question):
            continue
        if question.show_if:
            answered = _answered(invitation, questions) if answered is None else answered
            if not conditions.holds(question.show_if, answered):
                continue
        position = index
        break
    conversation.position = position
    conversation.reprompts = 0
    if position >= len(questions):
        complete_response(invitation, {}, invitation.language)
        return Turn(position, finished=True)
    return Turn(position)


def begin(invitation: Invitation, asked: Asked = every_question) -> Turn:
    """Start at the first question the channel asks (it must ask one)."""
    return _move_to(invitation, current(invitation), 0, asked)


def take_reply(
    invitation: Invitation, read: Reader, asked: Asked = every_question, *, silent: bool = False
) -> Turn:
    """Apply a reply to the current question; `silent` when the client gave none at all."""
    conversation = current(invitation)
    question = _questions(invitation)[conversation.position]
    try:
        value = read(question, as_channel_question(question, invitation.channel))
    except Invalid:
        if conversation.reprompts == 0:
            conversation.reprompts = 1
            return Turn(conversation.position, again="silence" if silent else "invalid")
    else:
        save_answer(response_for(invitation), question, value)
    return _move_to(invitation, conversation, conversation.position + 1, asked)
