"""The lifecycle of an invitation: the only place where its state changes.

Whoever causes a change (the outbox, a delivery receipt, a web answer, an SMS reply, a keypad
press, an expiry, an opt-out, a stale claim), it goes through :func:`transition` or one of the
named moves below, which own:

* the transition table (any other move is refused with :class:`InvalidTransition`);
* the bookkeeping: sent, opened and completed times, send attempts, the one-time token, the last
  error, and purging contact details once the invitation can no longer need them;
* the transition log (``invitation_transitions``), one row per move with its reason;
* the :data:`status_changed` (and :data:`batch_changed`) signals, so that other areas
  (conversations, later metrics and webhooks) follow invitations without the lifecycle
  knowing them.

Set-based moves (claiming a batch, releasing stale claims, expiring) are here too: they are the
same transitions, written as guarded UPDATEs so that concurrent workers never move a row twice.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from blinker import Namespace
from sqlalchemy import insert, select, update

from feedback.db_types import utcnow
from feedback.extensions import db
from feedback.invitations.models import Invitation, InvitationStatus, InvitationTransition
from feedback.security import new_token, token_hash

S = InvitationStatus

#: The only moves the state machine allows.
TRANSITIONS: dict[InvitationStatus, frozenset[InvitationStatus]] = {
    S.SCHEDULED: frozenset({S.SENDING, S.EXPIRED, S.OPTED_OUT, S.SKIPPED}),
    S.SENDING: frozenset({S.SENT, S.SCHEDULED, S.FAILED, S.OPTED_OUT}),
    S.SENT: frozenset(
        {
            S.DELIVERED,
            S.UNDELIVERED,
            S.FAILED,
            S.OPENED,
            S.COMPLETED,
            S.EXPIRED,
            S.OPTED_OUT,
            S.SCHEDULED,  # a receipt said "not delivered for now": sent again later
        }
    ),
    S.DELIVERED: frozenset({S.OPENED, S.COMPLETED, S.EXPIRED, S.OPTED_OUT}),
    S.OPENED: frozenset({S.COMPLETED, S.EXPIRED, S.OPTED_OUT}),
    S.UNDELIVERED: frozenset(),
    S.FAILED: frozenset(),
    S.COMPLETED: frozenset({S.OPTED_OUT}),
    S.EXPIRED: frozenset({S.OPTED_OUT}),
    S.OPTED_OUT: frozenset(),
    S.SKIPPED: frozenset(),
}
#: The states an invitation is created in (by planning).
INITIAL = frozenset({S.SCHEDULED, S.SKIPPED})
#: Contact details are only kept while the invitation may still need them.
KEEPS_CONTACT_DETAILS = frozenset({S.SCHEDULED, S.SENDING, S.SENT, S.DELIVERED, S.OPENED})
#: Sent and not yet answered, expired or refused: the client may still answer.
AWAITING_ANSWER = frozenset({S.SENT, S.DELIVERED, S.OPENED})
#: Sent (or delivered) and not yet opened: the first view or reply opens it.
UNOPENED = frozenset({S.SENT, S.DELIVERED})
#: Longest error detail kept: a provider's status and code, never a message's text.
MAX_ERROR = 500

_signals = Namespace()
#: Sent after every change of state of one invitation, with the invitation, ``from_status``,
#: ``to_status``, ``reason`` and whatever the mover added (the outbox adds the ``message`` it
#: sent).
status_changed = _signals.signal("invitation-status-changed")
#: Sent after a set-based move (a claimed batch), with the ``ids`` moved, ``from_status``,
#: ``to_status`` and ``reason``: no invitation is loaded for it.
batch_changed = _signals.signal("invitations-status-changed")


class InvalidTransition(RuntimeError):
    pass


def _log(
    invitation_id: str,
    from_status: InvitationStatus | None,
    to_status: InvitationStatus,
    reason: str | None,
    at: datetime | None = None,
) -> None:
    db.session.add(
        InvitationTransition(
            invitation_id=invitation_id,
            from_status=from_status,
            to_status=to_status,
            reason=reason,
            at=at or utcnow(),
        )
    )


def _bookkeeping(invitation: Invitation, to_status: InvitationStatus, now: datetime) -> None:
    if to_status is S.SENT:
        invitation.sent_at = now
    elif to_status is S.OPENED:
        invitation.opened_at = now
    elif to_status is S.COMPLETED:
        invitation.completed_at = now
    if to_status not in KEEPS_CONTACT_DETAILS:
        # The token hash stays: the link still says "answered" or "closed" rather than nothing.
        invitation.email = invitation.phone = None


def transition(
    invitation: Invitation,
    to_status: InvitationStatus,
    reason: str | None = None,
    **context: Any,
) -> None:
    """Move an invitation along the state machine; refuse any move it does not allow."""
    current = invitation.status
    if to_status not in TRANSITIONS[current]:
        raise InvalidTransition(f"{current} -> {to_status}")
    now = utcnow()
    invitation.status = to_status
    invitation.reason = reason
    _bookkeeping(invitation, to_status, now)
    _log(invitation.id, current, to_status, reason, now)
    status_changed.send(
        invitation, from_status=current, to_status=to_status, reason=reason, **context
    )


def start(invitation: Invitation, status: InvitationStatus, reason: str | None = None) -> None:
    """A new invitation's first state (scheduled, or skipped with the reason); flushes it."""
    if status not in INITIAL:
        raise InvalidTransition(f"an invitation cannot start {status}")
    invitation.status = status
    invitation.reason = reason
    if status not in KEEPS_CONTACT_DETAILS:
        invitation.email = invitation.phone = None
    db.session.add(invitation)
    db.session.flush()
    _log(invitation.id, None, status, reason, invitation.created_at)


def locked(invitation_id: str) -> Invitation | None:
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


# --- Sending -----------------------------------------------------------------------------------


def begin_attempt(invitation: Invitation) -> str:
    """A claimed invitation is about to be handed to its channel: a new one-time survey token
    (returned, only its hash kept) and one more attempt counted."""
    token = new_token()
    invitation.token_hash = token_hash(token)
    invitation.attempts += 1
    return token


def mark_sent(
    invitation: Invitation, provider_ref: str | None, reason: str | None = None, **context: Any
) -> None:
    """The channel accepted the invitation (sending -> sent)."""
    invitation.provider_ref = provider_ref
    invitation.last_error = None
    transition(invitation, S.SENT, reason, **context)


def reschedule(
    invitation: Invitation, due_at: datetime, reason: str, error: str | None = None
) -> None:
    """Back to the queue until `due_at` (a transient fault, quiet hours, a temporary receipt):
    the survey token sent, if any, no longer works; a new one goes with the next attempt."""
    invitation.due_at = due_at
    invitation.token_hash = None
    if error is not None:
        invitation.last_error = error[:MAX_ERROR]
    transition(invitation, S.SCHEDULED, reason)


def fail(invitation: Invitation, reason: str, error: str | None = None) -> None:
    if error is not None:
        invitation.last_error = error[:MAX_ERROR]
    transition(invitation, S.FAILED, reason)


def deliver_by_call(invitation: Invitation, call_id: str) -> None:
    """A caller on the line takes a scheduled (or claimed) invitation: the call is its delivery."""
    if invitation.status is S.SCHEDULED:
        transition(invitation, S.SENDING, "call_transferred")
    invitation.attempts += 1
    mark_sent(invitation, call_id)


# --- The client's side -------------------------------------------------------------------------


def mark_opened(invitation: Invitation, reason: str | None = None) -> bool:
    """The first view, reply or answered call of a sent invitation; later ones change nothing."""
    if invitation.status not in UNOPENED:
        return False
    transition(invitation, S.OPENED, reason)
    return True


def complete(invitation: Invitation) -> None:
    transition(invitation, S.COMPLETED)


def record_receipt(
    invitation: Invitation, to_status: InvitationStatus, reason: str, error: str | None = None
) -> None:
    """A provider's final receipt (delivered, undelivered, failed). `sent_at` is kept: the
    message did leave, and reporting counts invitations by it."""
    if error:
        invitation.last_error = error[:MAX_ERROR]
    transition(invitation, to_status, reason)


# --- Set-based moves ---------------------------------------------------------------------------


def _log_many(ids: Iterable[str], from_status: S, to_status: S, reason: str | None, at: datetime):
    rows = [
        {
            "invitation_id": i,
            "from_status": from_status,
            "to_status": to_status,
            "reason": reason,
            "at": at,
        }
        for i in ids
    ]
    if rows:
        db.session.execute(insert(InvitationTransition), rows)


def claim_due(channel: str, limit: int, now: datetime | None = None) -> list[str]:
    """Atomically move up to `limit` due invitations of one channel from scheduled to sending.

    On PostgreSQL the candidate rows are locked with SKIP LOCKED, so concurrent dispatchers take
    disjoint batches; the guarded UPDATE makes the claim safe on SQLite too. Commits.
    """
    now = now or utcnow()
    candidates = (
        select(Invitation.id)
        .where(
            Invitation.status == S.SCHEDULED,
            Invitation.channel == channel,
            Invitation.due_at <= now,
        )
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
            .values(status=S.SENDING, reason=None, updated_at=now)
            .returning(Invitation.id),
            execution_options={"synchronize_session": False},
        )
    )
    _log_many(claimed, S.SCHEDULED, S.SENDING, None, now)
    db.session.commit()
    if claimed:
        batch_changed.send(channel, ids=claimed, from_status=S.SCHEDULED, to_status=S.SENDING)
    return claimed


def release_stale_claims(stale_after: timedelta, now: datetime | None = None) -> int:
    """Invitations left in `sending` by a worker that died before sending go back to the queue.
    Commits."""
    now = now or utcnow()
    stale = db.session.scalars(
        select(Invitation)
        .where(Invitation.status == S.SENDING, Invitation.updated_at < now - stale_after)
        .with_for_update(skip_locked=True)
    ).all()
    for invitation in stale:
        reschedule(invitation, now, "stale_claim")
    db.session.commit()
    return len(stale)


def expire_due(now: datetime | None = None) -> int:
    """Close every invitation whose time to answer has passed. Commits."""
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
