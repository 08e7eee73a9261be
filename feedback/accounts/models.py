"""Staff users (administrators, program managers, analysts), the programs each may work on,
sign-in throttles, and API keys for systems that send contact events."""

from __future__ import annotations

import enum
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import Boolean, Column, Enum, ForeignKey, Integer, String, Table, true
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
    #: A deactivated user cannot sign in, and their open sessions end at the next request.
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    last_sign_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    programs = relationship("Program", secondary=user_programs, order_by="Program.code")

    @property
    def is_active(self) -> bool:  # Flask-Login's name
        return self.active


class SignInThrottle(db.Model):
    """Failed sign-ins by email address, whether or not an account has it: a lockout then says
    nothing about which addresses exist. The address is kept as a keyed hash only."""

    __tablename__ = "sign_in_throttles"

    email_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    last_failure_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)


#: The programs an API key may send events for. No row: every program (the key is unscoped).
api_key_programs = Table(
    "api_key_programs",
    db.metadata,
    Column("api_key_id", ForeignKey("api_keys.id", ondelete="CASCADE"), primary_key=True),
    Column("program_id", ForeignKey("programs.id", ondelete="CASCADE"), primary_key=True),
)


class ApiKey(db.Model):
    """A key is shown once as fbk_<prefix>_<secret>; only a keyed hash of its secret is kept:
    ``hmac-sha256$<hex>`` under API_KEY_HASH_KEY (keys made before 0006: an argon2 hash, replaced
    by the keyed hash on the key's first use)."""

    __tablename__ = "api_keys"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(String(120))
    prefix: Mapped[str] = mapped_column(String(16), unique=True)
    secret_hash: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    programs = relationship("Program", secondary=api_key_programs, order_by="Program.code")

    def allows(self, program_id: str) -> bool:
        """Whether this key may send events for the program (an unscoped key may for all)."""
        return not self.programs or any(program.id == program_id for program in self.programs)
