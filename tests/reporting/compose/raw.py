"""Figures recomputed from the raw rows (invitations, responses, answers), not from the facts:
the independent side of the composition tests."""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select

from feedback.extensions import db
from feedback.invitations.models import Invitation, InvitationStatus
from feedback.questionnaires.models import Question
from feedback.responses.models import Answer, Response


@dataclass(frozen=True)
class Raw:
    reached: int
    responses: int
    overall: Counter[int]  # overall satisfaction answers, value -> count
    recommend: Counter[int]
    effort: Counter[int]

    @property
    def satisfied(self) -> int:
        return sum(c for v, c in self.overall.items() if v >= 4)

    @property
    def shares(self) -> dict[str, tuple[int, int]]:
        """(successes, n) of the share figures."""
        return {
            "response_rate": (self.responses, self.reached),
            "satisfaction": (self.satisfied, sum(self.overall.values())),
            "low_effort": (
                sum(c for v, c in self.effort.items() if v >= 5),
                sum(self.effort.values()),
            ),
        }

    @property
    def nps(self) -> tuple[int, int, int]:
        """(promoters, detractors, n)."""
        return (
            sum(c for v, c in self.recommend.items() if v >= 9),
            sum(c for v, c in self.recommend.items() if v <= 6),
            sum(self.recommend.values()),
        )

    def effort_values(self) -> list[int]:
        return [v for v, c in self.effort.items() for _ in range(c)]

    def mean_effort(self) -> float:
        values = self.effort_values()
        return sum(values) / len(values)

    def effort_sd(self) -> float:
        values = self.effort_values()
        centre = sum(values) / len(values)
        return math.sqrt(sum((v - centre) ** 2 for v in values) / (len(values) - 1))


def _bounds(period: tuple[date, date]) -> tuple[datetime, datetime]:
    return (
        datetime.combine(period[0], time(), UTC),
        datetime.combine(period[1] + timedelta(days=1), time(), UTC),
    )


def raw(
    period: tuple[date, date], program_ids: set[str] | None = None, channel: str | None = None
) -> Raw:
    start, end = _bounds(period)
    invitations = select(Invitation).where(Invitation.sent_at >= start, Invitation.sent_at < end)
    responses = select(Response).where(
        Response.is_complete.is_(True), Response.completed_at >= start, Response.completed_at < end
    )
    if program_ids is not None:
        invitations = invitations.where(Invitation.program_id.in_(program_ids))
        responses = responses.where(Response.program_id.in_(program_ids))
    if channel is not None:
        invitations = invitations.where(Invitation.channel == channel)
        responses = responses.where(Response.channel == channel)
    sent = list(db.session.scalars(invitations))
    completed = list(db.session.scalars(responses))
    reached = [
        i for i in sent if i.status not in (InvitationStatus.UNDELIVERED, InvitationStatus.FAILED)
    ]
    answers = db.session.execute(
        select(Question.code, Answer.value_int)
        .join(Question, Question.id == Answer.question_id)
        .where(Answer.response_id.in_([r.id for r in completed]), Answer.value_int.is_not(None))
    ).all()
    by_code: dict[str, Counter[int]] = {
        "overall": Counter(),
        "recommend": Counter(),
        "effort": Counter(),
    }
    for code, value in answers:
        if code in by_code:
            by_code[code][value] += 1
    return Raw(
        reached=len(reached),
        responses=sum(1 for i in reached if i.status == InvitationStatus.COMPLETED),
        overall=by_code["overall"],
        recommend=by_code["recommend"],
        effort=by_code["effort"],
    )
