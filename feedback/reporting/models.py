"""Rollup fact tables (integer counts) and report jobs as rows with a status."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Date, Enum, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from feedback.db_types import UTCDateTime, new_id, utcnow
from feedback.extensions import db

#: The client group of an event without reportable attributes (feedback.reporting.facts.groups).
NO_GROUP = "{}"


# The fact tables hold the ids of programs, versions and questions without foreign keys: they
# are derived rows written by the fact builder from rows that have them, and checking each key
# of a bulk INSERT ... SELECT would take most of a rebuild's time.


def _client_group() -> Mapped[str]:
    """The event's reportable attributes as canonical JSON (sorted keys, compact separators)."""
    return mapped_column(String(400), default=NO_GROUP, server_default=NO_GROUP)


class FactInvitationDaily(db.Model):
    """Invitations sent, reached and completed per day (UTC) of sending, program, channel,
    contact type, language and client group.

    `reached`: sent and not reported undelivered or failed (the response rate's denominator).
    """

    __tablename__ = "fact_invitation_daily"
    __table_args__ = (Index("ix_fact_invitation_daily_key", "day", "program_id", "channel"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    day: Mapped[date] = mapped_column(Date)
    program_id: Mapped[str] = mapped_column(String(36))
    channel: Mapped[str] = mapped_column(String(32))
    contact_type: Mapped[str] = mapped_column(String(64))
    language: Mapped[str] = mapped_column(String(2))
    client_group: Mapped[str] = _client_group()
    sent: Mapped[int] = mapped_column(Integer, default=0)
    reached: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    completed: Mapped[int] = mapped_column(Integer, default=0)


class FactAnswerDaily(db.Model):
    """Answers of completed responses counted by value per day, program, version, question,
    channel, contact type, language and client group.

    The day is the UTC day the response was completed (not the day each answer was given), and
    a response counts only once complete: a report's answers are then the same set as its
    responses, and a response's answers all fall on one day, which the incremental update
    finds through the index on responses.completed_at.
    """

    __tablename__ = "fact_answer_daily"
    __table_args__ = (Index("ix_fact_answer_daily_key", "day", "program_id", "question_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    day: Mapped[date] = mapped_column(Date)
    program_id: Mapped[str] = mapped_column(String(36))
    questionnaire_version_id: Mapped[str] = mapped_column(String(36))
    question_id: Mapped[str] = mapped_column(String(36))
    channel: Mapped[str] = mapped_column(String(32))
    contact_type: Mapped[str] = mapped_column(String(64))
    language: Mapped[str] = mapped_column(String(2))
    client_group: Mapped[str] = _client_group()
    value_int: Mapped[int | None] = mapped_column(Integer)
    value_choice: Mapped[str | None] = mapped_column(String(64))
    count: Mapped[int] = mapped_column(Integer, default=0)


class FactAnswerMonthly(db.Model):
    """fact_answer_daily summed by UTC month (`month`: the month's first day), kept by the fact
    builder from the daily facts whenever it recomputes days: a report over whole months reads
    these far fewer rows (daily answer facts hardly aggregate) and its edge days from the daily
    table."""

    __tablename__ = "fact_answer_monthly"
    __table_args__ = (Index("ix_fact_answer_monthly_key", "month", "program_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    month: Mapped[date] = mapped_column(Date)
    program_id: Mapped[str] = mapped_column(String(36))
    questionnaire_version_id: Mapped[str] = mapped_column(String(36))
    question_id: Mapped[str] = mapped_column(String(36))
    channel: Mapped[str] = mapped_column(String(32))
    contact_type: Mapped[str] = mapped_column(String(64))
    language: Mapped[str] = mapped_column(String(2))
    client_group: Mapped[str] = _client_group()
    value_int: Mapped[int | None] = mapped_column(Integer)
    value_choice: Mapped[str | None] = mapped_column(String(64))
    count: Mapped[int] = mapped_column(Integer, default=0)


class FactAnswerChannelDaily(db.Model):
    """fact_answer_daily summed over contact type, language and client group (by day, program,
    version, channel, question and value), kept by the fact builder from the daily facts like
    the monthly ones: a trend by week needs days, and reads these far fewer rows when it is not
    broken down or filtered by those dimensions."""

    __tablename__ = "fact_answer_channel_daily"
    __table_args__ = (Index("ix_fact_answer_channel_daily_key", "day", "program_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    day: Mapped[date] = mapped_column(Date)
    program_id: Mapped[str] = mapped_column(String(36))
    questionnaire_version_id: Mapped[str] = mapped_column(String(36))
    channel: Mapped[str] = mapped_column(String(32))
    question_id: Mapped[str] = mapped_column(String(36))
    value_int: Mapped[int | None] = mapped_column(Integer)
    value_choice: Mapped[str | None] = mapped_column(String(64))
    count: Mapped[int] = mapped_column(Integer, default=0)


class FactAnswerPairDaily(db.Model):
    """Pairs of scale answers (value_int) given in the same completed response to questions
    whose topic is "overall" or a driver, topic_a < topic_b: what the drivers analysis needs
    (every correlation between overall satisfaction and the drivers) as integer counts.

    Kept by day, program and version only: some thirty pairs a response would otherwise make
    this the largest table by far, and drivers describe a program as a whole.
    """

    __tablename__ = "fact_answer_pair_daily"
    __table_args__ = (Index("ix_fact_answer_pair_daily_key", "day", "program_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    day: Mapped[date] = mapped_column(Date)
    program_id: Mapped[str] = mapped_column(String(36))
    questionnaire_version_id: Mapped[str] = mapped_column(String(36))
    topic_a: Mapped[str] = mapped_column(String(32))
    value_a: Mapped[int] = mapped_column(Integer)
    topic_b: Mapped[str] = mapped_column(String(32))
    value_b: Mapped[int] = mapped_column(Integer)
    count: Mapped[int] = mapped_column(Integer, default=0)


class FactWatermark(db.Model):
    """How far an incremental update has read (one row per reader, e.g. "facts")."""

    __tablename__ = "fact_watermarks"

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    through: Mapped[datetime] = mapped_column(UTCDateTime)


class FactSeal(db.Model):
    """The days whose facts are final: the retention job rolled them up, then deleted the rows
    they count, so no refresh may recompute them (one row)."""

    __tablename__ = "fact_seals"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    sealed_through: Mapped[date] = mapped_column(Date)


class ReportStatus(enum.StrEnum):
    REQUESTED = "requested"
    GENERATING = "generating"
    READY = "ready"
    FAILED = "failed"


class ReportKind(enum.StrEnum):
    """Who asked: a person (on demand) or beat, for the previous month or quarter."""

    ON_DEMAND = "on_demand"
    MONTHLY = "monthly"
    QUARTERLY = "quarterly"


#: Every output of a report, in the order they are listed: the file name under
#: REPORTS_DIR/<report id>/ is the format with its extension ("pdf-fr" -> "report-fr.pdf").
REPORT_FORMATS: tuple[str, ...] = ("pdf-en", "pdf-fr", "html-en", "html-fr", "csv", "xlsx")


def _enum(kind: type[enum.StrEnum], length: int) -> Enum:
    return Enum(
        kind, native_enum=False, length=length, values_callable=lambda e: [m.value for m in e]
    )


class Report(db.Model):
    """A report job. Its options (period, programs, weighting) live in `params`, with the
    requester's program scope recorded at request time; `period_key` ("monthly:2026-10-01")
    makes a scheduled report unique per kind and period, on-demand reports have none."""

    __tablename__ = "reports"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    status: Mapped[ReportStatus] = mapped_column(
        _enum(ReportStatus, 20), default=ReportStatus.REQUESTED
    )
    kind: Mapped[ReportKind] = mapped_column(_enum(ReportKind, 16), default=ReportKind.ON_DEMAND)
    period_key: Mapped[str | None] = mapped_column(String(40), unique=True)
    formats: Mapped[list[str]] = mapped_column(JSON, default=lambda: list(REPORT_FORMATS))
    progress: Mapped[int] = mapped_column(Integer, default=0)
    params: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    requested_by: Mapped[str | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    error: Mapped[str | None] = mapped_column(Text)
