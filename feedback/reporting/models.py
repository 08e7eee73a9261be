"""Rollup fact tables (integer counts) and report jobs as rows with a status."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Date, Enum, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from feedback.db_types import UTCDateTime, new_id, utcnow
from feedback.extensions import db


class FactInvitationDaily(db.Model):
    """Invitations sent and completed per day (UTC), program, channel, contact type, language."""

    __tablename__ = "fact_invitation_daily"
    __table_args__ = (Index("ix_fact_invitation_daily_key", "day", "program_id", "channel"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    day: Mapped[date] = mapped_column(Date)
    program_id: Mapped[str] = mapped_column(ForeignKey("programs.id"))
    channel: Mapped[str] = mapped_column(String(32))
    contact_type: Mapped[str] = mapped_column(String(64))
    language: Mapped[str] = mapped_column(String(2))
    sent: Mapped[int] = mapped_column(Integer, default=0)
    completed: Mapped[int] = mapped_column(Integer, default=0)


class FactAnswerDaily(db.Model):
    """Answers counted by value per day, program, version, question, channel, type, language."""

    __tablename__ = "fact_answer_daily"
    __table_args__ = (Index("ix_fact_answer_daily_key", "day", "program_id", "question_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    day: Mapped[date] = mapped_column(Date)
    program_id: Mapped[str] = mapped_column(ForeignKey("programs.id"))
    questionnaire_version_id: Mapped[str] = mapped_column(ForeignKey("questionnaire_versions.id"))
    question_id: Mapped[str] = mapped_column(ForeignKey("questions.id"))
    channel: Mapped[str] = mapped_column(String(32))
    contact_type: Mapped[str] = mapped_column(String(64))
    language: Mapped[str] = mapped_column(String(2))
    value_int: Mapped[int | None] = mapped_column(Integer)
    value_choice: Mapped[str | None] = mapped_column(String(64))
    count: Mapped[int] = mapped_column(Integer, default=0)


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


class Report(db.Model):
    __tablename__ = "reports"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    status: Mapped[ReportStatus] = mapped_column(
        Enum(
            ReportStatus,
            native_enum=False,
            length=20,
            values_callable=lambda e: [m.value for m in e],
        ),
        default=ReportStatus.REQUESTED,
    )
    format: Mapped[str] = mapped_column(String(8), default="pdf")
    params: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    requested_by: Mapped[str | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    error: Mapped[str | None] = mapped_column(Text)
