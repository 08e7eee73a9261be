"""REST API v1: contact events in, the OpenAPI description out."""

from __future__ import annotations

import json
import logging
from importlib.resources import files
from typing import Any

from flask import Blueprint, Response, current_app, g, jsonify, request

from feedback.api.auth import require_api_key
from feedback.contacts.services import MAX_BATCH, ingest
from feedback.errors import ApiError

bp = Blueprint("api", __name__, url_prefix="/api/v1")
log = logging.getLogger(__name__)


def _payloads() -> tuple[list[Any], bool]:
    """The events of a request, and whether it was a batch."""
    body = request.get_json(silent=True)
    if body is None:
        raise ApiError(
            400, "invalid_json", "the body must be JSON (Content-Type: application/json)"
        )
    if isinstance(body, dict) and "events" in body:
        events = body["events"]
        if not isinstance(events, list) or not events:
            raise ApiError(
                422,
                "invalid_batch",
                "events must be a non-empty list",
                {"events": "must be a non-empty list"},
            )
        if len(events) > MAX_BATCH:
            raise ApiError(
                413,
                "batch_too_large",
                f"a batch holds at most {MAX_BATCH} events",
                {"events": f"has {len(events)} items; the limit is {MAX_BATCH}"},
            )
        return events, True
    return [body], False


def _kick_dispatch() -> None:
    """Ask a worker to dispatch now; if the broker is down the periodic sweep still will."""
    if not current_app.config.get("DISPATCH_ON_INGEST", True):
        return
    from feedback.invitations.tasks import dispatch_due

    try:
        dispatch_due.apply_async(retry=False)
    except Exception:  # broker unreachable: nothing is lost, the event is stored
        log.warning("broker unreachable; the periodic sweep will dispatch")


@bp.post("/contacts")
@require_api_key
def post_contacts() -> tuple[Response, int]:
    payloads, is_batch = _payloads()
    results = ingest(payloads, api_key_id=g.api_key.id)
    if any(r.status == "created" and r.event and r.event.invitation.due_at for r in results):
        _kick_dispatch()
    if not is_batch:
        result = results[0]
        if result.status == "rejected":
            raise ApiError(422, "invalid_event", "the event has invalid fields", result.errors)
        return jsonify(result.as_json()), 201 if result.status == "created" else 200
    body = {
        "accepted": sum(r.status != "rejected" for r in results),
        "rejected": sum(r.status == "rejected" for r in results),
        "results": [r.as_json() for r in results],
    }
    if body["accepted"] == 0:
        errors = {str(r.index): r.errors for r in results}
        return jsonify(
            {
                "error": {
                    "code": "invalid_batch",
                    "message": "no event was valid",
                    "fields": errors,
                },
                **body,
            }
        ), 422
    return jsonify(body), 200


@bp.get("/openapi.json")
def openapi() -> Response:
    spec = json.loads(files("feedback").joinpath("openapi.json").read_text(encoding="utf-8"))
    spec["servers"] = [{"url": current_app.config["PUBLIC_BASE_URL"] + "/api/v1"}]
    return jsonify(spec)
