"""Rows written a batch at a time (feedback.bulk): on PostgreSQL by COPY, which applies neither
column defaults nor type processing by itself, so both are checked here on whichever database
the suite runs."""

from __future__ import annotations

from sqlalchemy import select

from feedback.bulk import among, insert_rows
from feedback.contacts.services import ingest
from feedback.extensions import db as _db
from feedback.invitations.models import Invitation, InvitationStatus, InvitationTransition
from tests.factories import event_payload, make_setup


def test_rows_inserted_in_bulk_read_back_as_an_insert_would_leave_them(app, db):
    make_setup()
    [result] = ingest([event_payload(1)])
    stored = _db.session.get(Invitation, result.invitation.id)
    # Encrypted at rest and read back; an enum; a Python-side default the rows left out.
    assert stored.email == "client1@example.org"
    assert stored.status is InvitationStatus.SCHEDULED
    assert stored.attempts == 0
    insert_rows(
        InvitationTransition.__table__,
        [
            {
                "invitation_id": stored.id,
                "from_status": InvitationStatus.SCHEDULED,
                "to_status": InvitationStatus.SKIPPED,
                "reason": f"bulk-{n}",
            }
            for n in range(3)
        ],
    )
    rows = _db.session.scalars(
        select(InvitationTransition)
        .where(InvitationTransition.reason.like("bulk-%"))
        .order_by(InvitationTransition.id)
    ).all()
    assert [r.reason for r in rows] == ["bulk-0", "bulk-1", "bulk-2"]
    assert all(r.to_status is InvitationStatus.SKIPPED and r.at is not None for r in rows)


def test_among_matches_like_in(app, db):
    make_setup()
    results = ingest([event_payload(n) for n in range(1, 6)])
    wanted = {results[0].invitation.id, results[3].invitation.id, "no-such-id"}
    found = set(_db.session.scalars(select(Invitation.id).where(among(Invitation.id, wanted))))
    assert found == wanted - {"no-such-id"}
