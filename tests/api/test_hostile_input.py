"""A hostile client: one bad item never costs the others, limits answer 413/422, never 5xx."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select

from feedback.contacts.models import ContactEvent
from feedback.db_types import utcnow
from tests.factories import event_payload, make_api_key, make_setup


def _post_raw(client: FlaskClient, key: str, raw: bytes | str):
    return client.post(
        "/api/v1/contacts",
        data=raw.encode("utf-8") if isinstance(raw, str) else raw,
        content_type="application/json",
        headers={"Authorization": f"Bearer {key}"},
    )


def _count() -> int:
    from feedback.extensions import db

    return db.session.scalar(select(func.count()).select_from(ContactEvent))


def _batch_with_bad_third(bad_json: str) -> str:
    """Five events as JSON text, the third replaced by `bad_json` (raw, so NaN etc. survive)."""
    items = [json.dumps(event_payload(n)) for n in range(5)]
    items[2] = bad_json
    return '{"events": [' + ", ".join(items) + "]}"


def _with(field: str, raw_value: str) -> str:
    """Event 2 as JSON text with `field` (top level or attributes.x) set to raw JSON text."""
    payload = event_payload(2)
    marker = "__RAW__"
    if field.startswith("attributes."):
        payload["attributes"] = {field.split(".", 1)[1]: marker}
    else:
        payload[field] = marker
    return json.dumps(payload).replace(f'"{marker}"', raw_value)


BAD_ITEMS = {
    "nul in external_id": (_with("external_id", '"call\\u0000-2"'), "external_id"),
    "nul in contact_type": (_with("contact_type", '"ca\\u0000ll"'), "contact_type"),
    "year 9999": (_with("occurred_at", '"9999-12-31T23:59:59+00:00"'), "occurred_at"),
    "year 1 with offset": (_with("occurred_at", '"0001-01-01T00:00:00+05:00"'), "occurred_at"),
    "1e400": (_with("attributes.size", "1e400"), "attributes.size"),
    "NaN": (_with("attributes.size", "NaN"), "attributes.size"),
    "Infinity": (_with("attributes.size", "-Infinity"), "attributes.size"),
    "huge integer": (_with("attributes.size", "9" * 5000), "attributes.size"),
    "lone surrogate": (_with("external_id", '"\\ud800"'), "external_id"),
    "surrogate in attribute key": (
        json.dumps(event_payload(2)).replace(
            '"language"', '"attributes": {"\\udfff": 1}, "language"'
        ),
        "attributes.<key>",
    ),
    "nested attribute": (_with("attributes.deep", '{"a": [1]}'), "attributes.deep"),
    "not an object": ("[1, 2]", ""),
}


@pytest.mark.parametrize("case", sorted(BAD_ITEMS))
def test_one_bad_item_is_rejected_and_the_other_four_kept(client, db, case):
    make_setup()
    key = make_api_key()
    bad, field = BAD_ITEMS[case]
    response = _post_raw(client, key, _batch_with_bad_third(bad))
    assert response.status_code == 200, response.json
    body = response.json
    assert (body["accepted"], body["rejected"]) == (4, 1)
    assert [r["status"] for r in body["results"]] == ["created"] * 2 + ["rejected"] + [
        "created"
    ] * 2
    assert field in body["results"][2]["errors"], body["results"][2]
    assert _count() == 4


def test_the_same_bad_event_alone_is_422_not_500(client, db):
    make_setup()
    key = make_api_key()
    for bad, field in BAD_ITEMS.values():
        response = _post_raw(client, key, bad)
        assert response.status_code == 422, (bad[:80], response.json)
        assert field in response.json["error"]["fields"]
    assert _count() == 0


def test_json_nested_5000_deep_is_422(client, db):
    key = make_api_key()
    response = _post_raw(client, key, "[" * 5000 + "]" * 5000)
    assert response.status_code == 422
    assert response.json["error"]["code"] == "too_deep"
    # Brackets inside strings do not count.
    fine = event_payload(1, attributes={"note": "[[[[[[[[[[[[[[[[[[[[[[[[[["})
    assert _post_raw(client, key, json.dumps(fine)).status_code in (201, 422)


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("[" * 17 + "]" * 17, "too_deep"),  # JSON, one level deeper than the limit (16)
        ('{"events": [' + '{"a": [' * 8 + "1" + "]}" * 8 + "]}", "too_deep"),
        ("[" * 16 + "]" * 16, "invalid_event"),  # at the limit: read, then not an event
        ('{"x": "' + "[" * 40 + '"}', "invalid_event"),  # brackets in a string do not nest
        ("[" * 17, "too_deep"),  # not JSON, and too deep: said as too deep
        ("[" * 16, "invalid_json"),
    ],
)
def test_the_depth_is_judged_the_same_whether_the_body_parses_or_not(client, db, raw, code):
    key = make_api_key()
    response = _post_raw(client, key, raw)
    assert response.json["error"]["code"] == code, response.json


def test_a_body_over_max_content_length_is_413_json(app, client, db):
    key = make_api_key()
    response = _post_raw(client, key, b'{"events": ["' + b"x" * (10 * 1024 * 1024) + b'"]}')
    assert response.status_code == 413
    assert response.json["error"]["code"] == "request_entity_too_large"
    assert str(app.config["MAX_CONTENT_LENGTH"]) in response.json["error"]["message"]


def test_attributes_are_limited_in_number_and_size(app, client, db):
    make_setup()
    key = make_api_key()
    limit = app.config["CONTACT_MAX_ATTRIBUTES"]
    too_many = event_payload(1, attributes={f"k{i}": i for i in range(limit + 1)})
    too_long = event_payload(2, attributes={"note": "x" * 501})
    long_key = event_payload(3, attributes={"k" * 65: 1})
    response = _post_raw(client, key, json.dumps({"events": [too_many, too_long, long_key]}))
    assert response.status_code == 422
    fields = response.json["error"]["fields"]
    assert "attributes" in fields["0"]
    assert "attributes.note" in fields["1"]
    assert "attributes.<key>" in fields["2"]
    assert _count() == 0


def test_occurred_at_must_be_within_the_window(app, client, db):
    make_setup()
    key = make_api_key()
    now = utcnow()
    future = event_payload(1, occurred_at=(now + timedelta(days=365 * 3)).isoformat())
    past = event_payload(2, occurred_at=(now - timedelta(days=366)).isoformat())
    soon = event_payload(3, occurred_at=(now + timedelta(minutes=5)).isoformat())
    body = _post_raw(client, key, json.dumps({"events": [future, past, soon]})).json
    assert [r["status"] for r in body["results"]] == ["rejected", "rejected", "created"]
    assert "future" in body["results"][0]["errors"]["occurred_at"]
    assert "past" in body["results"][1]["errors"]["occurred_at"]


def test_same_key_with_another_body_is_409_with_the_differences(client, db):
    make_setup()
    key = make_api_key()
    assert _post_raw(client, key, json.dumps(event_payload(1))).status_code == 201
    changed = event_payload(1, contact_type="visit", attributes={"region": "North"})
    response = _post_raw(client, key, json.dumps(changed))
    assert response.status_code == 409
    assert response.json["error"]["code"] == "conflict"
    assert set(response.json["error"]["fields"]) == {"contact_type", "attributes"}
    # The same instant written in another offset is the same event.
    same = event_payload(1, occurred_at="2026-11-20T10:00:00-05:00")
    assert _post_raw(client, key, json.dumps(same)).status_code == 200
    # In a batch: that item is a conflict, by index; the others are kept.
    batch = {"events": [event_payload(2), changed]}
    body = _post_raw(client, key, json.dumps(batch)).json
    assert [r["status"] for r in body["results"]] == ["created", "conflict"]
    assert body["conflicts"] == 1 and "contact_type" in body["results"][1]["errors"]
    assert _count() == 2
    only_conflicts = _post_raw(client, key, json.dumps({"events": [changed]}))
    assert only_conflicts.status_code == 409


def test_401_says_bearer_and_405_says_allow(client, db):
    response = client.post("/api/v1/contacts", json=event_payload())
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    wrong = client.get("/api/v1/contacts")
    assert wrong.status_code == 405
    assert "POST" in wrong.headers["Allow"]
    assert wrong.json["error"]["code"] == "method_not_allowed"


def test_openapi_lists_every_invitation_status_and_error(client):
    from feedback.invitations.models import InvitationStatus

    spec = client.get("/api/v1/openapi.json").json
    schemas = spec["components"]["schemas"]
    assert set(schemas["Invitation"]["properties"]["status"]["enum"]) == {
        s.value for s in InvitationStatus
    }
    responses = spec["paths"]["/contacts"]["post"]["responses"]
    assert {"401", "409", "413", "422"} <= set(responses)
    assert "WWW-Authenticate" in responses["401"]["headers"]
