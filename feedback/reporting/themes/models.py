"""Coded comments: one row per free-text answer, scrubbed, with its themes and the keys a
report filters and groups by (copied from the response, so a report never reads raw answers)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import JSON, Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from feedback.extensions import db


class CodedComment(db.Model):
    __tablename__ = "coded_comments"
    __table_args__ = (Index("ix_coded_comments_day_program", "day", "program_id"),)

    # The comment goes with its answer (erasure, retention, an answer replaced before completion).
    answer_id: Mapped[str] = mapped_column(
        ForeignKey("answers.id", ondelete="CASCADE"), primary_key=True
    )
    response_id: Mapped[str] = mapped_column(String(36))
    program_id: Mapped[str] = mapped_column(ForeignKey("programs.id"))
    questionnaire_version_id: Mapped[str] = mapped_column(String(36))
    day: Mapped[date] = mapped_column(Date)  # UTC day of the response's completion
    channel: Mapped[str] = mapped_column(String(32))
    contact_type: Mapped[str] = mapped_column(String(64))
    language: Mapped[str] = mapped_column(String(2))
    # The facts' encoding (feedback.reporting.facts.groups.encode).
    client_group: Mapped[str] = mapped_column(String(400), default="{}")
    scrubbed: Mapped[str] = mapped_column(Text)
    themes: Mapped[list[str]] = mapped_column(JSON, default=list)
    # The response's overall satisfaction answer (None when not given), for "how dissatisfied".
    overall: Mapped[int | None] = mapped_column(Integer)
