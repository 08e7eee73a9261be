"""API keys: keyed hash (fast), argon2 fallback upgraded on use, scope, list and revoke."""

from __future__ import annotations

import time

from argon2 import PasswordHasher

from feedback.accounts.models import ApiKey
from feedback.accounts.services import (
    authenticate_api_key,
    create_api_key,
    list_api_keys,
    revoke_api_key,
)
from tests.factories import event_payload, make_program, make_setup


def _post(client, key, body):
    return client.post("/api/v1/contacts", json=body, headers={"Authorization": f"Bearer {key}"})


def test_keys_are_checked_with_a_fast_keyed_hash(db, app):
    key, plaintext = create_api_key("crm")
    db.session.commit()
    assert (
        key.secret_hash.startswith("hmac-sha256$")
        and plaintext.split("_")[2] not in key.secret_hash
    )
    started = time.perf_counter()
    for _ in range(100):
        assert authenticate_api_key(plaintext) is not None
    assert time.perf_counter() - started < 1.0  # argon2 took about 0.25 s for each
    assert authenticate_api_key(plaintext[:-1] + ("A" if plaintext[-1] != "A" else "B")) is None
    app.config["API_KEY_HASH_KEY"], saved = "another-key", app.config["API_KEY_HASH_KEY"]
    try:
        assert authenticate_api_key(plaintext) is None  # the hash is keyed
    finally:
        app.config["API_KEY_HASH_KEY"] = saved


def test_an_argon2_key_still_works_and_is_rehashed_on_first_use(db):
    key, plaintext = create_api_key("old crm")
    key.secret_hash = PasswordHasher().hash(plaintext.split("_", 2)[2])
    db.session.commit()
    assert authenticate_api_key(plaintext) is key
    assert key.secret_hash.startswith("hmac-sha256$")
    assert authenticate_api_key(plaintext) is key


def test_revoked_keys_are_refused_and_listed_only_with_all(client, db):
    make_setup()
    _, plaintext = create_api_key("crm")
    db.session.commit()
    assert _post(client, plaintext, event_payload()).status_code == 201
    revoke_api_key("fbk_" + plaintext.split("_")[1])
    db.session.commit()
    refused = _post(client, plaintext, event_payload(2))
    assert refused.status_code == 401
    assert refused.json["error"]["message"] == "the API key is unknown or revoked"
    assert list_api_keys() == []
    assert [k.name for k in list_api_keys(include_revoked=True)] == ["crm"]


def test_a_scoped_key_is_refused_per_item_outside_its_programs(client, db):
    make_setup()  # program "passport"
    make_program("tax")
    _, plaintext = create_api_key("tax crm", ["tax"])
    db.session.commit()
    batch = {"events": [event_payload(1), event_payload(2, program="tax")]}
    response = _post(client, plaintext, batch)
    results = response.json["results"]
    assert results[0]["status"] == "rejected"
    assert results[0]["errors"] == {
        "program": "this API key may not send events for program 'passport'"
    }
    assert results[1]["status"] != "rejected", results[1]


def test_cli_create_list_revoke(app, db):
    make_program("tax")
    db.session.commit()
    runner = app.test_cli_runner()
    created = runner.invoke(args=["api-keys", "create", "--name", "tax crm", "--program", "tax"])
    assert created.exit_code == 0, created.output
    plaintext = created.output.strip()
    prefix = plaintext.split("_")[1]
    alias = runner.invoke(args=["create-api-key", "--name", "legacy"])
    assert alias.exit_code == 0 and alias.output.startswith("fbk_")

    listed = runner.invoke(args=["api-keys", "list"]).output
    assert f"fbk_{prefix}\ttax crm\tprograms=tax" in listed
    assert "legacy\tprograms=*" in listed and plaintext not in listed

    bad = runner.invoke(args=["api-keys", "create", "--name", "x", "--program", "nope"])
    assert bad.exit_code != 0 and "unknown program code(s): nope" in bad.output

    revoked = runner.invoke(args=["api-keys", "revoke", f"fbk_{prefix}"])
    assert revoked.exit_code == 0 and "revoked" in revoked.output
    db.session.expire_all()
    assert db.session.query(ApiKey).filter_by(prefix=prefix).one().revoked_at is not None
    assert "tax crm" not in runner.invoke(args=["api-keys", "list"]).output
    assert "revoked=" in runner.invoke(args=["api-keys", "list", "--all"]).output
    missing = runner.invoke(args=["api-keys", "revoke", "fbk_nothere"])
    assert missing.exit_code != 0 and "no API key" in missing.output
