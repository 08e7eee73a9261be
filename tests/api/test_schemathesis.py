"""The OpenAPI document is the contract: schemathesis holds the running app (in-process WSGI) to it.

Positive cases (schema-valid requests) must be accepted whole: 201, or 200 with every item of a
batch accepted. Negative cases (schema-invalid) must be refused: 4xx, or a 200 batch in which the
invalid items are refused by index (the documented partial acceptance). Every response: no 5xx,
a documented status, a body and headers matching their schemas.

The served document is narrowed here in four places, each a rule the document states in words
because a schema cannot (its 422 description, `contacts.schema.SEMANTIC_RULES`): `program` to the
program this test configures (an unknown program is a documented 422, not a malformed request),
`occurred_at` to a recent date (the time window moves with the clock), `client.email` and
`client.phone` to values the email and phone libraries accept. The app runs with API_MAX_BATCH=5
(the document follows the setting) to keep batches, and the run, short.

FEEDBACK_FUZZ_EXAMPLES sets the cases per generation mode (default 500: 1,000 in all); `make fuzz`
runs 5,000 of each.
"""

from __future__ import annotations

import copy
import json
import os
import uuid
from datetime import timedelta
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from feedback.db_types import utcnow
from tests.factories import make_api_key, make_setup

EXAMPLES = int(os.environ.get("FEEDBACK_FUZZ_EXAMPLES", "500"))
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
]


def narrowed(spec: dict[str, Any]) -> dict[str, Any]:
    spec = copy.deepcopy(spec)
    event = spec["components"]["schemas"]["ContactEvent"]["properties"]
    event["program"] = {"const": "passport"}
    day = (utcnow() - timedelta(days=2)).date().isoformat()
    event["occurred_at"] = {
        "type": "string",
        "pattern": f"^{day}T([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9](\\.[0-9]{{1,6}})?)?"
        "(Z|[+-](0[0-9]|1[01]):[0-5][0-9])$",
    }
    client = event["client"]["properties"]
    client["email"]["anyOf"][2] = {"type": "string", "pattern": "^[a-z]{1,12}@example\\.org$"}
    client["phone"]["anyOf"][2] = {
        "type": "string",
        "enum": ["+1 613 555 0199", "(613) 555-0100", "+33 1 42 68 53 00"],
    }
    return spec


@pytest.fixture()
def api(app, db, monkeypatch) -> tuple[Any, str]:
    make_setup()
    key = make_api_key()
    monkeypatch.setitem(app.config, "API_MAX_BATCH", 5)
    monkeypatch.setitem(app.config, "DISPATCH_ON_INGEST", False)  # no broker round trip per case
    spec = app.test_client().get("/api/v1/openapi.json").json
    schema = schemathesis.openapi.from_dict(narrowed(spec))
    schema.app = app
    return schema, key


def _unique_keys(body: Any) -> None:
    """Generated keys repeat ("0", "0"): with other values that is a documented 409, not a
    refusal of valid data; each positive case gets keys of its own."""
    items = body["events"] if isinstance(body, dict) and "events" in body else [body]
    for item in items:
        if isinstance(item, dict):
            item["external_id"] = str(uuid.uuid4())


def _accepted_whole(response: Any) -> bool:
    if response.status_code == 201:
        return True
    if response.status_code != 200:
        return False
    body = json.loads(response.content)
    return "results" not in body or (body["rejected"], body["conflicts"]) == (0, 0)


def _refused(response: Any) -> bool:
    if 400 <= response.status_code < 500:
        return True
    body = json.loads(response.content) if response.status_code == 200 else {}
    return any(r["status"] in ("rejected", "conflict") for r in body.get("results", []))


def _run(schema: Any, key: str, mode: GenerationMode) -> None:
    operation = schema["/contacts"]["POST"]
    seen: dict[int, int] = {}
    auth = {"Authorization": f"Bearer {key}"}  # given, so negative cases negate the body only

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy(generation_mode=mode, headers=auth))
    def run(case: Any) -> None:
        if mode is GenerationMode.POSITIVE:
            _unique_keys(case.body)
        response = case.call()
        seen[response.status_code] = seen.get(response.status_code, 0) + 1
        case.validate_response(response, checks=CHECKS)
        if mode is GenerationMode.POSITIVE:
            assert _accepted_whole(response), (case.body, response.content[:2000])
        else:
            assert _refused(response), f"{case.body!r} {case.meta!r} -> {response.content[:300]!r}"

    run()
    print(f"{mode.value}: {sum(seen.values())} cases, statuses {dict(sorted(seen.items()))}")


def test_valid_requests_are_accepted_as_described(api):
    _run(*api, GenerationMode.POSITIVE)


def test_invalid_requests_are_refused_as_described(api):
    _run(*api, GenerationMode.NEGATIVE)


def test_the_description_itself_is_served_as_described(api):
    schema, _key = api
    operation = schema["/openapi.json"]["GET"]

    @settings(max_examples=5, deadline=None, database=None)
    @given(case=operation.as_strategy())
    def run(case: Any) -> None:
        case.call_and_validate(checks=CHECKS)

    run()
