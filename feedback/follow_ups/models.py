"""Follow-up settings per distribution rule, follow-up items and their notes."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import Boolean, Date, Enum, ForeignKey, Integer, String, Text, true
from sqlalchemy.orm import Mapped, mapped_column, relationship

from feedback.db_types import EncryptedText, UTCDateTime, new_id, utcnow
from feedback.extensions import db

#: Days given to a follow-up when its rule's settings say nothing else.
DEFAULT_DUE_DAYS = 5


class FollowUpPolicy(db.Model):
    """When a rule's responses open a follow-up: the answer to `score_question` at or below
    `threshold`, and "yes" to `consent_question` (a question of the contact-consent kind).
    Questions are named by code, so that the settings hold across the questionnaire's versions."""

    __tablename__ = "follow_up_policies"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    rule_id: Mapped[str] = mapped_column(ForeignKey("distribution_rules.id"), unique=True)
    program_id: Mapped[str] = mapped_column(ForeignKey("programs.id"), index=True)
    score_question: Mapped[str] = mapped_column(String(64))
    threshold: Mapped[int] = mapped_column(Integer)
    consent_question: Mapped[str] = mapped_column(String(64))
    due_days: Mapped[int] = mapped_column(
        Integer, default=DEFAULT_DUE_DAYS, server_default=str(DEFAULT_DUE_DAYS)
    )
    enabled: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    rule = relationship("DistributionRule")


class FollowUpStatus(enum.StrEnum):
    OPEN = "open"
    IN_PROGRESS = "in_progress"
    CLOSED = "closed"  # final: the client's contact details are erased


class FollowUp(db.Model):
    """One item per response (response_id is unique). The client's contact details are kept,
    encrypted, only while the item is not closed."""

    __tablename__ = "follow_ups"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    program_id: Mapped[str] = mapped_column(ForeignKey("programs.id"), index=True)
    rule_id: Mapped[str | None] = mapped_column(ForeignKey("distribution_rules.id"))
    # SET NULL: retention and a client's erasure request delete responses, not this item.
    response_id: Mapped[str | None] = mapped_column(
        ForeignKey("responses.id", ondelete="SET NULL"), unique=True
    )
    # The keyed hash of the client reference, to find a client's items (never the reference).
    client_hash: Mapped[str] = mapped_column(String(64), index=True)
    language: Mapped[str] = mapped_column(String(2))
    question_code: Mapped[str] = mapped_column(String(64))
    score: Mapped[int] = mapped_column(Integer)
    status: Mapped[FollowUpStatus] = mapped_column(
        Enum(
            FollowUpStatus,
            native_enum=False,
            length=16,
            values_callable=lambda e: [m.value for m in e],
        ),
        default=FollowUpStatus.OPEN,
        index=True,
    )
    owner_id: Mapped[str | None] = mapped_column(ForeignKey("users.id"), index=True)
    due_on: Mapped[date] = mapped_column(Date, index=True)
    email: Mapped[str | None] = mapped_column(EncryptedText)
    phone: Mapped[str | None] = mapped_column(EncryptedText)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # When the program's managers were emailed (None: not yet; a sweep retries).
    notified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    program = relationship("Program")
    owner = relationship("User")
    notes: Mapped[list[FollowUpNote]] = relationship(
        back_populates="follow_up", order_by="FollowUpNote.id"
    )

    @property
    def is_closed(self) -> bool:
        return self.status is FollowUpStatus.CLOSED


class FollowUpNote(db.Model):
    """Append-only: a note is never changed or deleted."""

    __tablename__ = "follow_up_notes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    follow_up_id: Mapped[str] = mapped_column(ForeignKey("follow_ups.id"), index=True)
    author_id: Mapped[str | None] = mapped_column(ForeignKey("users.id"))
    #: Who wrote it, as shown (kept if the user is renamed).
    author: Mapped[str] = mapped_column(String(320))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    text: Mapped[str] = mapped_column(Text)

    follow_up: Mapped[FollowUp] = relationship(back_populates="notes")
