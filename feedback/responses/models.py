"""Responses and their answers, stored so that counting answers by value is cheap."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from feedback.db_types import UTCDateTime, new_id, utcnow
from feedback.extensions import db


class Response(db.Model):
    __tablename__ = "responses"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    invitation_id: Mapped[str] = mapped_column(ForeignKey("invitations.id"), unique=True)
    questionnaire_version_id: Mapped[str] = mapped_column(ForeignKey("questionnaire_versions.id"))
    program_id: Mapped[str] = mapped_column(ForeignKey("programs.id"), index=True)
    channel: Mapped[str] = mapped_column(String(32))
    language: Mapped[str] = mapped_column(String(2))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    is_complete: Mapped[bool] = mapped_column(Boolean, default=False)

    answers: Mapped[list[Answer]] = relationship(
        back_populates="response", cascade="all, delete-orphan"
    )
    invitation = relationship("Invitation")


class Answer(db.Model):
    __tablename__ = "answers"
    __table_args__ = (UniqueConstraint("response_id", "question_id", "item"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    response_id: Mapped[str] = mapped_column(ForeignKey("responses.id"), index=True)
    question_id: Mapped[str] = mapped_column(ForeignKey("questions.id"), index=True)
    # 0 for most answers; a multiple-choice answer is one row per option chosen (0, 1, ...).
    item: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # Scales (rating, NPS, yes/no as 1/0) are integers; a choice is its option value.
    value_int: Mapped[int | None] = mapped_column(Integer)
    value_choice: Mapped[str | None] = mapped_column(String(64))
    value_text: Mapped[str | None] = mapped_column(Text)
    # A spoken answer (free text on the phone): the provider's reference to the recording (its
    # URL), never the audio itself.
    recording_ref: Mapped[str | None] = mapped_column(String(500))
    answered_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    response: Mapped[Response] = relationship(back_populates="answers")
    question = relationship("Question")
