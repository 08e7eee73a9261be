"""A client's requests under the Privacy Act: everything held about them (access), and the
erasure of their response-level data. Clients are found by the keyed hash of their reference
(:func:`feedback.security.client_hash`); the reference itself is never stored."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from blinker import Namespace
from sqlalchemy import select

from feedback.consent.models import OptOut
from feedback.contacts.models import ContactEvent
from feedback.extensions import db
from feedback.invitations.models import Invitation, InvitationTransition
from feedback.privacy.retention import delete_invitations
from feedback.responses.models import Answer, Response
from feedback.security import client_hash


def _time(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def export_client(reference: str) -> dict[str, Any]:
    """Everything held about one client, as JSON-ready data (contact details decrypted while
    they are still held)."""
    hashed = client_hash(reference)
    events = db.session.scalars(
        select(ContactEvent)
        .where(ContactEvent.client_hash == hashed)
        .order_by(ContactEvent.occurred_at)
    ).all()
    invitations = db.session.scalars(
        select(Invitation).where(Invitation.client_hash == hashed).order_by(Invitation.created_at)
    ).all()
    ids = [invitation.id for invitation in invitations]
    transitions: dict[str, list[dict[str, Any]]] = {}
    for row in db.session.scalars(
        select(InvitationTransition)
        .where(InvitationTransition.invitation_id.in_(ids))
        .order_by(InvitationTransition.id)
    ):
        transitions.setdefault(row.invitation_id, []).append(
            {
                "from": row.from_status and row.from_status.value,
                "to": row.to_status.value,
                "reason": row.reason,
                "at": _time(row.at),
            }
        )
    responses = db.session.scalars(select(Response).where(Response.invitation_id.in_(ids))).all()
    answers: dict[str, list[Answer]] = {}
    for answer in db.session.scalars(
        select(Answer)
        .where(Answer.response_id.in_([r.id for r in responses]))
        .order_by(Answer.answered_at, Answer.item)
    ):
        answers.setdefault(answer.response_id, []).append(answer)
    opt_outs = db.session.scalars(select(OptOut).where(OptOut.client_hash == hashed)).all()
    return {
        "client_hash": hashed,
        "events": [
            {
                "id": e.id,
                "source": e.source,
                "external_id": e.external_id,
                "program": e.program.code,
                "contact_type": e.contact_type,
                "occurred_at": _time(e.occurred_at),
                "received_at": _time(e.received_at),
                "language": e.language,
                "attributes": e.attributes,
            }
            for e in events
        ],
        "invitations": [
            {
                "id": i.id,
                "event_id": i.event_id,
                "channel": i.channel,
                "mode": i.mode.value,
                "language": i.language,
                "status": i.status.value,
                "reason": i.reason,
                "email": i.email,
                "phone": i.phone,
                "sent_at": _time(i.sent_at),
                "opened_at": _time(i.opened_at),
                "completed_at": _time(i.completed_at),
                "expires_at": _time(i.expires_at),
                "transitions": transitions.get(i.id, []),
            }
            for i in invitations
        ],
        "responses": [
            {
                "id": r.id,
                "invitation_id": r.invitation_id,
                "channel": r.channel,
                "language": r.language,
                "started_at": _time(r.started_at),
                "completed_at": _time(r.completed_at),
                "answers": [
                    {
                        "question": a.question.code,
                        "item": a.item,
                        "value_int": a.value_int,
                        "value_choice": a.value_choice,
                        "value_text": a.value_text,
                        "recording_ref": a.recording_ref,
                        "answered_at": _time(a.answered_at),
                    }
                    for a in answers.get(r.id, [])
                ],
            }
            for r in responses
        ],
        "opt_outs": [
            {"channel": o.channel, "source": o.source, "created_at": _time(o.created_at)}
            for o in opt_outs
        ],
    }


@dataclass(frozen=True)
class Erasure:
    invitations: int
    events: int
    opt_outs_kept: int


#: Sent with the keyed hash of a client's reference when their data is erased, in the same
#: transaction: what other areas keep of the client (open follow-ups) goes with the rest.
client_erased = Namespace().signal("client-erased")


def erase_client(reference: str) -> Erasure:
    """Delete one client's events, invitations, transition logs, conversations, responses and
    answers, in the caller's transaction. The daily facts stay (they count, they do not
    identify), and so does an opt-out: erasing it would resume surveys."""
    hashed = client_hash(reference)
    client_erased.send(hashed)
    ids = list(db.session.scalars(select(Invitation.id).where(Invitation.client_hash == hashed)))
    delete_invitations(ids)
    events = db.session.execute(
        ContactEvent.__table__.delete().where(ContactEvent.client_hash == hashed)
    ).rowcount
    kept = len(db.session.scalars(select(OptOut.id).where(OptOut.client_hash == hashed)).all())
    db.session.expire_all()
    return Erasure(len(ids), events + len(ids), kept)
