"""Opt-outs: clients who asked for no more surveys, by address and by client reference."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from feedback.db_types import UTCDateTime, new_id, utcnow
from feedback.extensions import db


class OptOut(db.Model):
    """A client who asked for no more surveys, by address and by client reference."""

    __tablename__ = "opt_outs"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    channel: Mapped[str] = mapped_column(String(32))
    address_hash: Mapped[str | None] = mapped_column(String(64), index=True)
    client_hash: Mapped[str | None] = mapped_column(String(64), index=True)
    source: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
