"""API keys and staff users: creation and verification (argon2 hashes only)."""

from __future__ import annotations

import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select

from feedback.accounts.models import ApiKey, Role, User
from feedback.db_types import utcnow
from feedback.extensions import db

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


def create_user(email: str, password: str, role: Role = Role.ANALYST) -> User:
    user = User(email=email.strip().lower(), password_hash=_hasher.hash(password), role=role)
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
