"""API keys and staff users: creation (with their program scope), changes, verification.

Every change is written to the audit log here (never a password or a key's secret), so that
the admin pages, the command line and the demo seed are recorded alike.

Passwords are argon2 hashes (slow on purpose: people choose them). API keys carry 256 random
bits, so a keyed hash is enough and fast: HMAC-SHA256 under API_KEY_HASH_KEY. Keys issued before
that kept an argon2 hash; it still verifies, and is replaced by the keyed hash on first use.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Iterable
from datetime import timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, select

from feedback.accounts import lockout
from feedback.accounts.models import ApiKey, Role, User
from feedback.audit.services import CHANGED, record
from feedback.db_types import utcnow
from feedback.extensions import db
from feedback.programs.models import Program

_hasher = PasswordHasher()
KEY_PREFIX = "fbk"
HMAC_SCHEME = "hmac-sha256$"
#: A key's last use is written at most this often: not one more write (and row lock, shared by
#: every request with the key) per request.
LAST_USED_PRECISION = timedelta(minutes=1)


def api_key_hash(secret: str) -> str:
    key = current_app.config["API_KEY_HASH_KEY"].encode()
    digest = hmac.new(key, f"api-key:{secret}".encode(), hashlib.sha256).hexdigest()
    return HMAC_SCHEME + digest


def _secret_matches(key: ApiKey, secret: str) -> bool:
    if key.secret_hash.startswith(HMAC_SCHEME):
        return hmac.compare_digest(key.secret_hash, api_key_hash(secret))
    try:  # a key made before keyed hashes: argon2, upgraded now that the secret is at hand
        _hasher.verify(key.secret_hash, secret)
    except (VerificationError, InvalidHashError):
        return False
    key.secret_hash = api_key_hash(secret)
    return True


def create_api_key(name: str, programs: Iterable[str] | None = None) -> tuple[ApiKey, str]:
    """Return the stored key and its plaintext, which is shown once and never kept.

    `programs` are codes of the programs the key may send events for (checked; AccountError
    if one is unknown); none: every program."""
    scope = _programs_by_code(programs) if programs else []
    prefix = secrets.token_hex(6)
    secret = secrets.token_urlsafe(32)
    key = ApiKey(name=name, prefix=prefix, secret_hash=api_key_hash(secret), programs=scope)
    db.session.add(key)
    db.session.flush()
    record("api_key.create", key, None, _key_snapshot(key))
    return key, f"{KEY_PREFIX}_{prefix}_{secret}"


def _key_snapshot(key: ApiKey) -> dict[str, object]:
    """What the audit log keeps of a key: never its secret or hash."""
    return {
        "name": key.name,
        "prefix": f"{KEY_PREFIX}_{key.prefix}",
        "programs": [program.code for program in key.programs],
        "revoked_at": key.revoked_at,
    }


def list_api_keys(include_revoked: bool = False) -> list[ApiKey]:
    query = select(ApiKey).order_by(ApiKey.created_at, ApiKey.name)
    if not include_revoked:
        query = query.where(ApiKey.revoked_at.is_(None))
    return list(db.session.scalars(query))


def revoke_api_key(prefix_or_id: str) -> ApiKey:
    """Revoke a key by its prefix (the part after fbk_) or its id; the caller commits.

    AccountError if there is no such key; revoking a revoked key changes nothing."""
    wanted = prefix_or_id.strip()
    if wanted.startswith(f"{KEY_PREFIX}_"):
        wanted = wanted.split("_", 2)[1]
    key = db.session.scalar(select(ApiKey).where((ApiKey.prefix == wanted) | (ApiKey.id == wanted)))
    if key is None:
        raise AccountError(f"no API key {prefix_or_id!r}")
    if key.revoked_at is None:
        before = _key_snapshot(key)
        key.revoked_at = utcnow()
        record("api_key.revoke", key, before, _key_snapshot(key))
    return key


def get_api_key(key_id: str) -> ApiKey | None:
    return db.session.get(ApiKey, key_id)


def key_allows(api_key_id: str | None, program: Program) -> bool:
    """Whether the key (None: not through the API, e.g. a CSV import) may send for `program`."""
    if api_key_id is None:
        return True
    key = db.session.get(ApiKey, api_key_id)
    return key is None or key.allows(program.id)


def authenticate_api_key(presented: str) -> ApiKey | None:
    parts = presented.split("_", 2)
    if len(parts) != 3 or parts[0] != KEY_PREFIX:
        return None
    key = db.session.scalar(select(ApiKey).where(ApiKey.prefix == parts[1]))
    if key is None or key.revoked_at is not None or not _secret_matches(key, parts[2]):
        return None
    now = utcnow()
    if key.last_used_at is None or key.last_used_at < now - LAST_USED_PRECISION:
        key.last_used_at = now
    return key


class AccountError(ValueError):
    """A staff account or an API key cannot be made or changed as asked; the message says why,
    for the operator."""


def programs_for(role: Role, codes: Iterable[str]) -> list[Program]:
    """The programs named by `codes` for a new user of `role`, checked.

    An administrator's scope is every program, so codes are not looked at ([] is returned).
    A program manager or an analyst needs at least one program, and every code must exist.
    """
    if role is Role.ADMIN:
        return []
    codes = list(codes)
    if not any(code.strip() for code in codes):
        raise AccountError(f"a {role.value} needs at least one program")
    return _programs_by_code(codes)


def _programs_by_code(codes: Iterable[str]) -> list[Program]:
    wanted = {code.strip() for code in codes if code.strip()}
    found = list(db.session.scalars(select(Program).where(Program.code.in_(wanted))))
    unknown = wanted - {program.code for program in found}
    if unknown:
        raise AccountError(f"unknown program code(s): {', '.join(sorted(unknown))}")
    return sorted(found, key=lambda program: program.code)


def user_snapshot(user: User) -> dict[str, object]:
    """What the audit log keeps of a staff account (no password hash)."""
    return {
        "email": user.email,
        "role": user.role.value,
        "programs": [program.code for program in user.programs],
        "active": user.active,
    }


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
        active=True,
    )
    db.session.add(user)
    db.session.flush()
    record("user.create", user, None, user_snapshot(user))
    return user


def find_user(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == email.strip().lower()))


def list_users() -> list[User]:
    """Every staff account, active ones first, by email."""
    return list(db.session.scalars(select(User).order_by(User.active.desc(), User.email)))


def _active_admins() -> int:
    return db.session.scalar(
        select(func.count()).select_from(User).where(User.role == Role.ADMIN, User.active)
    )


def _keeps_an_admin(user: User, role: Role, active: bool) -> bool:
    """Whether at least one active administrator remains if `user` becomes `role`, `active`."""
    was_admin = user.role is Role.ADMIN and user.active
    return not was_admin or (role is Role.ADMIN and active) or _active_admins() > 1


def update_user(user: User, role: Role, programs: Iterable[str]) -> None:
    """Change a user's role and programs (checked as for a new user); the caller commits."""
    if not _keeps_an_admin(user, role, user.active):
        raise AccountError(_("The platform needs at least one active administrator."))
    scope = programs_for(role, programs)
    before = user_snapshot(user)
    user.role = role
    user.programs = scope
    db.session.flush()
    record("user.update", user, before, user_snapshot(user))


def set_active(user: User, active: bool, by: User | None = None) -> None:
    """Deactivate (or reactivate) `user`: a deactivated user cannot sign in, and their open
    sessions end at their next request. Nobody deactivates themselves; the caller commits."""
    if not active and by is not None and by.id == user.id:
        raise AccountError(_("You cannot deactivate your own account."))
    if not _keeps_an_admin(user, user.role, active):
        raise AccountError(_("The platform needs at least one active administrator."))
    before = user_snapshot(user)
    user.active = active
    record("user.activate" if active else "user.deactivate", user, before, user_snapshot(user))


def generate_password() -> str:
    """A temporary password to give a person: 16 random URL-safe characters."""
    return secrets.token_urlsafe(12)


def set_password(user: User, password: str) -> None:
    """A new password (an administrator's reset, or the demo's); it also lifts a lockout."""
    user.password_hash = _hasher.hash(password)
    lockout.clear(user.email)
    record("user.set_password", user, None, {"password": CHANGED})


def authenticate_user(email: str, password: str) -> User | None:
    """The active user with this email and password, else None (one answer for every cause).

    Raises lockout.AccountLocked while the address is locked, or when this failure locks it.
    The caller commits either way: failures are counted in the database.
    """
    lockout.check_not_locked(email)
    user = find_user(email)
    if user is None:
        _hasher.hash(password)  # same cost whether or not the account exists
    else:
        try:
            _hasher.verify(user.password_hash, password)
        except (VerificationError, InvalidHashError):
            user = None
    if user is None or not user.active:
        lockout.record_failure(email)
        return None
    lockout.clear(email)
    user.last_sign_in_at = utcnow()
    return user
