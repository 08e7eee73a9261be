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
from sqlalchemy import delete, or_, select, update

from feedback import channels
from feedback.channels.registry import enabled_channels, get_channel
from feedback.conversations.models import Conversation
from feedback.conversations.texts import asks_first_question
from feedback.db_types import utcnow
from feedback.delivery.models import (
    AWAITING_ANSWER,
    KEEPS_CONTACT_DETAILS,
    TRANSITIONS,
    Invitation,
    InvitationMode,
    InvitationStatus,
    InvitationTransition,
    OptOut,
)
from feedback.distribution.quiet_hours import earliest_send_time
from feedback.extensions import db
from feedback.security import new_token, token_hash
from feedback.surveys.models import Question

S = InvitationStatus
log = logging.getLogger(__name__)
# Longer than a whole batch can take (DISPATCH_BATCH_SIZE x the provider timeout), so a claim
# still being worked through is never released and sent a second time.
STALE_CLAIM_AFTER = timedelta(hours=1)


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


def locked_invitation(invitation_id: str) -> Invitation | None:
    """Re-read an invitation under a row lock held until the transaction ends.

    SQLite ignores FOR UPDATE. There, a no-op UPDATE as the transaction's first statement takes
    the database write lock (waiting for any other writer's commit), so the read that follows
    sees the latest state and nobody else can change it before this transaction ends.
    """
    if db.session.get_bind().dialect.name == "sqlite":
        no_op = (
            update(Invitation)
            .where(Invitation.id == invitation_id)
            .values(updated_at=Invitation.updated_at)
        )
        db.session.execute(no_op, execution_options={"synchronize_session": False})
    return db.session.get(Invitation, invitation_id, with_for_update=True, populate_existing=True)


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


def as_channel_question(question: Question, channel_name: str | None) -> channels.Question:
    """A question as a channel sees it, in the channel's wording where it has one.

    Wordings are looked up under the channel's name, then under its medium ("sms"), so one
    SMS wording serves every SMS provider.
    """
    keys = [channel_name] if channel_name else []
    channel = get_channel(channel_name) if channel_name else None
    if channel is not None and channel.medium:
        keys.append(channel.medium)
    key = next((k for k in keys if k in (question.wordings or {})), channel_name)
    return channels.Question(
        code=question.code,
        kind=question.kind.value,
        text={lang: question.text(lang, key) for lang in ("en", "fr")},
        required=question.required,
        options=tuple(question.options or ()),
    )


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
        questions=tuple(as_channel_question(q, invitation.channel) for q in version.questions),
        mode=invitation.mode.value,
    )


def retry_delay(attempts: int) -> timedelta:
    """Exponential backoff with jitter: 30 s, 1 min, 2 min ... capped at one hour."""
    base = min(30 * 2 ** max(attempts - 1, 0), 3600)
    return timedelta(seconds=base * random.uniform(0.8, 1.2))


def send_invitation(invitation_id: str) -> InvitationStatus | None:
    """Send one claimed invitation; returns its new status, or None if there was nothing to do."""
    invitation = locked_invitation(invitation_id)  # a real write lock on SQLite too
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
    # Claimed late (a worker was down) or retried into the night: wait for the morning.
    now = utcnow()
    resume = earliest_send_time(invitation, now)
    if resume > now:
        invitation.due_at = resume
        transition(invitation, S.SCHEDULED, "quiet_hours")
        db.session.commit()
        return invitation.status

    token = new_token()
    invitation.token_hash = token_hash(token)
    invitation.attempts += 1
    message = build_message(invitation, token)
    try:
        result = channel.send(message)
    except Exception as exc:  # a plugin broke its contract: treat as transient, keep going
        log.exception("channel %s raised while sending invitation %s", channel.name, invitation.id)
        result = channels.DeliveryResult.transient(f"plugin error: {type(exc).__name__}")

    now = utcnow()
    if result.outcome is channels.Outcome.SENT:
        invitation.sent_at = now
        invitation.provider_ref = result.provider_ref
        invitation.last_error = None
        transition(invitation, S.SENT)
        if invitation.mode is InvitationMode.CONVERSATION:
            # The next reply answers the first question, or (if the text had no room for it)
            # starts the survey.
            position = 0 if asks_first_question(message) else -1
            db.session.add(Conversation(invitation_id=invitation.id, position=position))
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


def opt_out_scope(channel_name: str) -> str:
    """Where opt-outs through this channel are recorded: its medium ("sms"), else its name."""
    channel = get_channel(channel_name)
    return channel.opt_out_scope if channel is not None else channel_name


def _opt_out_channels(channel_name: str) -> list[str]:
    """The OptOut.channel values that stop this channel."""
    return list(dict.fromkeys([channel_name, opt_out_scope(channel_name), "all"]))


def channels_of_scope(channel_name: str) -> list[str]:
    """Every enabled channel sharing this channel's opt-outs (itself included)."""
    scope = opt_out_scope(channel_name)
    names = [name for name, ch in enabled_channels().items() if ch.opt_out_scope == scope]
    return list(dict.fromkeys([channel_name, *names]))


def is_opted_out(channel: str, addr_hash: str | None, client_hash: str | None) -> bool:
    conditions = [OptOut.client_hash == client_hash] if client_hash else []
    if addr_hash:
        conditions.append(OptOut.address_hash == addr_hash)
    if not conditions:
        return False
    found = db.session.scalar(
        select(OptOut.id)
        .where(OptOut.channel.in_(_opt_out_channels(channel)), or_(*conditions))
        .limit(1)
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
            Invitation.status.in_([S.SCHEDULED, *AWAITING_ANSWER]),
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
    scope = opt_out_scope(invitation.channel)
    exists = db.session.scalar(
        select(OptOut.id).where(
            OptOut.channel == scope, OptOut.client_hash == invitation.client_hash
        )
    )
    if exists is None:
        db.session.add(
            OptOut(
                channel=scope,
                address_hash=invitation.address_hash,
                client_hash=invitation.client_hash,
                source=source,
            )
        )
    if S.OPTED_OUT in TRANSITIONS[invitation.status]:
        transition(invitation, S.OPTED_OUT, f"opt_out_{source}")


def opt_out_address(
    channel_name: str, addr_hash: str, client_hash: str | None, source: str
) -> None:
    """Record an opt-out for an address (a phone number that texted STOP, say)."""
    db.session.add(
        OptOut(
            channel=opt_out_scope(channel_name),
            address_hash=addr_hash,
            client_hash=client_hash,
            source=source,
        )
    )


def opt_in_address(channel_name: str, addr_hash: str) -> int:
    """Lift the opt-outs of an address for this channel's medium; returns how many."""
    rows = db.session.scalars(
        select(OptOut).where(
            OptOut.address_hash == addr_hash,
            OptOut.channel.in_([opt_out_scope(channel_name), *channels_of_scope(channel_name)]),
        )
    ).all()
    for row in rows:
        db.session.delete(row)
    return len(rows)


# A receipt moves an invitation only while it is sent and nothing else happened: receipts may
# arrive late and out of order, after the client has already answered, say.
_RECEIPT_STATES = {
    channels.DeliveryStatus.DELIVERED: S.DELIVERED,
    channels.DeliveryStatus.UNDELIVERED: S.UNDELIVERED,
    channels.DeliveryStatus.FAILED: S.FAILED,
}


def record_delivery_status(
    channel_name: str, provider_ref: str, status: channels.DeliveryStatus, detail: str = ""
) -> InvitationStatus | None:
    """Apply a provider's delivery receipt; the invitation's new status, or None if unchanged.

    `sent_at` is kept: the message did leave, and reporting counts invitations by it.
    """
    found = db.session.scalar(
        select(Invitation.id).where(
            Invitation.channel == channel_name, Invitation.provider_ref == provider_ref
        )
    )
    invitation = locked_invitation(found) if found else None
    if invitation is None or invitation.status is not S.SENT:
        db.session.commit()
        return None
    if detail:
        invitation.last_error = detail[:500]
    if status is channels.DeliveryStatus.TEMPORARY:
        _retry_after_temporary_receipt(invitation)
    else:
        transition(invitation, _RECEIPT_STATES[status], f"receipt_{status.value}")
    db.session.commit()
    return invitation.status


def _retry_after_temporary_receipt(invitation: Invitation) -> None:
    """Send again later, with backoff, while attempts remain; else it stays undelivered."""
    if invitation.attempts >= current_app.config["SEND_MAX_ATTEMPTS"]:
        transition(invitation, S.UNDELIVERED, "receipt_temporary_retries_exhausted")
        return
    invitation.token_hash = None
    invitation.due_at = utcnow() + retry_delay(invitation.attempts)
    db.session.execute(delete(Conversation).where(Conversation.invitation_id == invitation.id))
    transition(invitation, S.SCHEDULED, "receipt_temporary")
