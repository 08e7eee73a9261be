"""An action a program took (or plans) against an irritant theme, in both languages."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import Date, Enum, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from feedback.db_types import UTCDateTime, new_id, utcnow
from feedback.extensions import db

#: The longest text of an action, in each language: a sentence or two, as the report prints it.
MAX_TEXT = 500


class ActionStatus(enum.StrEnum):
    PLANNED = "planned"
    IN_PROGRESS = "in_progress"
    DONE = "done"


class ThemeAction(db.Model):
    """One action of a program against a theme (a code of the themes taxonomy). `action_date` is
    when it was (or is to be) done; `owner` is the staff member answerable for it."""

    __tablename__ = "theme_actions"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    program_id: Mapped[str] = mapped_column(ForeignKey("programs.id"), index=True)
    theme: Mapped[str] = mapped_column(String(64), index=True)
    text_en: Mapped[str] = mapped_column(String(MAX_TEXT))
    text_fr: Mapped[str] = mapped_column(String(MAX_TEXT))
    status: Mapped[ActionStatus] = mapped_column(
        Enum(
            ActionStatus,
            native_enum=False,
            length=16,
            values_callable=lambda e: [m.value for m in e],
        ),
        default=ActionStatus.PLANNED,
    )
    action_date: Mapped[date] = mapped_column(Date)
    owner_id: Mapped[str | None] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    program = relationship("Program")
    owner = relationship("User")

    def text(self, language: str) -> str:
        return self.text_fr if language == "fr" else self.text_en
