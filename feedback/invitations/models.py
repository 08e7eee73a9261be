"""Invitations: the outbox rows that dispatch claims. Their states and every move between them
are in :mod:`feedback.invitations.lifecycle`."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Enum, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from feedback.db_types import EncryptedText, UTCDateTime, new_id, utcnow
from feedback.extensions import db


class InvitationStatus(enum.StrEnum):
    SCHEDULED = "scheduled"
    SENDING = "sending"
    SENT = "sent"
    DELIVERED = "delivered"  # the provider's receipt says the handset (or mailbox) has it
    UNDELIVERED = "undelivered"  # accepted by the provider, then not delivered
    FAILED = "failed"
    OPENED = "opened"
    COMPLETED = "completed"
    EXPIRED = "expired"
    OPTED_OUT = "opted_out"
    SKIPPED = "skipped"


_status_type = Enum(
    InvitationStatus,
    native_enum=False,
    length=20,
    values_callable=lambda e: [m.value for m in e],
)


class InvitationMode(enum.StrEnum):
    LINK = "link"  # one message with the one-time web link
    CONVERSATION = "conversation"  # the questions asked one at a time, each reply an answer
    # Voice: the survey calls the client back (outbound call) and asks by keypad. (A voice
    # channel's conversation is the caller transferred to the survey at the end of a call.)
    CALLBACK = "callback"


mode_type = Enum(
    InvitationMode,
    native_enum=False,
    length=16,
    values_callable=lambda e: [m.value for m in e],
)


class Invitation(db.Model):
    __tablename__ = "invitations"
    __table_args__ = (
        Index("ix_invitations_status_due_at", "status", "due_at"),
        # Delivery receipts find their invitation by the provider's message id.
        Index("ix_invitations_channel_provider_ref", "channel", "provider_ref"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    event_id: Mapped[str] = mapped_column(ForeignKey("contact_events.id"), unique=True)
    program_id: Mapped[str] = mapped_column(ForeignKey("programs.id"), index=True)
    rule_id: Mapped[str | None] = mapped_column(ForeignKey("distribution_rules.id"))
    questionnaire_version_id: Mapped[str | None] = mapped_column(
        ForeignKey("questionnaire_versions.id")
    )
    channel: Mapped[str | None] = mapped_column(String(32))
    # Decided when planned (the rule's mode, if the channel can hold a conversation).
    mode: Mapped[InvitationMode] = mapped_column(
        mode_type, default=InvitationMode.LINK, server_default=InvitationMode.LINK.value
    )
    language: Mapped[str] = mapped_column(String(2))
    client_hash: Mapped[str] = mapped_column(String(64), index=True)
    # Keyed hash of the address used (email or phone): survives purging, for opt-outs.
    address_hash: Mapped[str | None] = mapped_column(String(64), index=True)
    # Encrypted at rest (DATA_ENCRYPTION_KEYS), and purged when no longer needed (lifecycle).
    email: Mapped[str | None] = mapped_column(EncryptedText)
    phone: Mapped[str | None] = mapped_column(EncryptedText)
    timezone: Mapped[str | None] = mapped_column(String(64))
    status: Mapped[InvitationStatus] = mapped_column(
        _status_type, default=InvitationStatus.SCHEDULED
    )
    reason: Mapped[str | None] = mapped_column(String(64))
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # When a dispatch sweep last handed it to a send task (it stays scheduled until a worker
    # starts sending it); a later sweep queues it again only once this is old.
    queued_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    opened_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # When its one reminder was taken up (lifecycle.claim_reminders); None: not reminded.
    reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    provider_ref: Mapped[str | None] = mapped_column(String(128))
    # SHA-256 of the one-time survey token; the token itself only travels in the message.
    token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    # Random salt of the survey token (security.survey_token), so that every attempt to send
    # the invitation carries the same link.
    token_salt: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    event = relationship("ContactEvent", back_populates="invitation")
    program = relationship("Program")
    questionnaire_version = relationship("QuestionnaireVersion")
    transitions: Mapped[list[InvitationTransition]] = relationship(
        back_populates="invitation", order_by="InvitationTransition.id"
    )


class InvitationTransition(db.Model):
    """Every state change with its reason: the audit trail of each decision."""

    __tablename__ = "invitation_transitions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    invitation_id: Mapped[str] = mapped_column(ForeignKey("invitations.id"), index=True)
    from_status: Mapped[InvitationStatus | None] = mapped_column(_status_type)
    to_status: Mapped[InvitationStatus] = mapped_column(_status_type)
    reason: Mapped[str | None] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    invitation: Mapped[Invitation] = relationship(back_populates="transitions")
