"""Staff users (administrators, program managers, analysts), the programs each may work on, and
API keys for systems that send contact events."""

from __future__ import annotations

import enum
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import Column, Enum, ForeignKey, String, Table
from sqlalchemy.orm import Mapped, mapped_column, relationship

from feedback.db_types import UTCDateTime, new_id, utcnow
from feedback.extensions import db


class Role(enum.StrEnum):
    ADMIN = "admin"  # every program, and the platform itself (people, keys, channels)
    PROGRAM_MANAGER = "program_manager"  # questionnaires, rules and follow-ups of their programs
    ANALYST = "analyst"  # the figures and reports of their programs


#: The programs a user works on. An administrator's scope is every program, whatever is here.
user_programs = Table(
    "user_programs",
    db.metadata,
    Column("user_id", ForeignKey("users.id"), primary_key=True),
    Column("program_id", ForeignKey("programs.id"), primary_key=True),
)


class User(UserMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[Role] = mapped_column(
        Enum(Role, native_enum=False, length=20, values_callable=lambda e: [m.value for m in e])
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    programs = relationship("Program", secondary=user_programs, order_by="Program.code")


class ApiKey(db.Model):
    """A key is shown once as fbk_<prefix>_<secret>; only an argon2 hash of it is kept."""

    __tablename__ = "api_keys"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(String(120))
    prefix: Mapped[str] = mapped_column(String(16), unique=True)
    secret_hash: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
