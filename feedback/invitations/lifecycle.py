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

The set-based steps are here too: queueing a batch for a send task (no state changes: the
invitations stay scheduled until a worker takes one up), recovering invitations whose worker
died while sending them, and expiring; each row is guarded so that concurrent workers never
move it twice.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from blinker import Namespace
from sqlalchemy import or_, select, update

from feedback.db_types import utcnow
from feedback.extensions import db
from feedback.invitations.models import Invitation, InvitationStatus, InvitationTransition
from feedback.security import new_token_salt, survey_token, token_hash

S = InvitationStatus

#: The only moves the state machine allows.
TRANSITIONS: dict[InvitationStatus, frozenset[InvitationStatus]] = {
    # scheduled -> scheduled: postponed (quiet hours noticed when a worker took it up).
    S.SCHEDULED: frozenset({S.SCHEDULED, S.SENDING, S.EXPIRED, S.OPTED_OUT, S.SKIPPED}),
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
#: Sent after a set-based step (a batch queued for a send task), with the ``ids``: no
#: invitation is loaded for it.
batch_changed = _signals.signal("invitations-queued")


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


def begin_sending(invitation: Invitation) -> str:
    """A worker takes up a scheduled invitation to hand it to its channel (scheduled ->
    sending): its survey token (returned; only its hash is kept, and it is the same on every
    attempt) and one more attempt counted.

    The caller commits before calling the provider, so that a worker killed while sending
    leaves a row that says so (see :func:`recover_stale_sending`).
    """
    if invitation.token_salt is None:
        invitation.token_salt = new_token_salt()
    token = survey_token(invitation.id, invitation.token_salt)
    invitation.token_hash = token_hash(token)
    invitation.attempts += 1
    invitation.queued_at = None
    transition(invitation, S.SENDING)
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
    """Back to the queue until `due_at` (a transient fault, quiet hours, a temporary receipt).
    The survey link stays the same: a message the provider did accept still works."""
    invitation.due_at = due_at
    invitation.queued_at = None
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


def queue_due(
    channel: str, limit: int, requeue_after: timedelta, now: datetime | None = None
) -> list[str]:
    """Pick up to `limit` due invitations of one channel for a send task. Commits.

    Their state stays `scheduled`: nothing is being sent until a worker takes one up
    (:func:`begin_sending`). `queued_at` keeps the next sweeps from queueing them again, until
    `requeue_after` has passed: then the task was lost (with its worker, or with the broker)
    and they are queued again. On PostgreSQL the candidates are locked with SKIP LOCKED, so
    concurrent sweeps take disjoint batches; the guarded UPDATE makes it safe on SQLite too.
    """
    now = now or utcnow()
    candidates = (
        select(Invitation.id)
        .where(
            Invitation.status == S.SCHEDULED,
            Invitation.channel == channel,
            Invitation.due_at <= now,
            or_(Invitation.queued_at.is_(None), Invitation.queued_at < now - requeue_after),
        )
        .order_by(Invitation.due_at)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    ids = list(db.session.scalars(candidates))
    if not ids:
        db.session.commit()
        return []
    queued = list(
        db.session.scalars(
            update(Invitation)
            .where(
                Invitation.id.in_(ids),
                Invitation.status == S.SCHEDULED,
                or_(Invitation.queued_at.is_(None), Invitation.queued_at < now - requeue_after),
            )
            .values(queued_at=now)
            .returning(Invitation.id),
            execution_options={"synchronize_session": False},
        )
    )
    db.session.commit()
    if queued:
        batch_changed.send(channel, ids=queued, queued=True)
    return queued


def recover_stale_sending(
    stale_after: timedelta,
    sent_before: Callable[[Invitation], str | None],
    now: datetime | None = None,
) -> int:
    """Invitations left `sending` longer than `stale_after` (their worker died while sending):
    marked sent when `sent_before` finds the provider's reference of a message it accepted
    (the provider's look-up by our reference, where it offers one), else scheduled again at
    once. Commits; returns how many were recovered."""
    now = now or utcnow()
    stale = db.session.scalars(
        select(Invitation)
        .where(Invitation.status == S.SENDING, Invitation.updated_at < now - stale_after)
        .with_for_update(skip_locked=True)
    ).all()
    for invitation in stale:
        provider_ref = sent_before(invitation)
        if provider_ref:
            mark_sent(invitation, provider_ref, "recovered_sent")
        else:
            reschedule(invitation, now, "stale_sending")
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
