"""Ingest: store each contact event first, then plan its invitation, idempotently."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from feedback.contacts.models import ContactEvent
from feedback.contacts.validation import CleanEvent, validate_event
from feedback.distribution.planning import (
    ClientDetails,
    invalid_phone_acceptable,
    plan_invitation,
)
from feedback.extensions import db
from feedback.programs.models import Program
from feedback.security import client_hash

log = logging.getLogger(__name__)
MAX_BATCH = 1000


@dataclass
class IngestResult:
    index: int
    status: str  # "created", "duplicate" or "rejected"
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


def ingest(payloads: list[Any], api_key_id: str | None = None) -> list[IngestResult]:
    """Validate and store a batch; valid items are kept whatever happens to the others."""
    programs: dict[str, Program | None] = {}
    results: list[IngestResult] = []
    for index, payload in enumerate(payloads):
        clean, errors = validate_event(payload)
        if clean is not None and clean.program not in programs:
            programs[clean.program] = db.session.scalar(
                select(Program).where(Program.code == clean.program)
            )
        if clean is not None and programs[clean.program] is None:
            errors = {"program": f"unknown program {clean.program!r}"}
        elif clean is not None and clean.phone_error:
            program = programs[clean.program]
            assert program is not None
            if not invalid_phone_acceptable(program.id, clean.contact_type):
                errors = {"client.phone": clean.phone_error}
        if errors or clean is None:
            results.append(IngestResult(index, "rejected", errors=errors))
            continue
        program = programs[clean.program]
        assert program is not None
        status, event = ingest_one(clean, program, api_key_id)
        results.append(IngestResult(index, status, event))
    db.session.commit()
    created = sum(r.status == "created" for r in results)
    log.info(
        "contacts ingested",
        extra={"fields": {"received": len(payloads), "created": created}},
    )
    return results
