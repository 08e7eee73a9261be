"""Signatures of webhook requests already accepted, kept while a replay could pass the clock."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from feedback.db_types import UTCDateTime, utcnow
from feedback.extensions import db


class SeenSignature(db.Model):
    __tablename__ = "seen_signatures"
    __table_args__ = (UniqueConstraint("scope", "digest"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    # Whose requests (a channel's name): two plugins never refuse each other's.
    scope: Mapped[str] = mapped_column(String(32))
    # SHA-256 of the signature: the signature itself is not kept.
    digest: Mapped[str] = mapped_column(String(64))
    seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # After this the request's timestamp is refused as too old anyway: the row can go.
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
