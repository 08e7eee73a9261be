"""The administrators' API key pages: create with a program scope (shown once), use, revoke."""

from __future__ import annotations

from feedback.accounts.models import ApiKey
from feedback.extensions import db
from tests.accounts.helpers import post_form, shown_secret
from tests.factories import event_payload
from tests.governance.conftest import client_as, new_client


def _post_event(client, key: str, body: dict):
    return client.post("/api/v1/contacts", json=body, headers={"Authorization": f"Bearer {key}"})


def test_a_scoped_key_is_shown_once_and_refused_for_another_programs_events(app, world):
    admin = client_as(app, world.admin)
    created = post_form(
        admin, "/admin/api-keys/new", {"name": "passport crm", "programs": ["passport"]}
    )
    assert created.status_code == 200 and created.headers["Cache-Control"] == "no-store"
    assert "Copy the key now: it will not be shown again." in created.text
    plaintext = shown_secret(created.text)
    key = db.session.scalar(db.select(ApiKey))
    assert plaintext.startswith(f"fbk_{key.prefix}_") and [p.code for p in key.programs] == [
        "passport"
    ]
    listing = admin.get("/admin/api-keys").text
    assert "passport crm" in listing and f"fbk_{key.prefix}" in listing
    assert plaintext not in listing

    api = new_client(app)
    assert _post_event(api, plaintext, event_payload(1)).status_code == 201
    refused = _post_event(api, plaintext, event_payload(2, program="citizenship"))
    assert refused.status_code == 422
    assert refused.json["error"]["fields"] == {
        "program": "this API key may not send events for program 'citizenship'"
    }


def test_a_revoked_key_is_refused(app, world):
    admin = client_as(app, world.admin)
    plaintext = shown_secret(post_form(admin, "/admin/api-keys/new", {"name": "crm"}).text)
    key = db.session.scalar(db.select(ApiKey))
    assert key.programs == []  # no program chosen: every program
    confirm = admin.get(f"/admin/api-keys/{key.id}/revoke")
    assert "cannot be undone" in confirm.text
    revoked = post_form(admin, f"/admin/api-keys/{key.id}/revoke", {})
    assert revoked.status_code == 303
    assert "Revoked on" in admin.get("/admin/api-keys").text
    answer = _post_event(new_client(app), plaintext, event_payload(1))
    assert answer.status_code == 401


def test_a_key_needs_a_name(app, world):
    answer = post_form(client_as(app, world.admin), "/admin/api-keys/new", {"name": "  "})
    assert answer.status_code == 400
    assert "Enter a name for the key." in answer.text
    assert 'aria-describedby="name-hint name-error"' in answer.text
    assert db.session.scalar(db.select(ApiKey)) is None


def test_an_unknown_key_is_not_found(app, world):
    assert client_as(app, world.admin).get("/admin/api-keys/nope/revoke").status_code == 404
