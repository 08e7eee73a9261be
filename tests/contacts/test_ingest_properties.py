"""Properties of ingest and the CSV import under arbitrary input (hypothesis): nothing escapes,
every valid item is stored exactly once whatever its neighbours hold."""

from __future__ import annotations

import csv
import io
import os
import uuid
from datetime import UTC, timedelta, timezone
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from feedback.contacts.csv_import import import_csv
from feedback.contacts.models import ContactEvent
from feedback.contacts.services import ingest
from feedback.db_types import utcnow
from tests.factories import make_setup

SETTINGS = settings(
    # 30 in the suite; `make fuzz` (FEEDBACK_FUZZ_EXAMPLES=5000) runs 500.
    max_examples=int(os.environ.get("FEEDBACK_FUZZ_EXAMPLES", "300")) // 10,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
NASTY = st.sampled_from(
    ["", " ", "\x00", "\ud800", "a\udfffb", "9" * 400, "x" * 5000, "\u202e", "0001-01-01T00:00Z"]
)
ANY_TEXT = st.one_of(st.text(max_size=40), NASTY)
JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats()  # NaN and infinities included: a direct caller can pass them
    | ANY_TEXT,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(ANY_TEXT, children, max_size=4)
    ),
    max_leaves=12,
)
SAFE = st.text(
    st.characters(blacklist_categories=("Cc", "Cs", "Zs", "Zl", "Zp")), min_size=1, max_size=20
)


@st.composite
def valid_events(draw: st.DrawFn, tag: str) -> dict[str, Any]:
    offset = timezone(timedelta(minutes=draw(st.integers(-12 * 60, 14 * 60))))
    occurred = utcnow() - timedelta(minutes=draw(st.integers(0, 60 * 24 * 300)))
    client: dict[str, Any] = {"reference": draw(SAFE)}
    contact = draw(st.sampled_from(["email", "phone", "both"]))
    if contact != "phone":
        client["email"] = draw(st.sampled_from(["a@example.org", "Ünïcode@example.com"]))
    if contact != "email":
        client["phone"] = draw(st.sampled_from(["(613) 555-0199", "+33 1 42 68 53 00"]))
    client["timezone"] = draw(st.sampled_from([None, "", "America/Toronto", "UTC"]))
    return {
        "source": draw(st.sampled_from(["crm", "desk"])),
        "external_id": f"ok-{tag}-{uuid.uuid4()}",
        "program": "passport",
        "contact_type": draw(SAFE),
        "occurred_at": occurred.astimezone(offset).isoformat(),
        "language": draw(st.sampled_from(["en", "fr"])),
        "client": client,
        "attributes": draw(
            st.dictionaries(
                SAFE,
                st.none() | st.booleans() | st.integers(-(2**53) + 1, 2**53 - 1) | SAFE,
                max_size=5,
            )
        ),
    }


@st.composite
def junk(draw: st.DrawFn) -> Any:
    """Arbitrary JSON, or a valid event with one field replaced by arbitrary JSON."""
    if draw(st.booleans()):
        return draw(JSON)
    event = draw(valid_events("junk"))
    path = draw(
        st.sampled_from(
            [
                ("external_id",),
                ("occurred_at",),
                ("contact_type",),
                ("attributes",),
                ("client",),
                ("client", "email"),
                ("client", "phone"),
                ("client", "timezone"),
                ("attributes", "k"),
            ]
        )
    )
    target = event
    for part in path[:-1]:
        target = target[part]
    target[path[-1]] = draw(JSON)
    return event


def _stored(source: str, external_id: str) -> int:
    from feedback.extensions import db

    return db.session.scalar(
        select(func.count())
        .select_from(ContactEvent)
        .where(ContactEvent.source == source, ContactEvent.external_id == external_id)
    )


@SETTINGS
@given(data=st.data())
def test_ingest_keeps_every_valid_item_once_whatever_else_is_sent(app, db, data):
    if _stored_programs() == 0:
        make_setup()
    valid = data.draw(st.lists(valid_events("api"), max_size=4))
    bad = data.draw(st.lists(junk(), max_size=4))
    batch = data.draw(st.permutations(valid + bad))
    results = ingest(batch)
    assert [r.index for r in results] == list(range(len(batch)))
    for result, item in zip(results, batch, strict=True):
        assert result.status in ("created", "duplicate", "conflict", "rejected")
        if any(item is event for event in valid):
            assert result.status == "created", result.errors
    for event in valid:
        assert _stored(event["source"], event["external_id"]) == 1


def _stored_programs() -> int:
    from feedback.extensions import db
    from feedback.programs.models import Program

    return db.session.scalar(select(func.count()).select_from(Program))


COLUMNS = [
    "source",
    "external_id",
    "program",
    "contact_type",
    "occurred_at",
    "language",
    "client_reference",
    "client_email",
    "client_phone",
    "client_timezone",
    "attr_region",
]


def _row(event: dict[str, Any]) -> list[str]:
    client = event["client"]
    return [
        event["source"],
        event["external_id"],
        event["program"],
        event["contact_type"],
        event["occurred_at"],
        event["language"],
        client["reference"],
        client.get("email") or "",
        client.get("phone") or "",
        client.get("timezone") or "",
        str(next(iter(event["attributes"].values()), "") or ""),
    ]


@SETTINGS
@given(data=st.data())
def test_csv_import_keeps_every_valid_row_once_whatever_else_is_in_the_file(app, db, data):
    if _stored_programs() == 0:
        make_setup()
    valid = [
        {**event, "attributes": {}}
        for event in data.draw(st.lists(valid_events("csv"), min_size=1, max_size=4))
    ]
    bad_rows = data.draw(st.lists(st.lists(ANY_TEXT, max_size=14), max_size=4))
    rows = data.draw(st.permutations([_row(e) for e in valid] + bad_rows))
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(COLUMNS)
    writer.writerows(rows)
    buffer.seek(0)
    outcome = list(import_csv(buffer))
    assert len(outcome) <= len(rows)  # blank lines are no records
    for event in valid:
        assert _stored(event["source"], event["external_id"]) == 1


def test_strategies_produce_valid_events(app, db):
    """Guard: the valid-event strategy really is valid (else the properties prove little)."""
    from feedback.contacts.validation import validate_event

    @SETTINGS
    @given(valid_events("check"))
    def check(event: dict[str, Any]) -> None:
        clean, errors = validate_event(event)
        assert clean is not None, errors
        assert clean.occurred_at.astimezone(UTC) <= utcnow()

    check()
