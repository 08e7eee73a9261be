"""POST /api/v1/contacts: authentication, validation, idempotency, batches."""

from __future__ import annotations

from flask.testing import FlaskClient
from sqlalchemy import func, select

from feedback.contacts.models import ContactEvent
from feedback.invitations.models import Invitation, InvitationStatus
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


def test_missing_or_bad_key_is_401_json(client, db):
    make_setup()
    assert client.post("/api/v1/contacts", json=event_payload()).status_code == 401
    response = _post(client, "fbk_nothere_secret", event_payload())
    assert response.status_code == 401
    assert response.json["error"]["code"] == "unauthorized"
    assert db.session.scalar(select(func.count()).select_from(ContactEvent)) == 0


def test_revoked_key_is_refused(client, db):
    from feedback.accounts.models import ApiKey
    from feedback.db_types import utcnow

    make_setup()
    key = make_api_key()
    db.session.scalar(select(ApiKey)).revoked_at = utcnow()
    db.session.commit()
    assert _post(client, key, event_payload()).status_code == 401


def test_not_json_is_400(client, db):
    key = make_api_key()
    response = client.post(
        "/api/v1/contacts",
        data="nope",
        content_type="text/plain",
        headers={"Authorization": f"Bearer {key}"},
    )
    assert response.status_code == 400
    assert response.json["error"]["code"] == "invalid_json"


def test_invalid_event_names_each_bad_field(client, db):
    make_setup()
    key = make_api_key()
    bad = event_payload(occurred_at="yesterday", language="de")
    bad["client"] = {
        "reference": "",
        "email": "not-an-email",
        "phone": "123",
        "timezone": "Mars/Olympus",
    }
    del bad["source"]
    response = _post(client, key, bad)
    assert response.status_code == 422
    fields = response.json["error"]["fields"]
    assert set(fields) >= {
        "source",
        "occurred_at",
        "language",
        "client.reference",
        "client.email",
        "client.phone",
        "client.timezone",
    }
    assert db.session.scalar(select(func.count()).select_from(ContactEvent)) == 0


def test_naive_time_and_unknown_program_are_rejected(client, db):
    make_setup()
    key = make_api_key()
    naive = _post(client, key, event_payload(occurred_at="2026-11-20T10:00:00"))
    assert "occurred_at" in naive.json["error"]["fields"]
    unknown = _post(client, key, event_payload(program="nope"))
    assert unknown.status_code == 422
    assert "program" in unknown.json["error"]["fields"]


def test_phone_is_normalised_to_e164(client, db):
    from feedback.contacts.validation import normalise_phone

    assert normalise_phone("(613) 555-0199") == "+16135550199"
    assert normalise_phone("+33 1 42 68 53 00") == "+33142685300"


def test_batch_keeps_valid_items_and_reports_bad_ones_by_index(client, db):
    make_setup()
    key = make_api_key()
    events = [event_payload(1), {"source": "crm"}, event_payload(3), event_payload(1)]
    response = _post(client, key, {"events": events})
    assert response.status_code == 200
    body = response.json
    assert (body["accepted"], body["rejected"]) == (3, 1)
    statuses = [r["status"] for r in body["results"]]
    assert statuses == ["created", "rejected", "created", "duplicate"]
    assert body["results"][1]["index"] == 1 and "external_id" in body["results"][1]["errors"]
    assert body["results"][3]["event_id"] == body["results"][0]["event_id"]
    assert db.session.scalar(select(func.count()).select_from(ContactEvent)) == 2
    assert db.session.scalar(select(func.count()).select_from(Invitation)) == 2


def test_batch_with_nothing_valid_is_422_and_too_large_is_413(client, db):
    make_setup()
    key = make_api_key()
    response = _post(client, key, {"events": [{"x": 1}, 5]})
    assert response.status_code == 422
    assert set(response.json["error"]["fields"]) == {"0", "1"}
    big = _post(client, key, {"events": [event_payload(i) for i in range(1001)]})
    assert big.status_code == 413
    assert db.session.scalar(select(func.count()).select_from(ContactEvent)) == 0


def test_event_is_kept_when_the_broker_is_down(app, client, db):
    """Nothing accepted is lost: the kick to the worker fails, the row stays for the sweep."""
    make_setup()
    key = make_api_key()
    original = app.extensions["celery"].conf.broker_url
    app.extensions["celery"].conf.broker_url = "redis://127.0.0.1:1/0"
    try:
        response = _post(client, key, event_payload())
    finally:
        app.extensions["celery"].conf.broker_url = original
    assert response.status_code == 201
    invitation = db.session.get(Invitation, response.json["invitation"]["id"])
    assert invitation.status is InvitationStatus.SCHEDULED


def test_secrets_and_contact_details_stay_out_of_logs(client, db, caplog):
    make_setup()
    key = make_api_key()
    with caplog.at_level("INFO", logger="feedback"):
        _post(client, key, event_payload())
    from feedback.logging_setup import JsonFormatter

    formatter = JsonFormatter()
    text = "\n".join(formatter.format(r) for r in caplog.records)
    assert "client1@example.org" not in text and key not in text
    assert "contacts ingested" in text


def test_openapi_describes_the_contacts_endpoint(client):
    spec = client.get("/api/v1/openapi.json").json
    assert spec["openapi"].startswith("3.")
    post = spec["paths"]["/contacts"]["post"]
    assert {"201", "200", "400", "401", "413", "422"} <= set(post["responses"])
    required = spec["components"]["schemas"]["ContactEvent"]["required"]
    assert {"source", "external_id", "occurred_at", "language", "client"} <= set(required)
