"""Rollups: integer counts per UTC day in the fact tables, recomputed in SQL.

A refresh deletes the facts of a range of days and rebuilds them with INSERT ... SELECT ...
GROUP BY, so running it twice gives the same rows and nothing is counted in Python.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Select, and_, delete, func, insert, select, text

from feedback.contacts.models import ContactEvent
from feedback.db_types import utcnow
from feedback.extensions import db
from feedback.invitations.models import Invitation
from feedback.reporting.models import FactAnswerDaily, FactInvitationDaily, FactSeal
from feedback.reporting.sql import utc_day
from feedback.responses.models import Answer, Response

log = logging.getLogger(__name__)
# Any constant will do: it only has to be the same for every process that refreshes rollups.
_ADVISORY_LOCK_KEY = 72_011_301
RECENT_DAYS = 2


@dataclass(frozen=True)
class RefreshResult:
    day_from: date
    day_to: date
    invitation_rows: int
    answer_rows: int


def _start_of(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def _serialise_refreshes() -> None:
    """On PostgreSQL, hold a transaction lock so two refreshes of the same days cannot both
    delete, then both insert (under READ COMMITTED neither would see the other's rows).
    SQLite already allows a single writer at a time."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _ADVISORY_LOCK_KEY})


def _invitation_facts(start: datetime, end: datetime) -> Select[Any]:
    day = utc_day(Invitation.sent_at)
    keys = (
        Invitation.program_id,
        Invitation.channel,
        ContactEvent.contact_type,
        Invitation.language,
    )
    return (
        select(
            day.label("day"),
            *keys,
            func.count().label("sent"),
            func.count(Invitation.completed_at).label("completed"),
        )
        .join(ContactEvent, ContactEvent.id == Invitation.event_id)
        .where(
            Invitation.sent_at >= start,
            Invitation.sent_at < end,
            Invitation.channel.is_not(None),
        )
        .group_by(day, *keys)
    )


def _answer_facts(start: datetime, end: datetime) -> Select[Any]:
    day = utc_day(Answer.answered_at)
    keys = (
        Response.program_id,
        Response.questionnaire_version_id,
        Answer.question_id,
        Response.channel,
        ContactEvent.contact_type,
        Response.language,
        Answer.value_int,
        Answer.value_choice,
    )
    return (
        select(day.label("day"), *keys, func.count().label("count"))
        .join(Response, Response.id == Answer.response_id)
        .join(Invitation, Invitation.id == Response.invitation_id)
        .join(ContactEvent, ContactEvent.id == Invitation.event_id)
        .where(
            Answer.answered_at >= start,
            Answer.answered_at < end,
            # Free text is not counted by value.
            ~and_(Answer.value_int.is_(None), Answer.value_choice.is_(None)),
        )
        .group_by(day, *keys)
    )


def refresh(day_from: date, day_to: date) -> RefreshResult:
    """Recompute both fact tables for the UTC days day_from..day_to (inclusive).

    Runs in the caller's transaction, so the deletes and inserts become visible together when
    the caller commits.
    """
    if day_from > day_to:
        raise ValueError("day_from is after day_to")
    sealed = sealed_through()
    if sealed is not None and day_from <= sealed:
        # Their rows may be gone (retention): their facts are final.
        day_from = sealed + timedelta(days=1)
        if day_from > day_to:
            return RefreshResult(day_from, day_to, 0, 0)
    start, end = _start_of(day_from), _start_of(day_to + timedelta(days=1))
    _serialise_refreshes()
    for fact in (FactInvitationDaily, FactAnswerDaily):
        db.session.execute(delete(fact).where(fact.day >= day_from, fact.day <= day_to))

    invitation_columns = [
        "day",
        "program_id",
        "channel",
        "contact_type",
        "language",
        "sent",
        "completed",
    ]
    # preserve_rowcount: SQLAlchemy only keeps the row count of UPDATE and DELETE by default.
    invitations = db.session.execute(
        insert(FactInvitationDaily.__table__).from_select(
            invitation_columns, _invitation_facts(start, end)
        ),
        execution_options={"preserve_rowcount": True},
    )
    answer_columns = [
        "day",
        "program_id",
        "questionnaire_version_id",
        "question_id",
        "channel",
        "contact_type",
        "language",
        "value_int",
        "value_choice",
        "count",
    ]
    answers = db.session.execute(
        insert(FactAnswerDaily.__table__).from_select(answer_columns, _answer_facts(start, end)),
        execution_options={"preserve_rowcount": True},
    )
    result = RefreshResult(day_from, day_to, invitations.rowcount, answers.rowcount)
    log.info(
        "rollups refreshed",
        extra={
            "fields": {
                "from": day_from.isoformat(),
                "to": day_to.isoformat(),
                "invitation_rows": result.invitation_rows,
                "answer_rows": result.answer_rows,
            }
        },
    )
    return result


def sealed_through() -> date | None:
    """The last day whose facts are final (see :func:`seal_through`), if any."""
    return db.session.scalar(select(FactSeal.sealed_through).where(FactSeal.id == 1))


def seal_through(day: date) -> None:
    """Refresh the days not yet sealed up to `day`, then mark them final: from now on no
    refresh recomputes them, so the rows they count may be deleted (retention)."""
    sealed = sealed_through()
    if sealed is not None and sealed >= day:
        return
    first = db.session.scalar(
        select(func.min(utc_day(Invitation.sent_at))).where(Invitation.sent_at.is_not(None))
    )
    first_answer = db.session.scalar(select(func.min(utc_day(Answer.answered_at))))
    starts = [d for d in (first, first_answer) if d is not None]
    if sealed is not None:
        starts = [max([*starts, sealed + timedelta(days=1)])]
    if starts:
        # SQLite gives the day as text.
        begin = min(date.fromisoformat(str(d)) for d in starts)
        while begin <= day:
            # A month at a time keeps each GROUP BY small.
            last = min(day, begin + timedelta(days=30))
            refresh(begin, last)
            begin = last + timedelta(days=1)
    row = db.session.get(FactSeal, 1)
    if row is None:
        db.session.add(FactSeal(id=1, sealed_through=day))
    else:
        row.sealed_through = day
    db.session.flush()


def days_touched_since(since: datetime) -> set[date]:
    """Send days of invitations whose response was completed since `since`.

    Completions are counted on the day the invitation was sent, which may be up to the expiry
    period in the past, so a refresh of the last few days alone would miss them.
    """
    day = utc_day(Invitation.sent_at)
    rows = db.session.scalars(
        select(day)
        .distinct()
        .join(Response, Response.invitation_id == Invitation.id)
        .where(Response.completed_at >= since, Invitation.sent_at.is_not(None))
    )
    return set(rows)


def contiguous_runs(days: Iterable[date]) -> list[tuple[date, date]]:
    """Group days into inclusive (first, last) runs of consecutive days."""
    runs: list[tuple[date, date]] = []
    for day in sorted(set(days)):
        if runs and day - runs[-1][1] == timedelta(days=1):
            runs[-1] = (runs[-1][0], day)
        else:
            runs.append((day, day))
    return runs


def refresh_recent(
    extra_days: Iterable[date] = (), now: datetime | None = None
) -> list[RefreshResult]:
    """Refresh the last RECENT_DAYS days, the send days of recent completions, and extra_days."""
    now = now or utcnow()
    today = now.astimezone(UTC).date()
    days = {today - timedelta(days=n) for n in range(RECENT_DAYS)}
    days |= days_touched_since(_start_of(today - timedelta(days=RECENT_DAYS - 1)))
    days |= set(extra_days)
    return [refresh(first, last) for first, last in contiguous_runs(days)]
