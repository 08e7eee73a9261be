"""Contact events: a client's contact with the department, stored before anything else."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from feedback.db_types import UTCDateTime, new_id, utcnow
from feedback.extensions import db


class ContactEvent(db.Model):
    __tablename__ = "contact_events"
    __table_args__ = (UniqueConstraint("source", "external_id"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    source: Mapped[str] = mapped_column(String(64))
    external_id: Mapped[str] = mapped_column(String(128))
    program_id: Mapped[str] = mapped_column(ForeignKey("programs.id"), index=True)
    contact_type: Mapped[str] = mapped_column(String(64))
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    language: Mapped[str] = mapped_column(String(2))
    # HMAC of the department's client reference: the reference itself is never stored.
    client_hash: Mapped[str] = mapped_column(String(64), index=True)
    # Free-form attributes reporting will group by (region, client group, ...).
    attributes: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    api_key_id: Mapped[str | None] = mapped_column(ForeignKey("api_keys.id"))

    program = relationship("Program")
    invitation = relationship("Invitation", back_populates="event", uselist=False)
