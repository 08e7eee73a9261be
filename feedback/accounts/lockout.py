"""Sign-in lockout: after LOGIN_MAX_FAILURES failed sign-ins with one email address, that address
is locked for LOGIN_LOCKOUT_MINUTES.

Counted by address (a keyed hash of it), not by account, so that an unknown address is locked
exactly like a known one and the lock says nothing about who has an account. Failures older
than the lockout period are forgotten. A successful sign-in or a password reset by an
administrator clears the count. Each client address is also rate limited (RATELIMIT_LOGIN).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import delete

from feedback.accounts.models import SignInThrottle
from feedback.db_types import utcnow
from feedback.extensions import db
from feedback.security import keyed_hash


class AccountLocked(Exception):
    """Too many failed sign-ins with this address; `until` says when it may try again."""

    def __init__(self, until: datetime) -> None:
        super().__init__(f"locked until {until.isoformat()}")
        self.until = until


def _key(email: str) -> str:
    return keyed_hash(email, "sign-in")


def _period() -> timedelta:
    return timedelta(minutes=current_app.config["LOGIN_LOCKOUT_MINUTES"])


def check_not_locked(email: str) -> None:
    """Raise AccountLocked while the address is locked."""
    throttle = db.session.get(SignInThrottle, _key(email))
    if throttle is not None and throttle.locked_until and throttle.locked_until > utcnow():
        raise AccountLocked(throttle.locked_until)


def record_failure(email: str) -> None:
    """Count a failed sign-in; lock the address when the count reaches the limit (AccountLocked
    is raised then, so that the attempt that locks says so). The caller commits, even though
    the sign-in failed."""
    now = utcnow()
    throttle = db.session.get(SignInThrottle, _key(email))
    if throttle is None:
        throttle = SignInThrottle(email_hash=_key(email), failures=0, last_failure_at=now)
        db.session.add(throttle)
    elif throttle.last_failure_at < now - _period():
        throttle.failures = 0
    throttle.failures += 1
    throttle.last_failure_at = now
    locked = throttle.failures >= current_app.config["LOGIN_MAX_FAILURES"]
    if locked:
        throttle.failures = 0
        throttle.locked_until = now + _period()
    # Addresses that have not failed for a day are forgotten (most are typos or guesses).
    forget_before = now - max(_period(), timedelta(days=1))
    db.session.execute(delete(SignInThrottle).where(SignInThrottle.last_failure_at < forget_before))
    if locked:
        raise AccountLocked(throttle.locked_until)


def clear(email: str) -> None:
    """Forget the address's failures and lock (after a success or a password reset)."""
    db.session.execute(delete(SignInThrottle).where(SignInThrottle.email_hash == _key(email)))
