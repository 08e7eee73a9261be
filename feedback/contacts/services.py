"""Ingest: contact events stored a batch at a time, then their invitations planned, idempotently.

The whole batch is validated in Python first, each item alone: whatever is wrong with one item
is reported at its index and costs the others nothing, and what is left cannot fail to store.
Then a few statements serve the whole batch, whatever its size:

* one ``INSERT ... ON CONFLICT (source, external_id) DO NOTHING RETURNING id`` for the events
  (ids made here). Only the events this statement inserted get an invitation, so concurrent
  requests carrying the same events store each one, and its invitation, exactly once;
* one ``SELECT`` of the events already stored under the other keys, with their invitations: a
  duplicate answers with them, a conflict with the fields that differ. An item repeated within
  the batch is answered the same way, against the first;
* the planning of the new events (:func:`planning.plan_invitations`): its lookups read once
  per batch, the invitations and their first log rows inserted together.

The answer is built from what is in hand: nothing is loaded after the commit.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select, tuple_
from sqlalchemy.dialects import postgresql, sqlite

from feedback.accounts.services import key_allows
from feedback.bulk import on_postgres, recordset, rows_of
from feedback.contacts.models import ContactEvent
from feedback.contacts.validation import CleanEvent, Limits, current_limits, validate_event
from feedback.db_types import new_id, utcnow
from feedback.distribution.planning import (
    ClientDetails,
    NewEvent,
    Plan,
    Rules,
    invalid_phone_acceptable,
    plan_invitations,
)
from feedback.extensions import db
from feedback.invitations.models import Invitation, InvitationStatus
from feedback.programs.models import Program
from feedback.security import keyed_hasher

log = logging.getLogger(__name__)

Key = tuple[str, str]
EVENTS = ContactEvent.__table__


@dataclass(frozen=True)
class InvitationSummary:
    """What the API answers about an event's invitation."""

    id: str
    status: InvitationStatus
    reason: str | None
    channel: str | None
    due_at: datetime | None

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "status": self.status.value,
            "reason": self.reason,
            "channel": self.channel,
            "due_at": self.due_at.isoformat() if self.due_at else None,
        }


@dataclass
class IngestResult:
    index: int
    status: str  # "created", "duplicate", "conflict" or "rejected"
    event_id: str | None = None
    #: None when rejected (or for an event stored without one, which retention never leaves).
    invitation: InvitationSummary | None = None
    errors: dict[str, str] = field(default_factory=dict)

    @property
    def event(self) -> ContactEvent | None:
        """The stored event, loaded on demand (the API's answer does not need it)."""
        return db.session.get(ContactEvent, self.event_id) if self.event_id else None

    def as_json(self) -> dict[str, Any]:
        body: dict[str, Any] = {"index": self.index, "status": self.status}
        if self.event_id is not None:
            body["event_id"] = self.event_id
        if self.invitation is not None:
            body["invitation"] = self.invitation.as_json()
        if self.errors:
            body["errors"] = self.errors
        return body


@dataclass
class _Item:
    """A valid item of the batch: its event's row as it would be inserted."""

    index: int
    clean: CleanEvent
    program: Program
    row: dict[str, Any]

    @property
    def key(self) -> Key:
        return self.row["source"], self.row["external_id"]


def differences(new: Mapping[str, Any], stored: Mapping[str, Any]) -> dict[str, str]:
    """The fields in which an event differs from the one stored under its source + external_id
    (both as rows of contact_events).

    Contact details (email, phone, time zone) are not compared: they live on the invitation and
    are purged from it once no longer needed."""
    message = "differs from the event already stored under this source and external_id"
    fields = {
        "program": stored["program_id"] != new["program_id"],
        "contact_type": stored["contact_type"] != new["contact_type"],
        "occurred_at": stored["occurred_at"] != new["occurred_at"],
        "language": stored["language"] != new["language"],
        "client.reference": stored["client_hash"] != new["client_hash"],
        "attributes": _canonical(stored["attributes"] or {}) != _canonical(new["attributes"]),
    }
    return {name: message for name, differs in fields.items() if differs}


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"))


def _programs(codes: set[str]) -> dict[str, Program]:
    if not codes:
        return {}
    return {p.code: p for p in db.session.scalars(select(Program).where(Program.code.in_(codes)))}


def _refusal(
    clean: CleanEvent,
    program: Program | None,
    allowed: Callable[[Program], bool],
    rules: Rules,
) -> dict[str, str]:
    """Why a valid event cannot be taken: its program, the key's scope, an invalid phone that
    its rule cannot make up for by email; {} when it can."""
    if program is None:
        return {"program": f"unknown program {clean.program!r}"}
    if not allowed(program):
        return {"program": f"this API key may not send events for program {clean.program!r}"}
    if clean.phone_error and not invalid_phone_acceptable(
        rules.find(program.id, clean.contact_type, clean.attributes)
    ):
        return {"client.phone": clean.phone_error}
    return {}


def _row(
    clean: CleanEvent,
    program: Program,
    api_key_id: str | None,
    now: datetime,
    client_hash: Callable[[str], str],
) -> dict[str, Any]:
    return {
        "id": new_id(),
        "source": clean.source,
        "external_id": clean.external_id,
        "program_id": program.id,
        "contact_type": clean.contact_type,
        "occurred_at": clean.occurred_at.astimezone(UTC),
        "received_at": now,
        "language": clean.language,
        "client_hash": client_hash(clean.reference),
        "attributes": clean.attributes,
        "api_key_id": api_key_id,
    }


def _insert_new(rows: list[dict[str, Any]]) -> set[str]:
    """Insert the events whose key is not stored yet; the ids of those this statement inserted.

    Sorted by key, so that concurrent batches sharing events take their row locks in one order
    (no deadlock on PostgreSQL)."""
    if not rows:
        return set()
    ordered = sorted(rows, key=lambda row: (row["source"], row["external_id"]))
    if on_postgres():
        insert = postgresql.insert(EVENTS).from_select(list(ordered[0]), rows_of(EVENTS, ordered))
        params: list[dict[str, Any]] = []
    else:
        insert = sqlite.insert(EVENTS)
        params = ordered
    statement = insert.on_conflict_do_nothing(
        index_elements=[EVENTS.c.source, EVENTS.c.external_id]
    ).returning(EVENTS.c.id)
    return set(db.session.execute(statement, params or None).scalars())


def _stored(keys: list[Key]) -> dict[Key, Mapping[str, Any]]:
    """The events already stored under these keys, with their invitation's summary columns."""
    if not keys:
        return {}
    query = select(
        *EVENTS.c,
        Invitation.id.label("invitation_id"),
        Invitation.status.label("invitation_status"),
        Invitation.reason.label("invitation_reason"),
        Invitation.channel.label("invitation_channel"),
        Invitation.due_at.label("invitation_due_at"),
    )
    events = EVENTS
    if on_postgres():
        wanted = recordset(
            {"source": EVENTS.c.source.type, "external_id": EVENTS.c.external_id.type},
            ({"source": source, "external_id": external} for source, external in keys),
        )
        events = EVENTS.join(
            wanted,
            (EVENTS.c.source == wanted.c.source) & (EVENTS.c.external_id == wanted.c.external_id),
        )
    else:
        query = query.where(tuple_(EVENTS.c.source, EVENTS.c.external_id).in_(keys))
    rows = db.session.execute(
        query.select_from(events.outerjoin(Invitation, Invitation.event_id == EVENTS.c.id))
    )
    return {(row.source, row.external_id): row._mapping for row in rows}


def _summary_of_stored(row: Mapping[str, Any]) -> InvitationSummary | None:
    if row["invitation_id"] is None:
        return None
    return InvitationSummary(
        row["invitation_id"],
        row["invitation_status"],
        row["invitation_reason"],
        row["invitation_channel"],
        row["invitation_due_at"],
    )


def _summary_of_plan(plan: Plan) -> InvitationSummary:
    invitation = plan.invitation
    return InvitationSummary(
        invitation.id, plan.status, plan.reason, invitation.channel, invitation.due_at
    )


def _new_event(item: _Item) -> tuple[NewEvent, ClientDetails]:
    row, clean = item.row, item.clean
    event = NewEvent(
        id=row["id"],
        program_id=row["program_id"],
        contact_type=row["contact_type"],
        occurred_at=row["occurred_at"],
        language=row["language"],
        client_hash=row["client_hash"],
        program_timezone=item.program.timezone,
        attributes=row["attributes"] or {},
    )
    client = ClientDetails(
        clean.email, clean.phone, clean.timezone, phone_invalid=bool(clean.phone_error)
    )
    return event, client


def _validate(
    validated: Sequence[tuple[CleanEvent | None, dict[str, str]]],
    api_key_id: str | None,
    now: datetime,
) -> tuple[list[IngestResult], list[_Item], Rules]:
    """The batch's rejected items (answered), its valid ones (with their rows), and the rules
    of their programs (read once, for the phone check here and for planning)."""
    programs = _programs({clean.program for clean, _ in validated if clean is not None})
    rules = Rules(program.id for program in programs.values())
    client_hash = keyed_hasher("client")
    scope: dict[str, bool] = {}

    def allowed(program: Program) -> bool:
        if program.id not in scope:
            scope[program.id] = key_allows(api_key_id, program)
        return scope[program.id]

    rejected: list[IngestResult] = []
    items: list[_Item] = []
    for index, (clean, errors) in enumerate(validated):
        program = programs.get(clean.program) if clean is not None else None
        if clean is not None:
            errors = _refusal(clean, program, allowed, rules)
        if clean is None or program is None or errors:
            rejected.append(IngestResult(index, "rejected", errors=errors))
        else:
            row = _row(clean, program, api_key_id, now, client_hash)
            items.append(_Item(index, clean, program, row))
    return rejected, items, rules


def _answer(
    item: _Item,
    first: _Item,
    inserted: set[str],
    stored: Mapping[Key, Mapping[str, Any]],
    summaries: Mapping[str, InvitationSummary],
) -> IngestResult:
    """A valid item's result: created, else the duplicate (or the conflict) of the event stored
    under its key, by an earlier request or by the `first` item of the batch with that key."""
    if item.row["id"] in inserted:
        return IngestResult(item.index, "created", item.row["id"], summaries[item.row["id"]])
    if first.row["id"] in inserted:
        kept: Mapping[str, Any] = first.row
        summary = summaries[first.row["id"]]
    elif item.key in stored:
        kept = stored[item.key]
        summary = _summary_of_stored(kept)
    else:  # stored by a transaction this one cannot see yet (a stricter isolation level)
        return IngestResult(item.index, "rejected", errors={"": "could not be stored; try again"})
    differing = differences(item.row, kept)
    status = "conflict" if differing else "duplicate"
    return IngestResult(item.index, status, kept["id"], summary, differing)


def store(
    payloads: Sequence[Any], api_key_id: str | None = None, limits: Limits | None = None
) -> list[IngestResult]:
    """Validate and store a batch (see the module's docstring); the caller commits."""
    now = utcnow()
    limits = limits or current_limits()
    validated = [validate_event(payload, limits, now) for payload in payloads]
    return _store(validated, api_key_id, now)


def store_clean(events: Sequence[CleanEvent]) -> list[IngestResult]:
    """Store events the platform makes itself, already clean, the same way (see the module's
    docstring); the caller commits.

    For a walk-in visit: the client leaves no email or phone, which an event sent to the API
    must carry, so it is not checked against the API's schema; everything after (its program,
    idempotency, planning by the program's rules) is the same as for any event.
    """
    return _store([(event, {}) for event in events], None, utcnow())


def _store(
    validated: Sequence[tuple[CleanEvent | None, dict[str, str]]],
    api_key_id: str | None,
    now: datetime,
) -> list[IngestResult]:
    rejected, items, rules = _validate(validated, api_key_id, now)
    first: dict[Key, _Item] = {}
    for item in items:
        first.setdefault(item.key, item)
    inserted = _insert_new([item.row for item in first.values()])
    stored = _stored([key for key, item in first.items() if item.row["id"] not in inserted])
    new = [_new_event(item) for item in items if item.row["id"] in inserted]
    plans = plan_invitations(new, rules, now)
    summaries = {plan.invitation.event_id: _summary_of_plan(plan) for plan in plans}
    answered = [_answer(item, first[item.key], inserted, stored, summaries) for item in items]
    return sorted(rejected + answered, key=lambda result: result.index)


def ingest(
    payloads: Sequence[Any], api_key_id: str | None = None, limits: Limits | None = None
) -> list[IngestResult]:
    """Validate, store and commit a batch: whatever is wrong with one item, the others are
    kept."""
    results = store(payloads, api_key_id, limits)
    db.session.commit()
    created = sum(r.status == "created" for r in results)
    log.info(
        "contacts ingested",
        extra={"fields": {"received": len(payloads), "created": created}},
    )
    return results
