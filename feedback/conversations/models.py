"""Where a conversation stands: the question awaiting a reply, and whether it was re-asked."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from feedback.db_types import UTCDateTime, new_id, utcnow
from feedback.extensions import db


class Conversation(db.Model):
    """One per invitation in conversation mode, created when the invitation is sent."""

    __tablename__ = "conversations"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    invitation_id: Mapped[str] = mapped_column(ForeignKey("invitations.id"), unique=True)
    # Index (in the version's order) of the question the next reply answers; -1 while the
    # invitation waits for a first reply to start (it asked no question itself).
    position: Mapped[int] = mapped_column(Integer, default=0)
    # Invalid replies to the current question: after one re-prompt the survey moves on.
    reprompts: Mapped[int] = mapped_column(Integer, default=0)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    invitation = relationship("Invitation")
