"""Configuration read from the environment, with development defaults.

Every setting is documented in the README's configuration table. The embedded default needs no
server: SQLite in the instance folder and kombu's filesystem transport as the broker.
"""

from __future__ import annotations

import base64
import hashlib
import os
from datetime import timedelta
from pathlib import Path
from typing import Any

from celery.schedules import crontab

DEV_SECRET = "dev-only-not-secret"  # noqa: S105 - refused outside development


#: Environments where development shortcuts (the dev outbox, well-known webhook secrets) may apply.
#: Anything else (production, staging, ...) gets none of them.
LOCAL_ENVIRONMENTS = frozenset({"development", "testing"})


def is_local(feedback_env: str) -> bool:
    return feedback_env in LOCAL_ENVIRONMENTS


class ConfigError(RuntimeError):
    """The environment does not describe a runnable configuration."""


def _int(env: dict[str, str], name: str, default: int) -> int:
    raw = env.get(name)
    if raw in (None, ""):
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ConfigError(f"{name} must be a whole number, not {raw!r}") from exc


def _list(raw: str | None, default: list[str]) -> list[str]:
    if raw is None or raw.strip() == "":
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


#: The longest public address: it goes into texts that must fit one SMS segment in each
#: language (the HELP reply with /privacy, the survey link with its 43-character token).
MAX_PUBLIC_BASE_URL = 48


def _public_base_url(env: dict[str, str]) -> str:
    url = (env.get("PUBLIC_BASE_URL") or "http://127.0.0.1:5000").rstrip("/")
    if len(url) > MAX_PUBLIC_BASE_URL:
        raise ConfigError(
            f"PUBLIC_BASE_URL must be at most {MAX_PUBLIC_BASE_URL} characters ({len(url)} given): "
            "it goes into text messages that must fit one segment"
        )
    return url


def filesystem_broker_options(folder: Path) -> dict[str, Any]:
    """kombu's filesystem transport: messages are files in one shared folder."""
    queue = folder / "queue"
    processed = folder / "processed"
    control = folder / "control"
    for path in (queue, processed, control):
        path.mkdir(parents=True, exist_ok=True)
    return {
        "data_folder_in": str(queue),
        "data_folder_out": str(queue),
        "processed_folder": str(processed),
        "control_folder": str(control),
        "store_processed": False,
    }


def _rate_limit_storage(feedback_env: str, broker_url: str) -> str:
    """Counters shared by every web process: the Redis broker in production, memory locally."""
    if not is_local(feedback_env) and broker_url.startswith(("redis://", "rediss://")):
        return broker_url
    return "memory://"


def derived_data_key(secret: str) -> str:
    """The data key of development and testing, derived from SECRET_KEY (never in production:
    DATA_ENCRYPTION_KEYS is required there)."""
    digest = hashlib.sha256(f"data-encryption:{secret}".encode()).digest()
    return base64.urlsafe_b64encode(digest).decode()


def data_encryption_keys(env: dict[str, str], feedback_env: str, secret: str) -> list[str]:
    """Fernet keys for contact details at rest: the first encrypts, every one decrypts.

    Rotation: put a new key first, run `feedback privacy rotate-keys`, then drop the old one.
    Locally (development, testing) none is needed: see :func:`derived_data_key`.
    """
    keys = _list(env.get("DATA_ENCRYPTION_KEYS"), [])
    if not keys:
        if not is_local(feedback_env):
            raise ConfigError(
                "DATA_ENCRYPTION_KEYS must be set when FEEDBACK_ENV is not development or "
                "testing: one or more Fernet keys, comma-separated, the first encrypts; make one "
                'with python -c "from cryptography.fernet import Fernet; '
                'print(Fernet.generate_key().decode())"'
            )
        # Derived from the app's SECRET_KEY when used (feedback.db_types.data_cipher), so that
        # a SECRET_KEY given after this (tests, a worker of the same app) gives the same key.
        return []
    for position, key in enumerate(keys, start=1):
        try:
            valid = len(base64.urlsafe_b64decode(key.encode())) == 32
        except ValueError:
            valid = False
        if not valid:
            raise ConfigError(
                f"DATA_ENCRYPTION_KEYS: key {position} is not a Fernet key "
                "(32 bytes in URL-safe base64, 44 characters)"
            )
    return keys


def from_environment(instance_path: str, env: dict[str, str] | None = None) -> dict[str, Any]:
    """Build the Flask config mapping from environment variables."""
    env = dict(os.environ if env is None else env)
    instance = Path(instance_path)
    feedback_env = env.get("FEEDBACK_ENV", "development")
    development = feedback_env == "development"

    secret = env.get("SECRET_KEY") or ""
    if not secret:
        if not development:
            raise ConfigError("SECRET_KEY must be set when FEEDBACK_ENV is not 'development'")
        secret = DEV_SECRET

    broker_url = env.get("CELERY_BROKER_URL") or "filesystem://"
    # Redis (and SQS) redeliver a message not acknowledged within the visibility timeout: an hour,
    # longer than any retry countdown (Celery's backoff stops at ten minutes). A task lost with
    # its worker is not waited for: the dispatch sweep queues its invitations again after
    # DISPATCH_REQUEUE_AFTER_SECONDS (docs/reliability.md).
    broker_options: dict[str, Any] = {"visibility_timeout": 3600}
    if broker_url.startswith("filesystem://"):
        broker_options = filesystem_broker_options(
            Path(env.get("BROKER_FOLDER") or instance / "broker")
        )

    return {
        "FEEDBACK_ENV": feedback_env,
        "DEBUG": False,
        "TESTING": feedback_env == "testing",
        "SECRET_KEY": secret,
        # Client references are stored as HMAC-SHA256 under this key (defaults to SECRET_KEY).
        "CLIENT_HASH_KEY": env.get("CLIENT_HASH_KEY") or secret,
        # Contact details (invitations.email, .phone) are encrypted with these (docs/privacy.md).
        "DATA_ENCRYPTION_KEYS": data_encryption_keys(env, feedback_env, secret),
        # Response-level data older than this is deleted; the daily facts are kept.
        "RETENTION_DAYS": _int(env, "RETENTION_DAYS", 730),
        "RETENTION_BATCH_SIZE": _int(env, "RETENTION_BATCH_SIZE", 5000),
        # Shown on the privacy notice: the authority to collect, and whom to ask for access.
        "PRIVACY_AUTHORITY_EN": env.get("PRIVACY_AUTHORITY_EN") or "",
        "PRIVACY_AUTHORITY_FR": env.get("PRIVACY_AUTHORITY_FR") or "",
        "PRIVACY_CONTACT": env.get("PRIVACY_CONTACT") or "",
        "SQLALCHEMY_DATABASE_URI": env.get("DATABASE_URL")
        or f"sqlite:///{instance / 'feedback.db'}",
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "PUBLIC_BASE_URL": _public_base_url(env),
        "BABEL_DEFAULT_LOCALE": env.get("DEFAULT_LANGUAGE", "en"),
        "BABEL_DEFAULT_TIMEZONE": "UTC",
        "LANGUAGES": ["en", "fr"],
        "FEEDBACK_CHANNELS": _list(env.get("FEEDBACK_CHANNELS"), ["email"]),
        "OUTBOX_DIR": env.get("OUTBOX_DIR") or (str(instance / "outbox") if development else ""),
        "REPORTS_DIR": env.get("REPORTS_DIR") or str(instance / "reports"),
        "REPORT_MIN_CELL": _int(env, "REPORT_MIN_CELL", 10),
        "DISPATCH_BATCH_SIZE": _int(env, "DISPATCH_BATCH_SIZE", 200),
        "DISPATCH_INTERVAL_SECONDS": _int(env, "DISPATCH_INTERVAL_SECONDS", 5),
        "SEND_MAX_ATTEMPTS": _int(env, "SEND_MAX_ATTEMPTS", 5),
        # Input limits of the contacts API and CSV import (README: "The API"); over them: 413/422.
        "MAX_CONTENT_LENGTH": _int(env, "MAX_CONTENT_LENGTH", 2 * 1024 * 1024),
        "API_MAX_BATCH": _int(env, "API_MAX_BATCH", 1000),
        "API_MAX_JSON_DEPTH": _int(env, "API_MAX_JSON_DEPTH", 16),
        "CONTACT_MAX_ATTRIBUTES": _int(env, "CONTACT_MAX_ATTRIBUTES", 50),
        "CONTACT_MAX_ATTRIBUTE_KEY": _int(env, "CONTACT_MAX_ATTRIBUTE_KEY", 64),
        "CONTACT_MAX_ATTRIBUTE_VALUE": _int(env, "CONTACT_MAX_ATTRIBUTE_VALUE", 500),
        "CONTACT_MAX_AGE_DAYS": _int(env, "CONTACT_MAX_AGE_DAYS", 365),
        "CONTACT_MAX_FUTURE_MINUTES": _int(env, "CONTACT_MAX_FUTURE_MINUTES", 15),
        # A batch queued this long ago whose invitations are still scheduled was lost with its
        # task: queued again. Longer than a batch takes to start on a busy worker.
        # Bodies of providers' webhooks (a few kilobytes) above this are refused with 413.
        "WEBHOOK_MAX_CONTENT_LENGTH": _int(env, "WEBHOOK_MAX_CONTENT_LENGTH", 64 * 1024),
        "DISPATCH_REQUEUE_AFTER_SECONDS": _int(env, "DISPATCH_REQUEUE_AFTER_SECONDS", 120),
        # An invitation `sending` for this long lost its worker mid-send: recovered. Longer than
        # any provider's timeout (SMTP_TIMEOUT, TWILIO_TIMEOUT ...: 10 s by default).
        "SENDING_STALE_SECONDS": _int(env, "SENDING_STALE_SECONDS", 300),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": not development and feedback_env != "testing",
        "PERMANENT_SESSION_LIFETIME": timedelta(hours=8),
        "WTF_CSRF_TIME_LIMIT": None,
        # Security headers, rate limits and API keys: see feedback/web_security.py and the README.
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": not development and feedback_env != "testing",
        "API_KEY_HASH_KEY": env.get("API_KEY_HASH_KEY") or secret,
        "SURVEY_SESSION_HOURS": _int(env, "SURVEY_SESSION_HOURS", 24),
        "PROXY_FIX_HOPS": _int(env, "PROXY_FIX_HOPS", 0),
        "HSTS_MAX_AGE": _int(env, "HSTS_MAX_AGE", 31536000),
        # None: on, except in the test suite (one app for every test; tests/security turns it on).
        "RATELIMIT_ENABLED": None
        if env.get("RATELIMIT_ENABLED") in (None, "")
        else env["RATELIMIT_ENABLED"].lower() not in ("0", "false", "no"),
        "RATELIMIT_STORAGE_URI": env.get("RATELIMIT_STORAGE_URI")
        or _rate_limit_storage(feedback_env, broker_url),
        "RATELIMIT_SURVEY": env.get("RATELIMIT_SURVEY") or "60 per minute;600 per hour",
        "RATELIMIT_LOGIN": env.get("RATELIMIT_LOGIN") or "10 per minute;50 per hour",
        "RATELIMIT_API": env.get("RATELIMIT_API") or "120 per minute",
        "RATELIMIT_HOOKS": env.get("RATELIMIT_HOOKS") or "600 per minute",
        # Walk-in surveys (feedback/walk_in): new surveys per client address; an hour with more
        # visits than this at one point is shown to its managers as unusual; a browser coming
        # back within this many hours resumes its survey.
        "RATELIMIT_WALK_IN": env.get("RATELIMIT_WALK_IN") or "10 per minute;60 per hour",
        "WALK_IN_SUSPICIOUS_PER_HOUR": _int(env, "WALK_IN_SUSPICIOUS_PER_HOUR", 60),
        "WALK_IN_RESUME_HOURS": _int(env, "WALK_IN_RESUME_HOURS", 12),
        # Failed sign-ins with one email address before it is locked, and for how long.
        "LOGIN_MAX_FAILURES": _int(env, "LOGIN_MAX_FAILURES", 5),
        "LOGIN_LOCKOUT_MINUTES": _int(env, "LOGIN_LOCKOUT_MINUTES", 15),
        "CELERY": {
            "broker_url": broker_url,
            "broker_transport_options": broker_options,
            "broker_connection_retry_on_startup": True,
            "task_ignore_result": True,
            "task_serializer": "json",
            "accept_content": ["json"],
            "task_acks_late": True,
            "task_reject_on_worker_lost": True,
            "worker_prefetch_multiplier": 1,
            "beat_schedule_filename": str(instance / "celerybeat-schedule"),
            "beat_schedule": {
                "dispatch-due-invitations": {
                    "task": "feedback.invitations.tasks.dispatch_due",
                    "schedule": float(_int(env, "DISPATCH_INTERVAL_SECONDS", 5)),
                },
                "expire-invitations": {
                    "task": "feedback.invitations.tasks.expire_invitations",
                    "schedule": 300.0,
                },
                "send-reminders": {
                    "task": "feedback.invitations.tasks.send_reminders",
                    "schedule": 300.0,
                },
                "apply-retention": {
                    "task": "feedback.privacy.tasks.apply_retention",
                    "schedule": 3600.0,
                },
                "notify-lost-follow-ups": {
                    "task": "feedback.follow_ups.tasks.notify_lost",
                    "schedule": 900.0,
                },
                "refresh-rollups": {
                    "task": "feedback.reporting.tasks.refresh_rollups",
                    "schedule": float(_int(env, "ROLLUP_INTERVAL_SECONDS", 600)),
                },
                # The previous month's and quarter's reports, once each (unique by period).
                "monthly-report": {
                    "task": "feedback.reporting.tasks.schedule_report",
                    "schedule": crontab(minute=30, hour=2, day_of_month=1),
                    "args": ["monthly"],
                },
                "quarterly-report": {
                    "task": "feedback.reporting.tasks.schedule_report",
                    "schedule": crontab(
                        minute=45, hour=2, day_of_month=1, month_of_year="1,4,7,10"
                    ),
                    "args": ["quarterly"],
                },
            },
        },
    }
