"""CSV import under hostile files: each bad line is reported, every good line kept."""

from __future__ import annotations

import io

from sqlalchemy import func, select

from feedback.contacts.csv_import import import_csv
from feedback.contacts.models import ContactEvent
from tests.factories import make_setup

HEADER = (
    "source,external_id,program,contact_type,occurred_at,language,"
    "client_reference,client_email,client_phone,client_timezone,attr_region\n"
)


def _line(n: int, *, external_id: str | None = None, when: str = "2026-11-20T10:00:00-05:00"):
    ext = external_id if external_id is not None else f"A{n}"
    return f"desk,{ext},passport,visit,{when},fr,R{n},r{n}@example.org,,,Atlantic\n"


def test_nul_bad_utf8_future_dates_and_huge_fields_cost_only_their_line(app, db):
    make_setup()
    raw = (
        HEADER
        + _line(1)
        + _line(2, external_id="A\x002")
        + _line(3)
        + _line(4, when="9999-12-31T23:59:59+00:00")
        + _line(5)
    ).encode() + b"desk,A\xff6,passport,visit,2026-11-20T10:00:00-05:00,fr,R6,r6@example.org,,,\n"
    raw += b"desk,A7,passport,visit,2026-11-20T10:00:00Z,en,R7,r7@example.org,,," + b"x" * 200_000
    raw += ("\n" + _line(8)).encode()
    outcome = list(import_csv(io.BytesIO(raw)))
    statuses = {line: result.status for line, result in outcome}
    assert statuses == {
        2: "created",
        3: "rejected",
        4: "created",
        5: "rejected",
        6: "created",
        7: "rejected",
        8: "rejected",
        9: "created",
    }, [(line, r.status, r.errors) for line, r in outcome]
    assert db.session.scalar(select(func.count()).select_from(ContactEvent)) == 4


def test_a_changed_row_is_a_conflict(app, db):
    make_setup()
    list(import_csv(io.StringIO(HEADER + _line(1))))
    changed = _line(1).replace("visit", "call")
    [(line, result)] = list(import_csv(io.StringIO(HEADER + changed)))
    assert (line, result.status, set(result.errors)) == (2, "conflict", {"contact_type"})
