"""REST API v1: contact events in, the OpenAPI description out."""

from __future__ import annotations

import logging
from typing import Any

from flask import Blueprint, Response, current_app, g, jsonify, request

from feedback.api.auth import require_api_key
from feedback.api.body import parse_json
from feedback.api.openapi import openapi_document
from feedback.contacts.services import ingest
from feedback.contacts.validation import Limits, current_limits
from feedback.errors import ApiError

bp = Blueprint("api", __name__, url_prefix="/api/v1")
log = logging.getLogger(__name__)


def _payloads(limits: Limits) -> tuple[list[Any], bool]:
    """The events of a request, and whether it was a batch."""
    if not request.is_json:
        raise ApiError(
            400, "invalid_json", "the body must be JSON (Content-Type: application/json)"
        )
    body = parse_json(request.get_data(cache=False), current_app.config["API_MAX_JSON_DEPTH"])
    if isinstance(body, dict) and "events" in body:
        events = body["events"]
        if not isinstance(events, list) or not events:
            raise ApiError(
                422,
                "invalid_batch",
                "events must be a non-empty list",
                {"events": "must be a non-empty list"},
            )
        if len(events) > limits.max_batch:
            raise ApiError(
                413,
                "batch_too_large",
                f"a batch holds at most {limits.max_batch} events",
                {"events": f"has {len(events)} items; the limit is {limits.max_batch}"},
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
    limits = current_limits()
    payloads, is_batch = _payloads(limits)
    results = ingest(payloads, api_key_id=g.api_key.id, limits=limits)
    if any(r.status == "created" and r.invitation and r.invitation.due_at for r in results):
        _kick_dispatch()
    if not is_batch:
        result = results[0]
        if result.status == "rejected":
            raise ApiError(422, "invalid_event", "the event has invalid fields", result.errors)
        if result.status == "conflict":
            raise ApiError(
                409,
                "conflict",
                "an event with this source and external_id was stored with other values",
                result.errors,
            )
        return jsonify(result.as_json()), 201 if result.status == "created" else 200
    body = {
        "accepted": sum(r.status in ("created", "duplicate") for r in results),
        "rejected": sum(r.status == "rejected" for r in results),
        "conflicts": sum(r.status == "conflict" for r in results),
        "results": [r.as_json() for r in results],
    }
    if body["accepted"] == 0:
        all_conflicts = body["conflicts"] == len(results)
        error = {
            "code": "conflict" if all_conflicts else "invalid_batch",
            "message": "every event conflicts with a stored one"
            if all_conflicts
            else "no event was accepted",
            "fields": {str(r.index): r.errors for r in results},
        }
        return jsonify({"error": error, **body}), 409 if all_conflicts else 422
    return jsonify(body), 200


@bp.get("/openapi.json")
def openapi() -> Response:
    return jsonify(openapi_document(current_limits(), current_app.config["PUBLIC_BASE_URL"]))
