"""Options shared by Celery tasks."""

from __future__ import annotations

from typing import Any

from sqlalchemy.exc import OperationalError

#: Retry only transient database faults, with exponential backoff and jitter. Delivery faults are
#: not retried by Celery: the outbox reschedules the invitation row instead.
RETRY_ON_DATABASE_FAULTS: dict[str, Any] = {
    "autoretry_for": (OperationalError,),
    "retry_backoff": True,
    "retry_jitter": True,
    "max_retries": 5,
}
