"""Walk-in points (one open survey link per office) and their visits counted by the hour."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, String, true
from sqlalchemy.orm import Mapped, mapped_column, relationship

from feedback.db_types import UTCDateTime, new_id, utcnow
from feedback.extensions import db

#: The contact type a new point names unless the manager picks another: the program's rule for
#: it decides the questionnaire.
DEFAULT_CONTACT_TYPE = "walk_in"


class WalkInPoint(db.Model):
    """An office's open survey link. Its token is printed on the poster: long enough that nobody
    finds a point by trying, short enough to type from the poster."""

    __tablename__ = "walk_in_points"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    program_id: Mapped[str] = mapped_column(ForeignKey("programs.id"), index=True)
    #: Given to every visit's event as the attribute `office` (reporting groups by it).
    office_code: Mapped[str] = mapped_column(String(64))
    name_en: Mapped[str] = mapped_column(String(200))
    name_fr: Mapped[str] = mapped_column(String(200))
    contact_type: Mapped[str] = mapped_column(
        String(64), default=DEFAULT_CONTACT_TYPE, server_default=DEFAULT_CONTACT_TYPE
    )
    token: Mapped[str] = mapped_column(String(32), unique=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    deactivated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    program = relationship("Program")

    def name(self, language: str) -> str:
        return self.name_fr if language == "fr" else self.name_en


class WalkInHour(db.Model):
    """What happened at a point in one hour (UTC): surveys started, surveys resumed by the same
    browser, and visits the rate limit refused. Counted as they happen (an upsert), so the
    manager's page reads a few rows rather than the events."""

    __tablename__ = "walk_in_hours"

    point_id: Mapped[str] = mapped_column(ForeignKey("walk_in_points.id"), primary_key=True)
    hour: Mapped[datetime] = mapped_column(UTCDateTime, primary_key=True)
    visits: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    resumed: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    refused: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
