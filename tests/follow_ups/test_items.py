"""Working on follow-ups: status flow, owners, notes (append-only), all audited; contact details
erased on close; the list's filters."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select, text

from feedback.accounts.models import Role
from feedback.accounts.services import create_user
from feedback.audit.models import AuditEvent
from feedback.db_types import utcnow
from feedback.extensions import db as _db
from feedback.follow_ups import services
from feedback.follow_ups.models import FollowUpStatus
from feedback.follow_ups.services import FollowUpError, ItemFilter
from tests.follow_ups.helpers import make_follow_up
from tests.governance.conftest import PASSWORD

S = FollowUpStatus


def _audit(item_id: str) -> list[AuditEvent]:
    return list(
        _db.session.scalars(
            select(AuditEvent).where(AuditEvent.object_id == item_id).order_by(AuditEvent.id)
        )
    )


def test_the_status_flow_is_audited_and_closing_erases_the_contact_details(world):
    item = make_follow_up(world.passport, world.version)
    due = item.due_on
    services.update_item(item, S.IN_PROGRESS, world.manager, due)
    _db.session.commit()
    assert item.email and item.phone  # kept while open
    services.update_item(item, S.CLOSED, world.manager, due)
    _db.session.commit()
    assert item.closed_at is not None and item.email is None and item.phone is None
    stored = _db.session.execute(
        text("SELECT email, phone FROM follow_ups WHERE id = :id"), {"id": item.id}
    ).one()
    assert tuple(stored) == (None, None)
    taken, closed = _audit(item.id)
    assert taken.action == closed.action == "follow_up.update"
    assert taken.before == {"status": "open", "owner": None}
    assert taken.after == {"status": "in_progress", "owner": world.manager.email}
    assert taken.program_id == world.passport.id
    assert closed.after == {"status": "closed", "contact_details": "erased"}
    assert "client1" not in str(closed.before) + str(closed.after)
    with pytest.raises(FollowUpError) as refused:
        services.update_item(item, S.OPEN, world.manager, due)
    assert set(refused.value.errors) == {"status"}


def test_the_owner_is_a_manager_of_the_program_or_an_administrator(world):
    item = make_follow_up(world.passport, world.version)
    outsider = create_user("pm@example.org", PASSWORD, Role.PROGRAM_MANAGER, ["citizenship"])
    with pytest.raises(FollowUpError) as refused:
        services.update_item(item, S.OPEN, outsider, item.due_on)
    assert set(refused.value.errors) == {"owner"}
    with pytest.raises(FollowUpError):
        services.update_item(item, S.OPEN, world.analyst_in, item.due_on)
    services.update_item(item, S.OPEN, world.admin, item.due_on + timedelta(days=2))
    [event] = _audit(item.id)
    assert set(event.after) == {"owner", "due_on"}


def test_notes_are_appended_with_author_and_time_and_audited(world):
    item = make_follow_up(world.passport, world.version)
    services.add_note(item, "  Called, left a message.  ", world.manager)
    services.add_note(item, "Reached the client; resolved.", world.admin)
    _db.session.commit()
    first, second = item.notes
    assert (first.author, first.text) == (world.manager.email, "Called, left a message.")
    assert second.author == world.admin.email and second.at >= first.at
    # The log says a note was added and how long it is, never what it says about the client.
    assert [e.after for e in _audit(item.id)] == [
        {"note_characters": len("Called, left a message.")},
        {"note_characters": len("Reached the client; resolved.")},
    ]
    with pytest.raises(FollowUpError):
        services.add_note(item, "   ", world.manager)


def test_the_list_filters_by_status_owner_program_and_overdue(world):
    today = utcnow().date()
    late = make_follow_up(world.passport, world.version, n=1, due_on=today - timedelta(days=1))
    owned = make_follow_up(world.passport, world.version, n=2, owner_id=world.manager.id)
    closed = make_follow_up(
        world.passport,
        world.version,
        n=3,
        status=S.CLOSED,
        due_on=today - timedelta(days=3),
        email=None,
        phone=None,
    )
    from tests.factories import make_questionnaire

    other = make_follow_up(world.citizenship, make_questionnaire(world.citizenship), n=4)

    def ids(scope, **wanted):
        return [item.id for item in services.list_items(scope, ItemFilter(**wanted))[0]]

    everything = ids(None)
    assert everything[-1] == closed.id and set(everything) == {
        late.id,
        owned.id,
        closed.id,
        other.id,
    }
    assert ids(None, status=S.CLOSED) == [closed.id]
    assert ids(None, owner_id=world.manager.id) == [owned.id]
    assert set(ids(None, program_id=world.citizenship.id)) == {other.id}
    assert ids(None, overdue=True) == [late.id]  # a closed item is never overdue
    assert other.id not in ids({world.passport.id})
    assert ids(set()) == []
    assert services.owners_in_scope({world.passport.id}) == [world.manager]
    assert services.count_open({world.passport.id}) == 2


def test_a_clients_erasure_deletes_their_items_and_notes(world):
    item = make_follow_up(world.passport, world.version)
    services.add_note(item, "Called.", world.manager)
    other = make_follow_up(world.passport, world.version, n=2)
    _db.session.commit()
    assert services.erase_client(item.client_hash) == 1
    _db.session.commit()
    remaining = _db.session.execute(text("SELECT id FROM follow_ups")).scalars().all()
    assert remaining == [other.id]
    assert _db.session.execute(text("SELECT count(*) FROM follow_up_notes")).scalar() == 0
    erased = _db.session.scalar(select(AuditEvent).where(AuditEvent.action == "follow_up.erase"))
    assert erased.object_id == item.id and erased.after is None


def test_a_privacy_erasure_request_takes_the_clients_items_with_it(world):
    from feedback.privacy.requests import erase_client

    item = make_follow_up(world.passport, world.version, n=1)
    other = make_follow_up(world.passport, world.version, n=2)
    erase_client("client-1")  # the reference make_sent_invitation gives client n=1
    _db.session.commit()
    assert _db.session.execute(text("SELECT id FROM follow_ups")).scalars().all() == [other.id]
    erased = _db.session.scalar(select(AuditEvent).where(AuditEvent.action == "follow_up.erase"))
    assert erased.object_id == item.id
