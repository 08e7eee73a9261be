"""Hand-made reporting data: contacts with invitations, responses and answers at chosen times,
and fact rows written directly for tests of the statistics."""

from __future__ import annotations

import itertools
import re
from datetime import UTC, date, datetime
from typing import Any

from feedback.contacts.models import ContactEvent
from feedback.extensions import db
from feedback.invitations.models import Invitation, InvitationStatus
from feedback.programs.models import Program
from feedback.questionnaires.models import QuestionnaireVersion
from feedback.reporting.models import (
    FactAnswerChannelDaily,
    FactAnswerDaily,
    FactAnswerMonthly,
    FactInvitationDaily,
)
from feedback.responses.models import Answer, Response
from feedback.security import client_hash

_numbers = itertools.count(1)


def at(text: str) -> datetime:
    """'2026-03-02 10:00' as a UTC datetime."""
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def add_contact(
    version: QuestionnaireVersion,
    *,
    sent_at: datetime,
    answers: dict[str, Any] | None = None,
    completed_at: datetime | None = None,
    answered_at: datetime | None = None,
    language: str = "en",
    contact_type: str = "call",
    channel: str = "email",
    attributes: dict[str, Any] | None = None,
) -> Invitation:
    """An invitation sent at `sent_at`; with `completed_at`, a completed response to it.

    `answers` maps question codes to {"value_int" | "value_choice" | "value_text": value}
    columns. Answers without completed_at make a partial response.
    """
    n = next(_numbers)
    program_id = version.questionnaire.program_id
    event = ContactEvent(
        source="tests",
        external_id=f"contact-{n}",
        program_id=program_id,
        contact_type=contact_type,
        occurred_at=sent_at,
        language=language,
        client_hash=client_hash(f"client-{n}"),
        attributes=attributes or {},
    )
    db.session.add(event)
    db.session.flush()
    invitation = Invitation(
        event_id=event.id,
        program_id=program_id,
        questionnaire_version_id=version.id,
        channel=channel,
        language=language,
        client_hash=event.client_hash,
        status=InvitationStatus.COMPLETED if completed_at else InvitationStatus.SENT,
        due_at=sent_at,
        sent_at=sent_at,
        completed_at=completed_at,
    )
    db.session.add(invitation)
    db.session.flush()
    if answers:
        questions = {q.code: q for q in version.questions}
        response = Response(
            invitation_id=invitation.id,
            questionnaire_version_id=version.id,
            program_id=program_id,
            channel=channel,
            language=language,
            started_at=sent_at,
            completed_at=completed_at,
            is_complete=completed_at is not None,
        )
        db.session.add(response)
        db.session.flush()
        when = answered_at or completed_at or sent_at
        for code, columns in answers.items():
            db.session.add(
                Answer(
                    response_id=response.id,
                    question_id=questions[code].id,
                    answered_at=when,
                    **columns,
                )
            )
    db.session.flush()
    return invitation


def rating(value: int) -> dict[str, int]:
    return {"value_int": value}


def add_invitation_fact(
    program: Program,
    day: date,
    sent: int,
    completed: int,
    channel: str = "email",
    language: str = "en",
) -> None:
    db.session.add(
        FactInvitationDaily(
            day=day,
            program_id=program.id,
            channel=channel,
            contact_type="call",
            language=language,
            sent=sent,
            completed=completed,
        )
    )


def add_answer_facts(
    version: QuestionnaireVersion,
    day: date,
    code: str,
    counts: dict[int | str, int],
    channel: str = "email",
) -> None:
    """Fact rows for one question: {value: how many answers}."""
    question = next(q for q in version.questions if q.code == code)
    wide = {"contact_type": "call", "language": "en"}
    for value, count in counts.items():
        # The daily row, and what the fact builder keeps from it: its share of the month and
        # of the day by channel.
        for fact, period in (
            (FactAnswerDaily, {"day": day, **wide}),
            (FactAnswerMonthly, {"month": day.replace(day=1), **wide}),
            (FactAnswerChannelDaily, {"day": day}),
        ):
            db.session.add(
                fact(
                    **period,
                    program_id=version.questionnaire.program_id,
                    questionnaire_version_id=version.id,
                    question_id=question.id,
                    channel=channel,
                    value_int=value if isinstance(value, int) else None,
                    value_choice=value if isinstance(value, str) else None,
                    count=count,
                )
            )


def csrf_token(html: str) -> str:
    found = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html) or re.search(
        r'name="csrf_token" value="([^"]+)"', html
    )
    assert found, "the page has no CSRF token field"
    return found.group(1)
