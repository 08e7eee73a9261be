"""Replay protection: a signed request is accepted once, whichever web process receives it."""

from __future__ import annotations

import hashlib
from datetime import datetime

from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError

from feedback.db_types import utcnow
from feedback.extensions import db
from feedback.webhooks.models import SeenSignature


def first_use(scope: str, signature: str, expires_at: datetime) -> bool:
    """Remember a request's signature until `expires_at`; False if it was already seen.

    Commits at once, before the request is processed, so a replay sent at the same moment
    to another process waits on the unique index and is refused. Expired rows are removed
    on the way.
    """
    digest = hashlib.sha256(signature.encode()).hexdigest()
    db.session.execute(delete(SeenSignature).where(SeenSignature.expires_at < utcnow()))
    try:
        with db.session.begin_nested():
            db.session.add(SeenSignature(scope=scope, digest=digest, expires_at=expires_at))
    except IntegrityError:
        db.session.commit()
        return False
    db.session.commit()
    return True
