"""One row per change a person (or the command line) made to the platform's settings."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from feedback.db_types import UTCDateTime, utcnow
from feedback.extensions import db


class AuditEvent(db.Model):
    """Append-only. No foreign keys: a row outlives the user, key or rule it names, and the
    audit log stays the lowest area (it knows no other area's tables)."""

    __tablename__ = "audit_events"
    __table_args__ = (Index("ix_audit_events_object", "object_type", "object_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    #: The staff user who acted; None for the command line or the system.
    actor_user_id: Mapped[str | None] = mapped_column(String(36), index=True)
    #: Who acted, as shown: a staff email, "cli" or "system" (kept if the user is renamed).
    actor: Mapped[str] = mapped_column(String(320))
    action: Mapped[str] = mapped_column(String(64), index=True)  # "user.create", "api_key.revoke"
    object_type: Mapped[str] = mapped_column(String(32))
    object_id: Mapped[str] = mapped_column(String(64))
    program_id: Mapped[str | None] = mapped_column(String(36), index=True)
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSON)
