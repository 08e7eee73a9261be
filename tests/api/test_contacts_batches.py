"""POST /api/v1/contacts with large batches: set-based storage (a few statements whatever the
batch's size), every bad item answered at its index, repeats within a batch, and concurrent
clients sending the same events."""

from __future__ import annotations

import threading
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import event as sa_event
from sqlalchemy import func, select

from feedback.accounts.services import create_api_key
from feedback.contacts.models import ContactEvent
from feedback.db_types import utcnow
from feedback.extensions import db as _db
from feedback.invitations.models import Invitation, InvitationTransition
from tests.factories import event_payload, make_api_key, make_program, make_setup


def _post(client: FlaskClient, key: str, body: object):
    return client.post("/api/v1/contacts", json=body, headers={"Authorization": f"Bearer {key}"})


def _count(model: type) -> int:
    return _db.session.scalar(select(func.count()).select_from(model))


def _events(n: int, start: int = 0) -> list[dict[str, Any]]:
    return [event_payload(start + i) for i in range(n)]


def test_a_batch_with_every_kind_of_bad_item_keeps_each_good_one(client, db):
    make_setup()
    make_program("other")
    db.session.commit()
    _, key = create_api_key("passport only", programs=["passport"])
    db.session.commit()
    assert _post(client, key, event_payload(90)).status_code == 201  # stored before
    changed = event_payload(90, contact_type="visit")
    bad_phone = event_payload(7)
    bad_phone["client"] = {"reference": "r7", "phone": "123"}
    phone_no_fallback = event_payload(8)
    phone_no_fallback["client"]["phone"] = "123"  # with an email, but the rule has no fallback
    bad_email = event_payload(9)
    bad_email["client"]["email"] = "not-an-email"
    batch: list[Any] = [
        event_payload(1),  # 0 good
        5,  # 1 not an object
        {"source": 1, "external_id": ["x"]},  # 2 wrong types
        event_payload(3, program="nope"),  # 3 unknown program
        event_payload(4, program="other"),  # 4 out of the key's scope
        event_payload(5),  # 5 good
        bad_phone,  # 6
        phone_no_fallback,  # 7
        bad_email,  # 8
        event_payload(10, external_id="x" * 129),  # 9 too long
        event_payload(11, occurred_at="2026-02-30T10:00:00Z"),  # 10 not a date
        event_payload(12, occurred_at=utcnow().replace(year=1999).isoformat()),  # 11 too old
        event_payload(1),  # 12 repeats item 0: duplicate
        event_payload(1, language="fr"),  # 13 repeats item 0 with another body: conflict
        changed,  # 14 conflicts with the stored event
        event_payload(90),  # 15 the stored event again: duplicate
        event_payload(16),  # 16 good
    ]
    response = _post(client, key, {"events": batch})
    assert response.status_code == 200, response.json
    body = response.json
    results = body["results"]
    assert [r["index"] for r in results] == list(range(len(batch)))
    statuses = [r["status"] for r in results]
    assert statuses == [
        "created",
        "rejected",
        "rejected",
        "rejected",
        "rejected",
        "created",
        "rejected",
        "rejected",
        "rejected",
        "rejected",
        "rejected",
        "rejected",
        "duplicate",
        "conflict",
        "conflict",
        "duplicate",
        "created",
    ]
    errors = {i: r.get("errors", {}) for i, r in enumerate(results)}
    assert errors[1] == {"": "each event must be a JSON object"}
    assert {"source", "external_id", "program"} <= set(errors[2])
    assert errors[3] == {"program": "unknown program 'nope'"}
    assert errors[4] == {"program": "this API key may not send events for program 'other'"}
    assert set(errors[6]) == {"client.phone"} and set(errors[7]) == {"client.phone"}
    assert set(errors[8]) == {"client.email"}
    assert errors[9] == {"external_id": "must be at most 128 characters"}
    assert set(errors[10]) == set(errors[11]) == {"occurred_at"}
    assert set(errors[13]) == {"language"} and set(errors[14]) == {"contact_type"}
    # Repeats answer with the event (and invitation) they repeat.
    assert results[12]["event_id"] == results[13]["event_id"] == results[0]["event_id"]
    assert results[12]["invitation"] == results[0]["invitation"]
    assert results[14]["event_id"] == results[15]["event_id"]
    assert results[15]["invitation"]["status"] == "scheduled"
    assert (body["accepted"], body["rejected"], body["conflicts"]) == (5, 10, 2)
    assert _count(ContactEvent) == _count(Invitation) == _count(InvitationTransition) == 4


def test_the_answer_matches_what_is_stored(client, db):
    make_setup()
    key = make_api_key()
    body = _post(client, key, {"events": _events(3)}).json
    for result in body["results"]:
        invitation = db.session.get(Invitation, result["invitation"]["id"])
        assert invitation.event_id == result["event_id"]
        assert result["invitation"] == {
            "id": invitation.id,
            "status": invitation.status.value,
            "reason": invitation.reason,
            "channel": invitation.channel,
            "due_at": invitation.due_at.isoformat(),
        }
    again = _post(client, key, {"events": _events(3)}).json
    assert [r["invitation"] for r in again["results"]] == [r["invitation"] for r in body["results"]]


def test_fatigue_counts_an_earlier_event_of_the_same_batch(client, db):
    make_setup()
    key = make_api_key()
    same_client = [event_payload(1), event_payload(2), event_payload(3)]
    same_client[1]["client"] = dict(same_client[0]["client"])
    results = _post(client, key, {"events": same_client}).json["results"]
    assert [(r["invitation"]["status"], r["invitation"]["reason"]) for r in results] == [
        ("scheduled", None),
        ("skipped", "fatigue"),
        ("scheduled", None),
    ]


def test_statements_do_not_grow_with_the_batch(app: Flask, client, db):
    """Storing a batch takes the same few statements for 10 events as for 300."""
    make_setup()
    key = make_api_key()
    _post(client, key, event_payload(0))  # the key's first use is written once a minute
    counted: list[str] = []

    def count(_conn, _cursor, statement, *_args) -> None:
        counted.append(statement)

    sa_event.listen(db.engine, "before_cursor_execute", count)
    try:
        sizes = {}
        for start, size in ((100, 10), (1000, 300)):
            counted.clear()
            assert _post(client, key, {"events": _events(size, start)}).status_code == 200
            sizes[size] = len(counted)
        counted.clear()
        _post(client, key, {"events": _events(300, 1000)})  # every one a duplicate
        duplicates = len(counted)
    finally:
        sa_event.remove(db.engine, "before_cursor_execute", count)
    assert sizes[10] == sizes[300] <= 10, sizes
    assert duplicates <= 6, duplicates


def test_concurrent_clients_sending_the_same_batch_store_each_event_once(app: Flask, db):
    """Eight clients post the same 1,000 events at once: 1,000 events, 1,000 invitations
    (ON CONFLICT DO NOTHING; only the request that inserted an event plans its invitation)."""
    make_setup()
    key = make_api_key()
    batch = {"events": _events(1000)}
    db.session.remove()
    answers: list[dict[str, Any]] = []
    errors: list[BaseException] = []
    start = threading.Barrier(8)

    def post() -> None:
        try:
            client = app.test_client()
            start.wait(timeout=30)
            response = _post(client, key, batch)
            assert response.status_code == 200, response.json
            answers.append(response.json)
        except BaseException as exc:  # surfaced below
            errors.append(exc)

    threads = [threading.Thread(target=post) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    assert not errors, errors
    assert len(answers) == 8
    assert _count(ContactEvent) == _count(Invitation) == _count(InvitationTransition) == 1000
    created = [sum(r["status"] == "created" for r in a["results"]) for a in answers]
    assert sum(created) == 1000, created
    for answer in answers:
        assert {r["status"] for r in answer["results"]} <= {"created", "duplicate"}
        ids = [r["invitation"]["id"] for r in answer["results"]]
        assert ids == [r["invitation"]["id"] for r in answers[0]["results"]]
