"""Distribution rules: whether and how to survey a contact."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import JSON, Boolean, Date, Float, ForeignKey, Integer, String
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
    # The questionnaire the rule sends. A rule pinned to a version names it; a rule without
    # one follows the questionnaire's latest published version (read when each batch is planned).
    questionnaire_id: Mapped[str | None] = mapped_column(ForeignKey("questionnaires.id"))
    questionnaire_version_id: Mapped[str | None] = mapped_column(
        ForeignKey("questionnaire_versions.id")
    )
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
    # Narrowing: the rule takes only events whose attributes hold one of the listed values for
    # every attribute named, e.g. {"region": ["east", "north"]}. Empty: every event.
    attribute_filters: Mapped[dict[str, list[str]]] = mapped_column(JSON, default=dict)
    # Never surveyed (recorded as skipped, with the reason): these contact types (for a rule
    # covering every type), and events holding one of these attribute values.
    excluded_contact_types: Mapped[list[str]] = mapped_column(JSON, default=list)
    excluded_attributes: Mapped[dict[str, list[str]]] = mapped_column(JSON, default=dict)
    # At most quota_limit invitations per quota_period ("day" or "month", in the program's time
    # zone, counted when planned); None: no quota. Counted in rule_quota_usage.
    quota_limit: Mapped[int | None] = mapped_column(Integer)
    quota_period: Mapped[str] = mapped_column(String(8), default="day", server_default="day")
    # One reminder on the same channel to clients who have not answered this many days after
    # the invitation was sent; None: no reminder.
    reminder_after_days: Mapped[int | None] = mapped_column(Integer)
    # The rule takes events that occurred on these dates (inclusive, in the program's time zone).
    active_from: Mapped[date | None] = mapped_column(Date)
    active_until: Mapped[date | None] = mapped_column(Date)

    program = relationship("Program")
    questionnaire = relationship("Questionnaire")
    questionnaire_version = relationship("QuestionnaireVersion")


class RuleQuotaUsage(db.Model):
    """How many invitations a rule with a quota has planned in one period (a local day such as
    "2026-11-30", or a month such as "2026-11"). The row is locked by the batch that plans
    against it until that batch commits (see planning.Lookups), so concurrent batches take turns
    and the count never exceeds the rule's limit."""

    __tablename__ = "rule_quota_usage"

    rule_id: Mapped[str] = mapped_column(ForeignKey("distribution_rules.id"), primary_key=True)
    period: Mapped[str] = mapped_column(String(10), primary_key=True)
    used: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
