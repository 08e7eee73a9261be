"""POST /api/v1/contacts: authentication, validation, idempotency, batches."""

from __future__ import annotations

from flask.testing import FlaskClient
from sqlalchemy import func, select

from feedback.contacts.models import ContactEvent
from feedback.delivery.models import Invitation, InvitationStatus
from tests.factories import event_payload, make_api_key, make_setup


def _post(client: FlaskClient, key: str, body: object):
    return client.post("/api/v1/contacts", json=body, headers={"Authorization": f"Bearer {key}"})


def test_event_is_stored_and_invitation_scheduled(client, db):
    make_setup()
    key = make_api_key()
    response = _post(client, key, event_payload())
    assert response.status_code == 201, response.json
    body = response.json
    assert body["status"] == "created"
    assert body["invitation"]["status"] == "scheduled"
    invitation = db.session.get(Invitation, body["invitation"]["id"])
    assert invitation.email == "client1@example.org"
    assert invitation.client_hash != "client-1" and len(invitation.client_hash) == 64


def test_same_event_twice_gives_same_result_and_one_invitation(client, db):
    make_setup()
    key = make_api_key()
    first = _post(client, key, event_payload())
    second = _post(client, key, event_payload())
    assert second.status_code == 200
    assert second.json["event_id"] == first.json["event_id"]
    assert second.json["invitation"]["id"] == first.json["invitation"]["id"]
    assert db.session.scalar(select(func.count()).select_from(Invitation)) == 1
