"""Distribution rules: whether and how to survey a contact."""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, Boolean, Float, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from feedback.db_types import new_id
from feedback.extensions import db
from feedback.invitations.models import InvitationMode, mode_type


class DistributionRule(db.Model):
    __tablename__ = "distribution_rules"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    program_id: Mapped[str] = mapped_column(ForeignKey("programs.id"), index=True)
    # None matches every contact type of the program; a specific type wins over it.
    contact_type: Mapped[str | None] = mapped_column(String(64))
    questionnaire_version_id: Mapped[str] = mapped_column(ForeignKey("questionnaire_versions.id"))
    channel: Mapped[str] = mapped_column(String(32))
    # Link, conversation or call-back; a channel that cannot hold a conversation (or place a
    # call) sends the link instead.
    mode: Mapped[InvitationMode] = mapped_column(
        mode_type, default=InvitationMode.LINK, server_default=InvitationMode.LINK.value
    )
    # Options of the rule's channel, declared and validated by its plugin (Channel.rule_options),
    # e.g. {"record_answers": true} for a voice channel that records spoken answers.
    channel_options: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # Used when the rule's channel cannot reach the client (no phone, or an invalid one).
    fallback_channel: Mapped[str | None] = mapped_column(String(32))
    delay_minutes: Mapped[int] = mapped_column(Integer, default=0)
    sampling_rate: Mapped[float] = mapped_column(Float, default=1.0)
    expiry_days: Mapped[int] = mapped_column(Integer, default=14)
    # At most one survey per client per this many days (0 turns the rule off).
    fatigue_days: Mapped[int] = mapped_column(Integer, default=30)
    # Local hours in the client's zone when nothing is sent. None on both takes the channel's
    # default (21:00-08:00 for text messages, none for email); equal hours disable them.
    quiet_start_hour: Mapped[int | None] = mapped_column(Integer)
    quiet_end_hour: Mapped[int | None] = mapped_column(Integer)
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    program = relationship("Program")
    questionnaire_version = relationship("QuestionnaireVersion")
