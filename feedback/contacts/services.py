"""Ingest: store each contact event first, then plan its invitation, idempotently."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from datetime import UTC
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from feedback.accounts.services import key_allows
from feedback.contacts.models import ContactEvent
from feedback.contacts.validation import CleanEvent, Limits, current_limits, validate_event
from feedback.distribution.planning import (
    ClientDetails,
    invalid_phone_acceptable,
    plan_invitation,
)
from feedback.extensions import db
from feedback.programs.models import Program
from feedback.security import client_hash

log = logging.getLogger(__name__)


@dataclass
class IngestResult:
    index: int
    status: str  # "created", "duplicate", "conflict" or "rejected"
    event: ContactEvent | None = None
    errors: dict[str, str] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        body: dict[str, Any] = {"index": self.index, "status": self.status}
        if self.event is not None:
            invitation = self.event.invitation
            body["event_id"] = self.event.id
            body["invitation"] = {
                "id": invitation.id,
                "status": invitation.status.value,
                "reason": invitation.reason,
                "channel": invitation.channel,
                "due_at": invitation.due_at.isoformat() if invitation.due_at else None,
            }
        if self.errors:
            body["errors"] = self.errors
        return body


def _existing(source: str, external_id: str) -> ContactEvent | None:
    return db.session.scalar(
        select(ContactEvent).where(
            ContactEvent.source == source, ContactEvent.external_id == external_id
        )
    )


def ingest_one(
    clean: CleanEvent, program: Program, api_key_id: str | None
) -> tuple[str, ContactEvent]:
    """Store one event and its invitation in a savepoint; a duplicate returns the stored one."""
    found = _existing(clean.source, clean.external_id)
    if found is not None:
        return "duplicate", found
    try:
        with db.session.begin_nested():
            event = ContactEvent(
                source=clean.source,
                external_id=clean.external_id,
                program_id=program.id,
                program=program,
                contact_type=clean.contact_type,
                occurred_at=clean.occurred_at,
                language=clean.language,
                client_hash=client_hash(clean.reference),
                attributes=clean.attributes,
                api_key_id=api_key_id,
            )
            db.session.add(event)
            db.session.flush()
            client = ClientDetails(
                clean.email, clean.phone, clean.timezone, phone_invalid=bool(clean.phone_error)
            )
            plan_invitation(event, client)
    except IntegrityError:
        # A concurrent request stored the same source + external_id first.
        found = _existing(clean.source, clean.external_id)
        if found is None:
            raise
        return "duplicate", found
    return "created", event


def differences(clean: CleanEvent, program: Program, stored: ContactEvent) -> dict[str, str]:
    """The fields in which an event differs from the one stored under its source + external_id.

    Contact details (email, phone, time zone) are not compared: they live on the invitation and
    are purged from it once no longer needed."""
    message = "differs from the event already stored under this source and external_id"
    fields = {
        "program": stored.program_id != program.id,
        "contact_type": stored.contact_type != clean.contact_type,
        "occurred_at": stored.occurred_at != clean.occurred_at.astimezone(UTC),
        "language": stored.language != clean.language,
        "client.reference": stored.client_hash != client_hash(clean.reference),
        "attributes": _canonical(stored.attributes or {}) != _canonical(clean.attributes),
    }
    return {name: message for name, differs in fields.items() if differs}


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"))


def _ingest_item(
    payload: Any,
    api_key_id: str | None,
    programs: dict[str, Program | None],
    limits: Limits,
    index: int,
) -> IngestResult:
    clean, errors = validate_event(payload, limits)
    if clean is not None and clean.program not in programs:
        programs[clean.program] = db.session.scalar(
            select(Program).where(Program.code == clean.program)
        )
    if clean is not None and programs[clean.program] is None:
        errors = {"program": f"unknown program {clean.program!r}"}
    elif clean is not None and not key_allows(api_key_id, programs[clean.program]):  # type: ignore[arg-type]
        errors = {"program": f"this API key may not send events for program {clean.program!r}"}
    elif clean is not None and clean.phone_error:
        program = programs[clean.program]
        assert program is not None
        if not invalid_phone_acceptable(program.id, clean.contact_type):
            errors = {"client.phone": clean.phone_error}
    if errors or clean is None:
        return IngestResult(index, "rejected", errors=errors)
    program = programs[clean.program]
    assert program is not None
    status, event = ingest_one(clean, program, api_key_id)
    if status == "duplicate":
        differing = differences(clean, program, event)
        if differing:
            return IngestResult(index, "conflict", event, errors=differing)
    return IngestResult(index, status, event)


def ingest(
    payloads: list[Any], api_key_id: str | None = None, limits: Limits | None = None
) -> list[IngestResult]:
    """Validate and store a batch; each item alone: whatever fails on one, the others are kept."""
    limits = limits or current_limits()
    programs: dict[str, Program | None] = {}
    results: list[IngestResult] = []
    for index, payload in enumerate(payloads):
        try:
            with db.session.begin_nested():
                results.append(_ingest_item(payload, api_key_id, programs, limits, index))
        except Exception as exc:  # noqa: BLE001 - one item's fault (database, overflow) is its own
            # The type only: a database error's text holds the row's values (contact details).
            log.error(
                "contact event not stored",
                extra={"fields": {"index": index, "error": type(exc).__name__}},
            )
            programs.clear()  # objects loaded in the rolled-back savepoint may be stale
            results.append(
                IngestResult(index, "rejected", errors={"": "could not be stored; try again"})
            )
    db.session.commit()
    created = sum(r.status == "created" for r in results)
    log.info(
        "contacts ingested",
        extra={"fields": {"received": len(payloads), "created": created}},
    )
    return results
