"""Programs: the department's lines of business (passports, citizenship, ...)."""

from __future__ import annotations

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from feedback.db_types import new_id
from feedback.extensions import db


class Program(db.Model):
    __tablename__ = "programs"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name_en: Mapped[str] = mapped_column(String(200))
    name_fr: Mapped[str] = mapped_column(String(200))
    # Quiet hours fall back to the program's zone when the client's is unknown.
    timezone: Mapped[str] = mapped_column(String(64), default="America/Toronto")

    def name(self, language: str) -> str:
        return self.name_fr if language == "fr" else self.name_en
