"""Dispatch as an outbox: claim due invitations, hand each to its channel, record the outcome.

Idempotency comes from a status guard under a row lock: a redelivered task finds the invitation
no longer in the state it expects and does nothing.
"""

from __future__ import annotations

import logging
import random
from datetime import datetime, timedelta

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import or_, select, update

from feedback import channels
from feedback.channels.registry import get_channel
from feedback.db_types import utcnow
from feedback.delivery.models import (
    KEEPS_CONTACT_DETAILS,
    TRANSITIONS,
    Invitation,
    InvitationStatus,
    InvitationTransition,
    OptOut,
)
from feedback.extensions import db
from feedback.security import new_token, token_hash

S = InvitationStatus
log = logging.getLogger(__name__)
STALE_CLAIM_AFTER = timedelta(minutes=15)


class InvalidTransition(RuntimeError):
    pass


def record_transition(
    invitation: Invitation,
    from_status: InvitationStatus | None,
    to_status: InvitationStatus,
    reason: str | None = None,
) -> None:
    db.session.add(
        InvitationTransition(
            invitation_id=invitation.id,
            from_status=from_status,
            to_status=to_status,
            reason=reason,
        )
    )


def transition(
    invitation: Invitation, to_status: InvitationStatus, reason: str | None = None
) -> None:
    """Move an invitation along the state machine; refuse any move it does not allow."""
    current = invitation.status
    if to_status not in TRANSITIONS[current]:
        raise InvalidTransition(f"{current} -> {to_status}")
    invitation.status = to_status
    invitation.reason = reason
    if to_status not in KEEPS_CONTACT_DETAILS:
        invitation.email = invitation.phone = None
    record_transition(invitation, current, to_status, reason)


def claim_due(limit: int, now: datetime | None = None) -> list[str]:
    """Atomically move up to `limit` due invitations from scheduled to sending.

    On PostgreSQL the candidate rows are locked with SKIP LOCKED, so concurrent dispatchers take
    disjoint batches; the guarded UPDATE makes the claim safe on SQLite too.
    """
    now = now or utcnow()
    candidates = (
        select(Invitation.id)
        .where(Invitation.status == S.SCHEDULED, Invitation.due_at <= now)
        .order_by(Invitation.due_at)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    ids = list(db.session.scalars(candidates))
    if not ids:
        db.session.commit()
        return []
    claimed = list(
        db.session.scalars(
            update(Invitation)
            .where(Invitation.id.in_(ids), Invitation.status == S.SCHEDULED)
            .values(status=S.SENDING, updated_at=now)
            .returning(Invitation.id)
        )
    )
    db.session.add_all(
        InvitationTransition(invitation_id=i, from_status=S.SCHEDULED, to_status=S.SENDING, at=now)
        for i in claimed
    )
    db.session.commit()
    return claimed


def release_stale_claims(now: datetime | None = None) -> int:
    """Invitations left in `sending` by a worker that died before sending go back to the queue."""
    now = now or utcnow()
    stale = db.session.scalars(
        select(Invitation)
        .where(
            Invitation.status == S.SENDING,
            Invitation.updated_at < now - STALE_CLAIM_AFTER,
        )
        .with_for_update(skip_locked=True)
    ).all()
    for invitation in stale:
        transition(invitation, S.SCHEDULED, "stale_claim")
        invitation.due_at = now
    db.session.commit()
    return len(stale)


_unsubscribe_salt = "unsubscribe"


def unsubscribe_code(invitation_id: str) -> str:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=_unsubscribe_salt).dumps(
        invitation_id
    )


def invitation_for_unsubscribe_code(code: str) -> Invitation | None:
    try:
        invitation_id = URLSafeSerializer(
            current_app.config["SECRET_KEY"], salt=_unsubscribe_salt
        ).loads(code)
    except BadSignature:
        return None
    return db.session.get(Invitation, invitation_id)


def build_message(invitation: Invitation, token: str) -> channels.Invitation:
    base = current_app.config["PUBLIC_BASE_URL"]
    version = invitation.questionnaire_version
    program = invitation.program
    return channels.Invitation(
        id=invitation.id,
        language=invitation.language,
        email=invitation.email,
        phone=invitation.phone,
        timezone=invitation.timezone,
        survey_url=f"{base}/s/{token}",
        unsubscribe_url=f"{base}/u/{unsubscribe_code(invitation.id)}",
        expires_at=invitation.expires_at,
        program_name={"en": program.name_en, "fr": program.name_fr},
        questionnaire_title={"en": version.title("en"), "fr": version.title("fr")},
        questions=tuple(
            channels.Question(
                code=q.code,
                kind=q.kind.value,
                text={lang: q.text(lang, invitation.channel) for lang in ("en", "fr")},
                required=q.required,
                options=tuple(q.options or ()),
            )
            for q in version.questions
        ),
    )


def retry_delay(attempts: int) -> timedelta:
    """Exponential backoff with jitter: 30 s, 1 min, 2 min ... capped at one hour."""
    base = min(30 * 2 ** max(attempts - 1, 0), 3600)
    return timedelta(seconds=base * random.uniform(0.8, 1.2))


def send_invitation(invitation_id: str) -> InvitationStatus | None:
    """Send one claimed invitation; returns its new status, or None if there was nothing to do."""
    invitation = db.session.get(Invitation, invitation_id, with_for_update=True)
    if invitation is None or invitation.status != S.SENDING:
        db.session.commit()
        return None
    assert invitation.channel is not None
    channel = get_channel(invitation.channel)
    if channel is None:
        transition(invitation, S.FAILED, "channel_unavailable")
        db.session.commit()
        return invitation.status
    if is_opted_out_now(invitation):
        transition(invitation, S.OPTED_OUT, "opted_out_before_send")
        db.session.commit()
        return invitation.status

    token = new_token()
    invitation.token_hash = token_hash(token)
    invitation.attempts += 1
    try:
        result = channel.send(build_message(invitation, token))
    except Exception as exc:  # a plugin broke its contract: treat as transient, keep going
        log.exception("channel %s raised while sending invitation %s", channel.name, invitation.id)
        result = channels.DeliveryResult.transient(f"plugin error: {type(exc).__name__}")

    now = utcnow()
    if result.outcome is channels.Outcome.SENT:
        invitation.sent_at = now
        invitation.provider_ref = result.provider_ref
        invitation.last_error = None
        transition(invitation, S.SENT)
    elif (
        result.outcome is channels.Outcome.TRANSIENT
        and invitation.attempts < current_app.config["SEND_MAX_ATTEMPTS"]
    ):
        invitation.token_hash = None
        invitation.last_error = result.detail[:500]
        invitation.due_at = now + retry_delay(invitation.attempts)
        transition(invitation, S.SCHEDULED, "transient_failure")
    else:
        invitation.token_hash = None
        invitation.last_error = result.detail[:500]
        reason = (
            "permanent_failure"
            if result.outcome is channels.Outcome.PERMANENT
            else "retries_exhausted"
        )
        transition(invitation, S.FAILED, reason)
    log.info(
        "invitation delivery",
        extra={
            "fields": {
                "invitation": invitation.id,
                "channel": channel.name,
                "outcome": result.outcome,
            }
        },
    )
    db.session.commit()
    return invitation.status


def is_opted_out(channel: str, addr_hash: str | None, client_hash: str) -> bool:
    conditions = [OptOut.client_hash == client_hash]
    if addr_hash:
        conditions.append(OptOut.address_hash == addr_hash)
    found = db.session.scalar(
        select(OptOut.id).where(OptOut.channel.in_([channel, "all"]), or_(*conditions)).limit(1)
    )
    return found is not None


def is_opted_out_now(invitation: Invitation) -> bool:
    assert invitation.channel is not None
    return is_opted_out(invitation.channel, invitation.address_hash, invitation.client_hash)


def expire_due(now: datetime | None = None) -> int:
    now = now or utcnow()
    rows = db.session.scalars(
        select(Invitation)
        .where(
            Invitation.status.in_([S.SCHEDULED, S.SENT, S.OPENED]),
            Invitation.expires_at < now,
        )
        .with_for_update(skip_locked=True)
    ).all()
    for invitation in rows:
        transition(invitation, S.EXPIRED, "expired")
    db.session.commit()
    return len(rows)


def invitation_for_token(token: str) -> Invitation | None:
    return db.session.scalar(select(Invitation).where(Invitation.token_hash == token_hash(token)))


def opt_out(invitation: Invitation, source: str) -> None:
    """Record an opt-out for the invitation's address and client; stop the invitation if live."""
    assert invitation.channel is not None
    exists = db.session.scalar(
        select(OptOut.id).where(
            OptOut.channel == invitation.channel, OptOut.client_hash == invitation.client_hash
        )
    )
    if exists is None:
        db.session.add(
            OptOut(
                channel=invitation.channel,
                address_hash=invitation.address_hash,
                client_hash=invitation.client_hash,
                source=source,
            )
        )
    if S.OPTED_OUT in TRANSITIONS[invitation.status]:
        transition(invitation, S.OPTED_OUT, f"opt_out_{source}")
