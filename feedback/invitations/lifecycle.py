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

A move is written by the session's unit of work, or, handed a :class:`Batch` (``batch=``), with
the batch's other moves in a few statements whatever their number (a send task's batch): the
same table, bookkeeping, log and signals either way.

The set-based steps are here too: queueing a batch for a send task (no state changes: the
invitations stay scheduled until a worker takes one up), recovering invitations whose worker
died while sending them, and expiring; each row is guarded so that concurrent workers never
move it twice.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from blinker import Namespace
from sqlalchemy import ColumnElement, bindparam, or_, select, update
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.interfaces import ORMOption

from feedback.bulk import insert_rows
from feedback.db_types import utcnow
from feedback.extensions import db
from feedback.invitations.models import (
    Invitation,
    InvitationMode,
    InvitationStatus,
    InvitationTransition,
)
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


def _log_row(
    invitation_id: str,
    from_status: InvitationStatus | None,
    to_status: InvitationStatus,
    reason: str | None,
    at: datetime | None = None,
) -> dict[str, Any]:
    return {
        "invitation_id": invitation_id,
        "from_status": from_status,
        "to_status": to_status,
        "reason": reason,
        "at": at or utcnow(),
    }


def _log(
    invitation_id: str,
    from_status: InvitationStatus | None,
    to_status: InvitationStatus,
    reason: str | None,
    at: datetime | None = None,
) -> None:
    db.session.add(
        InvitationTransition(**_log_row(invitation_id, from_status, to_status, reason, at))
    )


def _changes(
    invitation: Invitation, to_status: InvitationStatus, reason: str | None, now: datetime
) -> dict[str, Any]:
    """The columns one move sets: refused unless the table allows it; its status and reason,
    and the bookkeeping (sent, opened, completed time; contact details purged once the
    invitation can no longer need them)."""
    if to_status not in TRANSITIONS[invitation.status]:
        raise InvalidTransition(f"{invitation.status} -> {to_status}")
    changes: dict[str, Any] = {"status": to_status, "reason": reason}
    stamp = {S.SENT: "sent_at", S.OPENED: "opened_at", S.COMPLETED: "completed_at"}.get(to_status)
    if stamp is not None:
        changes[stamp] = now
    if to_status not in KEEPS_CONTACT_DETAILS:
        # The token hash stays: the link still says "answered" or "closed" rather than nothing.
        changes["email"] = changes["phone"] = None
    return changes


class Batch:
    """Moves of many invitations written together by :meth:`write`: one UPDATE per shape of
    change (executemany by primary key, each row guarded by the status it had before the
    batch moved it) and one INSERT of their log, whatever the number of invitations.

    Hand it to the named moves (``batch=``): each move is checked against the table, signalled,
    and applied to the loaded invitation at once, without making it dirty (the batch writes
    it, not the session's unit of work). The invitations must be locked by the transaction
    (:func:`locked_many`); the guard confirms what the lock ensures.
    """

    def __init__(self) -> None:
        self._changes: dict[str, dict[str, Any]] = {}
        self._guards: dict[str, InvitationStatus] = {}
        self._log: list[dict[str, Any]] = []

    def _add(
        self,
        invitation: Invitation,
        from_status: InvitationStatus,
        changes: dict[str, Any],
        log: dict[str, Any],
    ) -> None:
        self._guards.setdefault(invitation.id, from_status)
        self._changes.setdefault(invitation.id, {}).update(changes)
        for key, value in changes.items():
            set_committed_value(invitation, key, value)
        self._log.append(log)

    def write(self) -> None:
        """Write the moves added so far (the caller commits)."""
        shapes: dict[tuple[str, ...], list[dict[str, Any]]] = defaultdict(list)
        for invitation_id, changes in self._changes.items():
            row = {"b_id": invitation_id, "b_from": self._guards[invitation_id], **changes}
            shapes[tuple(sorted(changes))].append(row)
        table = Invitation.__table__
        guarded = update(table).where(
            table.c.id == bindparam("b_id"), table.c.status == bindparam("b_from")
        )
        for rows in shapes.values():
            db.session.execute(guarded, rows)
        insert_rows(InvitationTransition.__table__, self._log)
        self._changes, self._guards, self._log = {}, {}, []


def _move(
    invitation: Invitation,
    to_status: InvitationStatus,
    reason: str | None,
    values: dict[str, Any],
    batch: Batch | None,
    context: dict[str, Any],
) -> None:
    """One move with the named move's own `values`: set on the invitation (written by the
    session, or by the `batch`), logged and signalled."""
    current = invitation.status
    now = utcnow()
    changes = {**values, **_changes(invitation, to_status, reason, now)}
    log = _log_row(invitation.id, current, to_status, reason, now)
    if batch is None:
        for key, value in changes.items():
            setattr(invitation, key, value)
        db.session.add(InvitationTransition(**log))
    else:
        batch._add(invitation, current, changes, log)
    status_changed.send(
        invitation, from_status=current, to_status=to_status, reason=reason, **context
    )


def transition(
    invitation: Invitation,
    to_status: InvitationStatus,
    reason: str | None = None,
    *,
    batch: Batch | None = None,
    **context: Any,
) -> None:
    """Move an invitation along the state machine; refuse any move it does not allow."""
    _move(invitation, to_status, reason, {}, batch, context)


def _write_lock(invitation_ids: list[str]) -> None:
    """SQLite ignores FOR UPDATE. There, a no-op UPDATE as the transaction's first statement
    takes the database write lock (waiting for any other writer's commit), so the read that
    follows sees the latest state and nobody else can change it before this transaction ends."""
    if db.session.get_bind().dialect.name == "sqlite":
        no_op = (
            update(Invitation)
            .where(Invitation.id.in_(invitation_ids))
            .values(updated_at=Invitation.updated_at)
        )
        db.session.execute(no_op, execution_options={"synchronize_session": False})


def locked(invitation_id: str) -> Invitation | None:
    """Re-read an invitation under a row lock held until the transaction ends."""
    _write_lock([invitation_id])
    return db.session.get(Invitation, invitation_id, with_for_update=True, populate_existing=True)


def locked_many(
    invitation_ids: list[str],
    *where: ColumnElement[bool],
    skip_locked: bool = False,
    options: Iterable[ORMOption] = (),
) -> list[Invitation]:
    """Re-read the invitations among `invitation_ids` that match `where`, in one statement,
    under row locks held until the transaction ends (see :func:`locked`). With `skip_locked`,
    rows another transaction holds are left out (PostgreSQL; SQLite's writers take turns).
    `options`: loader options, for what the invitations share (loaded once for all)."""
    if not invitation_ids:
        return []
    _write_lock(invitation_ids)
    query = (
        select(Invitation)
        .where(Invitation.id.in_(invitation_ids), *where)
        .options(*options)
        .with_for_update(skip_locked=skip_locked)
        .execution_options(populate_existing=True)
    )
    return list(db.session.scalars(query))


# --- Sending -----------------------------------------------------------------------------------
# Each move takes an optional `batch` (:class:`Batch`): a send task moves its whole batch with a
# few statements; a move without one is written by the session like any other change.


def begin_sending(invitation: Invitation, *, batch: Batch | None = None) -> str:
    """A worker takes up a scheduled invitation to hand it to its channel (scheduled ->
    sending): its survey token (returned; only its hash is kept, and it is the same on every
    attempt) and one more attempt counted.

    The caller commits before calling the provider, so that a worker killed while sending
    leaves a row that says so (see :func:`recover_stale_sending`).
    """
    salt = invitation.token_salt or new_token_salt()
    token = survey_token(invitation.id, salt)
    values = {
        "token_salt": salt,
        "token_hash": token_hash(token),
        "attempts": invitation.attempts + 1,
        "queued_at": None,
    }
    _move(invitation, S.SENDING, None, values, batch, {})
    return token


def mark_sent(
    invitation: Invitation,
    provider_ref: str | None,
    reason: str | None = None,
    *,
    batch: Batch | None = None,
    **context: Any,
) -> None:
    """The channel accepted the invitation (sending -> sent)."""
    values = {"provider_ref": provider_ref, "last_error": None}
    _move(invitation, S.SENT, reason, values, batch, context)


def _error(error: str | None) -> dict[str, Any]:
    return {} if error is None else {"last_error": error[:MAX_ERROR]}


def reschedule(
    invitation: Invitation,
    due_at: datetime,
    reason: str,
    error: str | None = None,
    *,
    batch: Batch | None = None,
) -> None:
    """Back to the queue until `due_at` (a transient fault, quiet hours, a temporary receipt).
    The survey link stays the same: a message the provider did accept still works."""
    values = {"due_at": due_at, "queued_at": None, **_error(error)}
    _move(invitation, S.SCHEDULED, reason, values, batch, {})


def fail(
    invitation: Invitation, reason: str, error: str | None = None, *, batch: Batch | None = None
) -> None:
    """Given up on sending (sending -> failed): its survey link no longer opens anything."""
    _move(invitation, S.FAILED, reason, {"token_hash": None, **_error(error)}, batch, {})


def renew_sending(invitation_ids: list[str]) -> set[str]:
    """A worker still sending a long batch renews its claim on the rows still `sending` (their
    `updated_at`, which :func:`recover_stale_sending` reads): the ids it still holds; one
    recovered meanwhile is no longer its to send. No change of state. Commits."""
    renewed = set(
        db.session.scalars(
            update(Invitation)
            .where(Invitation.id.in_(invitation_ids), Invitation.status == S.SENDING)
            .values(updated_at=utcnow())
            .returning(Invitation.id),
            execution_options={"synchronize_session": False},
        )
    )
    db.session.commit()
    return renewed


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


@dataclass
class NewInvitation:
    """An invitation as planning decided it, not stored yet: its columns but its state, which
    :func:`start_many` sets."""

    id: str
    event_id: str
    program_id: str
    language: str
    client_hash: str
    timezone: str | None
    created_at: datetime
    rule_id: str | None = None
    questionnaire_version_id: str | None = None
    channel: str | None = None
    mode: InvitationMode = InvitationMode.LINK
    email: str | None = None
    phone: str | None = None
    address_hash: str | None = None
    due_at: datetime | None = None
    expires_at: datetime | None = None


def start_many(starts: Iterable[tuple[NewInvitation, InvitationStatus, str | None]]) -> None:
    """New invitations in their first state (scheduled, or skipped with the reason), and the
    first row of each one's log: two INSERTs for the whole batch, nothing loaded in the session.
    Contact details are not stored for an invitation that starts skipped."""
    rows: list[dict[str, Any]] = []
    log: list[dict[str, Any]] = []
    for new, status, reason in starts:
        if status not in INITIAL:
            raise InvalidTransition(f"an invitation cannot start {status}")
        row = {**vars(new), "status": status, "reason": reason, "updated_at": new.created_at}
        if status not in KEEPS_CONTACT_DETAILS:
            row["email"] = row["phone"] = None
        rows.append(row)
        log.append(_log_row(new.id, None, status, reason, new.created_at))
    insert_rows(Invitation.__table__, rows)
    insert_rows(InvitationTransition.__table__, log)


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


#: Sent and not answered: a link-mode invitation in these states may get its one reminder.
REMINDABLE = AWAITING_ANSWER
#: The reason of the log row that records a reminder (the state does not change).
REMINDED = "reminder"


def claim_reminders(
    invitation_ids: list[str], now: datetime | None = None, options: Iterable[ORMOption] = ()
) -> list[Invitation]:
    """Take up the invitations among `invitation_ids` that may still get their one reminder
    (link mode, sent and not answered, not expired, never reminded): `reminded_at` set and a
    log row (``reminder``) for each, in two statements; no change of state. Locked (SKIP
    LOCKED on PostgreSQL), so concurrent or redelivered tasks never take one twice. The caller
    commits before handing the reminders to the channel: a reminder is sent at most once (a
    worker killed before the provider took it loses it rather than repeating it)."""
    now = now or utcnow()
    taken = locked_many(
        invitation_ids,
        Invitation.reminded_at.is_(None),
        Invitation.mode == InvitationMode.LINK,
        Invitation.status.in_(REMINDABLE),
        or_(Invitation.expires_at.is_(None), Invitation.expires_at > now),
        skip_locked=True,
        options=options,
    )
    if not taken:
        return []
    ids = [invitation.id for invitation in taken]
    db.session.execute(
        update(Invitation).where(Invitation.id.in_(ids)).values(reminded_at=now),
        execution_options={"synchronize_session": False},
    )
    for invitation in taken:
        set_committed_value(invitation, "reminded_at", now)
    insert_rows(
        InvitationTransition.__table__,
        [_log_row(i.id, i.status, i.status, REMINDED, now) for i in taken],
    )
    return taken


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
