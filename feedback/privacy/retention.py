"""Retention: response-level data older than RETENTION_DAYS is deleted; the daily facts stay.

Deletion is by invitation (with its contact event, transition log, conversation, response and
answers) once nothing about it happened since the cut-off, which is the start of a UTC day.
Before anything goes, the days before the cut-off are rolled up and sealed
(:func:`feedback.reporting.facts.build.seal_through`): no later refresh recomputes them from the
rows that are left. A run deletes at most `batch_size` invitations, with a few set-based
DELETEs; the task runs it again until nothing is left or its limit is reached.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta

from flask import current_app
from sqlalchemy import delete, exists, or_, select

from feedback.contacts.models import ContactEvent
from feedback.conversations.models import Conversation
from feedback.db_types import utcnow
from feedback.extensions import db
from feedback.invitations.models import Invitation, InvitationTransition
from feedback.reporting.facts import build as facts
from feedback.responses.models import Answer, Response
from feedback.webhooks.models import SeenSignature

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RetentionResult:
    invitations: int
    events: int
    signatures: int

    @property
    def total(self) -> int:
        return self.invitations + self.events + self.signatures


def cutoff(now: datetime | None = None, days: int | None = None) -> datetime:
    """The start of the UTC day RETENTION_DAYS before today: older data goes."""
    days = current_app.config["RETENTION_DAYS"] if days is None else days
    today = (now or utcnow()).astimezone(UTC).date()
    return datetime.combine(today - timedelta(days=days), time.min, tzinfo=UTC)


def _expired_invitations(before: datetime, limit: int) -> list[str]:
    recent_response = exists().where(
        Response.invitation_id == Invitation.id,
        or_(Response.started_at >= before, Response.completed_at >= before),
    )
    recent_answer = exists().where(
        Answer.response_id == Response.id,
        Response.invitation_id == Invitation.id,
        Answer.answered_at >= before,
    )
    return list(
        db.session.scalars(
            select(Invitation.id)
            .where(
                Invitation.created_at < before,
                Invitation.updated_at < before,
                or_(Invitation.sent_at.is_(None), Invitation.sent_at < before),
                ~recent_response,
                ~recent_answer,
            )
            .order_by(Invitation.updated_at)
            .limit(limit)
        )
    )


def delete_invitations(ids: list[str]) -> None:
    """Delete invitations with everything that hangs off them, their contact events included
    (set-based: one DELETE per table)."""
    if not ids:
        return
    options = {"synchronize_session": False}
    responses = select(Response.id).where(Response.invitation_id.in_(ids))
    events = list(db.session.scalars(select(Invitation.event_id).where(Invitation.id.in_(ids))))
    db.session.execute(
        delete(Answer).where(Answer.response_id.in_(responses)), execution_options=options
    )
    for model in (Response, Conversation, InvitationTransition):
        db.session.execute(
            delete(model).where(model.invitation_id.in_(ids)), execution_options=options
        )
    db.session.execute(delete(Invitation).where(Invitation.id.in_(ids)), execution_options=options)
    if events:
        db.session.execute(
            delete(ContactEvent).where(ContactEvent.id.in_(events)), execution_options=options
        )


def apply_retention(now: datetime | None = None, batch_size: int | None = None) -> RetentionResult:
    """One bounded run in the caller's transaction: seal the facts before the cut-off, then
    delete up to `batch_size` old invitations, old events without one, old signatures."""
    before = cutoff(now)
    limit = batch_size or current_app.config["RETENTION_BATCH_SIZE"]
    facts.seal_through(before.date() - timedelta(days=1))
    ids = _expired_invitations(before, limit)
    delete_invitations(ids)
    lonely = (
        select(ContactEvent.id)
        .where(
            ContactEvent.received_at < before,
            ~exists().where(Invitation.event_id == ContactEvent.id),
        )
        .limit(limit)
    )
    events = db.session.execute(
        delete(ContactEvent).where(ContactEvent.id.in_(lonely)),
        execution_options={"synchronize_session": False},
    ).rowcount
    signatures = db.session.execute(
        delete(SeenSignature).where(
            SeenSignature.id.in_(
                select(SeenSignature.id).where(SeenSignature.seen_at < before).limit(limit)
            )
        ),
        execution_options={"synchronize_session": False},
    ).rowcount
    result = RetentionResult(len(ids), len(ids) + events, signatures)
    log.info(
        "retention applied",
        extra={
            "fields": {
                "before": before.date().isoformat(),
                "invitations": result.invitations,
                "events": result.events,
                "signatures": result.signatures,
            }
        },
    )
    return result


__all__ = ["RetentionResult", "apply_retention", "cutoff", "delete_invitations"]
