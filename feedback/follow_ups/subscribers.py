"""How follow-ups follow responses: through the responses' signal, so that completing a
response (web, SMS or phone) never needs to know about follow-ups.

A new item's email is queued only once the transaction that opened it commits: a task that
ran earlier would not find the item (or would find it rolled back).
"""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session

from feedback.distribution.models import DistributionRule
from feedback.distribution.rules import rule_replaced
from feedback.follow_ups import services
from feedback.follow_ups.tasks import notify_managers
from feedback.invitations.models import Invitation
from feedback.privacy.requests import client_erased
from feedback.responses.models import Response
from feedback.responses.services import response_completed

log = logging.getLogger(__name__)
#: Where a session keeps the ids of the items it opened, until it commits.
PENDING = "follow_ups.to_notify"


def _on_response_completed(response: Response, *, invitation: Invitation, **_: Any) -> None:
    item = services.open_for_response(response, invitation)
    if item is not None:
        session = Session.object_session(item)
        assert session is not None
        session.info.setdefault(PENDING, []).append(item.id)


def _queue_notifications(session: Session) -> None:
    pending = session.info.pop(PENDING, None)
    if not pending:
        return
    for item_id in pending:
        try:
            notify_managers.delay(item_id)
        except Exception:  # broker unreachable: the item is saved, the sweep queues it later
            log.warning("follow-up email not queued", extra={"fields": {"follow_up": item_id}})


def _forget_notifications(session: Session, *_: Any) -> None:
    session.info.pop(PENDING, None)


def _on_rule_replaced(old: DistributionRule, *, new: DistributionRule, **_: Any) -> None:
    services.carry_over_policy(old, new)


def _on_client_erased(client_hash: str, **_: Any) -> None:
    services.erase_client(client_hash)


def connect() -> None:
    """Subscribe to completed responses, replaced rules, erased clients and commits
    (idempotent)."""
    response_completed.connect(_on_response_completed)
    rule_replaced.connect(_on_rule_replaced)
    client_erased.connect(_on_client_erased)
    if not event.contains(Session, "after_commit", _queue_notifications):
        event.listen(Session, "after_commit", _queue_notifications)
        event.listen(Session, "after_rollback", _forget_notifications)
