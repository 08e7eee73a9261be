"""Report statistics, read from the fact tables only.

Every sum is computed by the database (GROUP BY with SUM(CASE ...)); Python only divides. A cell
whose base count is below REPORT_MIN_CELL is suppressed: it carries no number, only the flag.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import and_, case, false, func, or_, select, true

from feedback.extensions import db
from feedback.programs.models import Program
from feedback.questionnaires import kinds
from feedback.questionnaires.models import Question
from feedback.reporting.models import FactAnswerDaily, FactInvitationDaily
from feedback.reporting.sql import Period, period_start

Z_95 = 1.959963984540054  # two-sided 95 % normal quantile
# Ranges shorter than this are charted by week, longer ones by month.
WEEKLY_TREND_UNDER_DAYS = 92


@dataclass(frozen=True)
class Cell:
    """One figure of the report. Suppressed cells hold no number at all, only the flag.

    `n` is the base the figure was computed from; `low`/`high` bound a share's 95 % interval.
    A value of None that is not suppressed means there was nothing to compute (n = 0).
    """

    value: float | None
    n: int | None
    suppressed: bool = False
    low: float | None = None
    high: float | None = None


SUPPRESSED = Cell(value=None, n=None, suppressed=True)


@dataclass(frozen=True)
class SummaryRow:
    program_code: str | None  # None on the overall row
    program_name: dict[str, str]  # {"en": ..., "fr": ...}; empty on the overall row
    channel: str | None  # None on the overall row
    sent: Cell
    responses: Cell
    response_rate: Cell
    satisfaction: Cell
    mean_rating: Cell
    mean_effort: Cell
    nps: Cell


@dataclass(frozen=True)
class TrendPoint:
    period_start: date
    satisfaction: Cell


@dataclass(frozen=True)
class Summary:
    date_from: date
    date_to: date
    min_cell: int
    rows: list[SummaryRow]
    overall: SummaryRow
    trend_period: Period
    trend: list[TrendPoint]


def wilson_interval(successes: int, n: int, z: float = Z_95) -> tuple[float, float]:
    """Wilson score interval for a binomial proportion (Newcombe 1998, method 3)."""
    if n <= 0:
        raise ValueError("n must be positive")
    p = successes / n
    denominator = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denominator
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denominator
    return max(0.0, centre - half), min(1.0, centre + half)


def count_cell(count: int, min_cell: int) -> Cell:
    """A count is shown when it is zero or at least min_cell."""
    if 0 < count < min_cell:
        return SUPPRESSED
    return Cell(value=count, n=count)


def share_cell(successes: int, n: int, min_cell: int, *, interval: bool = True) -> Cell:
    if n == 0:
        return Cell(value=None, n=0)
    if n < min_cell:
        return SUPPRESSED
    low, high = wilson_interval(successes, n) if interval else (None, None)
    return Cell(value=successes / n, n=n, low=low, high=high)


def mean_cell(total: int, n: int, min_cell: int) -> Cell:
    if n == 0:
        return Cell(value=None, n=0)
    if n < min_cell:
        return SUPPRESSED
    return Cell(value=total / n, n=n)


def nps_cell(promoters: int, detractors: int, n: int, min_cell: int) -> Cell:
    """Net promoter score in points, from -100 to 100."""
    if n == 0:
        return Cell(value=None, n=0)
    if n < min_cell:
        return SUPPRESSED
    return Cell(value=100 * (promoters - detractors) / n, n=n)


def _fed_by(figure: str) -> Any:
    """Answers to the questions whose kind feeds `figure` (see questionnaires.kinds)."""
    return Question.kind.in_([kind.name for kind in kinds.feeding(figure)])


def _top_box(figure: str) -> Any:
    """Answers in the top box of their kind's scale ("satisfied", "promoters")."""
    return or_(
        false(),
        *(
            and_(Question.kind == kind.name, FactAnswerDaily.value_int >= kind.scale.top_from)
            for kind in kinds.feeding(figure)
            if kind.scale is not None
        ),
    )


def _bottom_box(figure: str) -> Any:
    """Answers in the bottom box of their kind's scale, where it has one ("detractors")."""
    return or_(
        false(),
        *(
            and_(Question.kind == kind.name, FactAnswerDaily.value_int <= kind.scale.bottom_to)
            for kind in kinds.feeding(figure)
            if kind.scale is not None and kind.scale.bottom_to is not None
        ),
    )


def _day_range(fact: Any, date_from: date, date_to: date) -> Any:
    return and_(fact.day >= date_from, fact.day <= date_to)


def _in_programs(fact: Any, programs: set[str] | None) -> Any:
    """Facts of the given program ids only; None means every program (an admin's scope)."""
    return true() if programs is None else fact.program_id.in_(programs)


def _invitation_totals(
    date_from: date, date_to: date, by: list[Any], programs: set[str] | None = None
) -> dict[tuple, dict]:
    F = FactInvitationDaily
    query = (
        select(
            *by,
            func.coalesce(func.sum(F.sent), 0).label("sent"),
            func.coalesce(func.sum(F.completed), 0).label("completed"),
        )
        .where(_day_range(F, date_from, date_to), _in_programs(F, programs))
        .group_by(*by)
    )
    return {tuple(row[: len(by)]): row._asdict() for row in db.session.execute(query)}


def _answer_totals(
    date_from: date, date_to: date, by: list[Any], programs: set[str] | None = None
) -> dict[tuple, dict]:
    F = FactAnswerDaily
    rating = _fed_by("satisfaction")
    nps = _fed_by("nps")
    effort = _fed_by("effort")

    def total(condition: Any, amount: Any = F.count) -> Any:
        return func.coalesce(func.sum(case((condition, amount), else_=0)), 0)

    query = (
        select(
            *by,
            total(rating).label("rating_n"),
            total(_top_box("satisfaction")).label("rating_satisfied"),
            total(rating, F.value_int * F.count).label("rating_sum"),
            total(nps).label("nps_n"),
            total(_top_box("nps")).label("nps_promoters"),
            total(_bottom_box("nps")).label("nps_detractors"),
            total(effort).label("effort_n"),
            total(effort, F.value_int * F.count).label("effort_sum"),
        )
        .join(Question, Question.id == F.question_id)
        .where(
            _day_range(F, date_from, date_to),
            _in_programs(F, programs),
            F.value_int.is_not(None),
        )
        .group_by(*by)
    )
    return {tuple(row[: len(by)]): row._asdict() for row in db.session.execute(query)}


def _row(
    invitations: dict[str, int],
    answers: dict[str, int],
    min_cell: int,
    program: Program | None,
    channel: str | None,
) -> SummaryRow:
    sent = int(invitations.get("sent", 0))
    completed = int(invitations.get("completed", 0))
    responses = count_cell(completed, min_cell)
    response_rate = share_cell(completed, sent, min_cell, interval=False)
    if responses.suppressed and not response_rate.suppressed:
        # The rate times the number sent would give back the suppressed count.
        response_rate = SUPPRESSED
    return SummaryRow(
        program_code=program.code if program else None,
        program_name={"en": program.name_en, "fr": program.name_fr} if program else {},
        channel=channel,
        sent=count_cell(sent, min_cell),
        responses=responses,
        response_rate=response_rate,
        satisfaction=share_cell(
            int(answers.get("rating_satisfied", 0)), int(answers.get("rating_n", 0)), min_cell
        ),
        mean_rating=mean_cell(
            int(answers.get("rating_sum", 0)), int(answers.get("rating_n", 0)), min_cell
        ),
        mean_effort=mean_cell(
            int(answers.get("effort_sum", 0)), int(answers.get("effort_n", 0)), min_cell
        ),
        nps=nps_cell(
            int(answers.get("nps_promoters", 0)),
            int(answers.get("nps_detractors", 0)),
            int(answers.get("nps_n", 0)),
            min_cell,
        ),
    )


def trend_period_for(date_from: date, date_to: date) -> Period:
    return "week" if (date_to - date_from).days < WEEKLY_TREND_UNDER_DAYS else "month"


def _period_starts(date_from: date, date_to: date, period: Period) -> list[date]:
    if period == "week":
        first = date_from - timedelta(days=date_from.weekday())
        return [first + timedelta(weeks=n) for n in range((date_to - first).days // 7 + 1)]
    starts = []
    current = date_from.replace(day=1)
    while current <= date_to:
        starts.append(current)
        current = (current + timedelta(days=32)).replace(day=1)
    return starts


def satisfaction_trend(
    date_from: date,
    date_to: date,
    period: Period,
    min_cell: int,
    programs: set[str] | None = None,
) -> list[TrendPoint]:
    """Satisfaction per week or month; periods without answers appear with n = 0."""
    F = FactAnswerDaily
    start = period_start(F.day, period).label("period_start")
    rating = _fed_by("satisfaction")
    query = (
        select(
            start,
            func.coalesce(func.sum(F.count), 0).label("n"),
            func.coalesce(func.sum(case((_top_box("satisfaction"), F.count), else_=0)), 0).label(
                "satisfied"
            ),
        )
        .join(Question, Question.id == F.question_id)
        .where(
            _day_range(F, date_from, date_to),
            _in_programs(F, programs),
            rating,
            F.value_int.is_not(None),
        )
        .group_by(start)
    )
    found = {
        row.period_start: (int(row.satisfied), int(row.n)) for row in db.session.execute(query)
    }
    return [
        TrendPoint(day, share_cell(*found.get(day, (0, 0)), min_cell))
        for day in _period_starts(date_from, date_to, period)
    ]


def summary(
    date_from: date,
    date_to: date,
    min_cell: int | None = None,
    programs: set[str] | None = None,
) -> Summary:
    """Figures per program x channel and overall for the UTC days date_from..date_to.

    `programs` limits every figure (rows, overall, trend) to those program ids: a user's scope
    (feedback.governance.permissions.program_scope). None means every program.
    """
    if date_from > date_to:
        raise ValueError("date_from is after date_to")
    if min_cell is None:
        min_cell = int(current_app.config["REPORT_MIN_CELL"])
    by = [FactInvitationDaily.program_id, FactInvitationDaily.channel]
    by_answers = [FactAnswerDaily.program_id, FactAnswerDaily.channel]
    invitations = _invitation_totals(date_from, date_to, by, programs)
    answers = _answer_totals(date_from, date_to, by_answers, programs)
    keys = sorted(set(invitations) | set(answers))
    programs = {
        p.id: p
        for p in db.session.scalars(select(Program).where(Program.id.in_({k[0] for k in keys})))
    }
    rows = [
        _row(invitations.get(key, {}), answers.get(key, {}), min_cell, programs[key[0]], key[1])
        for key in keys
    ]
    rows.sort(key=lambda row: (row.program_name.get("en", ""), row.channel or ""))
    overall = _row(
        _invitation_totals(date_from, date_to, [], programs).get((), {}),
        _answer_totals(date_from, date_to, [], programs).get((), {}),
        min_cell,
        None,
        None,
    )
    period = trend_period_for(date_from, date_to)
    return Summary(
        date_from=date_from,
        date_to=date_to,
        min_cell=min_cell,
        rows=rows,
        overall=overall,
        trend_period=period,
        trend=satisfaction_trend(date_from, date_to, period, min_cell, programs),
    )
