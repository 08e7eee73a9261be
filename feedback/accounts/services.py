"""API keys and staff users: creation (with their program scope) and verification (argon2
hashes only)."""

from __future__ import annotations

import secrets
from collections.abc import Iterable

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select

from feedback.accounts.models import ApiKey, Role, User
from feedback.db_types import utcnow
from feedback.extensions import db
from feedback.programs.models import Program

_hasher = PasswordHasher()
KEY_PREFIX = "fbk"


def create_api_key(name: str) -> tuple[ApiKey, str]:
    """Return the stored key and its plaintext, which is shown once and never kept."""
    prefix = secrets.token_hex(6)
    secret = secrets.token_urlsafe(32)
    key = ApiKey(name=name, prefix=prefix, secret_hash=_hasher.hash(secret))
    db.session.add(key)
    db.session.flush()
    return key, f"{KEY_PREFIX}_{prefix}_{secret}"


def authenticate_api_key(presented: str) -> ApiKey | None:
    parts = presented.split("_", 2)
    if len(parts) != 3 or parts[0] != KEY_PREFIX:
        return None
    key = db.session.scalar(select(ApiKey).where(ApiKey.prefix == parts[1]))
    if key is None or key.revoked_at is not None:
        return None
    try:
        _hasher.verify(key.secret_hash, parts[2])
    except (VerificationError, InvalidHashError):
        return None
    key.last_used_at = utcnow()
    return key


class AccountError(ValueError):
    """A staff account cannot be created as asked; the message says why, for the operator."""


def programs_for(role: Role, codes: Iterable[str]) -> list[Program]:
    """The programs named by `codes` for a new user of `role`, checked.

    An administrator's scope is every program, so codes are not looked at ([] is returned).
    A program manager or an analyst needs at least one program, and every code must exist.
    """
    if role is Role.ADMIN:
        return []
    wanted = {code.strip() for code in codes if code.strip()}
    if not wanted:
        raise AccountError(f"a {role.value} needs at least one program")
    found = list(db.session.scalars(select(Program).where(Program.code.in_(wanted))))
    unknown = wanted - {program.code for program in found}
    if unknown:
        raise AccountError(f"unknown program code(s): {', '.join(sorted(unknown))}")
    return sorted(found, key=lambda program: program.code)


def create_user(
    email: str,
    password: str,
    role: Role = Role.ANALYST,
    programs: Iterable[str] | None = None,
) -> User:
    """Create a staff account; the caller commits.

    `programs` are the codes of the programs a program manager or analyst works on, checked by
    programs_for (AccountError if none or unknown; ignored for an administrator). None keeps
    the older behaviour: no program yet, so the user sees empty pages until given some.
    """
    scope = [] if programs is None else programs_for(role, programs)
    user = User(
        email=email.strip().lower(),
        password_hash=_hasher.hash(password),
        role=role,
        programs=scope,
    )
    db.session.add(user)
    db.session.flush()
    return user


def set_password(user: User, password: str) -> None:
    user.password_hash = _hasher.hash(password)


def authenticate_user(email: str, password: str) -> User | None:
    user = db.session.scalar(select(User).where(User.email == email.strip().lower()))
    if user is None:
        _hasher.hash(password)  # same cost whether or not the account exists
        return None
    try:
        _hasher.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        return None
    return user
