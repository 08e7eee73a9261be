"""The OpenAPI 3.1 description of the API, built from the schema the validator runs.

The event's schema and every limit come from `contacts.schema` and the configuration, so the
document served at /api/v1/openapi.json is exactly what this deployment accepts;
tests/api/test_schemathesis.py holds the running app to it.
"""

from __future__ import annotations

from typing import Any

from feedback.contacts.schema import SEMANTIC_RULES, Limits, event_schema
from feedback.invitations.models import InvitationStatus

RESULT_STATUSES = ("created", "duplicate", "conflict", "rejected")


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _json(schema: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"content": {"application/json": {"schema": schema, **extra}}}


def _error(description: str, schema: dict[str, Any] | None = None, **extra: Any) -> dict:
    return {"description": description, **_json(schema or _ref("Error")), **extra}


def openapi_document(limits: Limits, public_base_url: str) -> dict[str, Any]:
    semantic = "; ".join(SEMANTIC_RULES)
    batch_error = {"allOf": [_ref("Error"), _ref("BatchResult")]}
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "feedback API",
            "version": "1.1.0",
            "description": (
                "Contact events in: each stored before anything else, then surveyed according "
                "to the program's distribution rules. Errors are JSON "
                '{"error": {"code", "message", "fields"}}. A method a path does not offer is '
                "answered 405 with an `Allow` header; a missing or refused key 401 with "
                "`WWW-Authenticate: Bearer`."
            ),
        },
        "servers": [{"url": public_base_url + "/api/v1"}],
        "security": [{"apiKey": []}],
        "paths": {
            "/contacts": {
                "post": {
                    "operationId": "postContacts",
                    "summary": f"Send one contact event, or a batch of up to {limits.max_batch}",
                    "description": (
                        "Idempotent: the same source + external_id with the same values yields "
                        "the same event and invitation (200, status `duplicate`), never a second "
                        "invitation; with other values it is a conflict (409, the differing "
                        "fields named; contact details are not compared). In a batch each item "
                        "is validated and stored alone: valid items are kept, each other item is "
                        "reported by index with status `rejected` (its fields and why) or "
                        "`conflict` (the fields that differ). Besides this schema, " + semantic
                    ),
                    "requestBody": {
                        "required": True,
                        "content": {
                            "application/json": {
                                "schema": {"oneOf": [_ref("ContactEvent"), _ref("Batch")]},
                                "examples": {
                                    "one": {"value": event_schema(limits)["examples"][0]},
                                    "batch": {
                                        "value": {"events": event_schema(limits)["examples"]}
                                    },
                                },
                            }
                        },
                    },
                    "responses": {
                        "201": {
                            "description": "Event stored (single event)",
                            **_json(_ref("Result")),
                        },
                        "200": {
                            "description": (
                                "Duplicate of a stored event (single), or a batch with at least "
                                "one item accepted (created or duplicate)"
                            ),
                            **_json({"oneOf": [_ref("Result"), _ref("BatchResult")]}),
                        },
                        "400": _error("The body is not JSON (or not sent as application/json)"),
                        "401": _error(
                            "Missing, unknown or revoked API key",
                            headers={
                                "WWW-Authenticate": {
                                    "description": "Bearer",
                                    "required": True,
                                    "schema": {"type": "string", "pattern": "^Bearer"},
                                }
                            },
                        ),
                        "409": _error(
                            "The single event, or every event of the batch, conflicts with one "
                            "stored under the same source and external_id: `fields` names what "
                            "differs (per index in a batch)",
                            {"anyOf": [_ref("Error"), batch_error]},
                        ),
                        "413": _error(
                            f"The body is over MAX_CONTENT_LENGTH bytes, or the batch over "
                            f"{limits.max_batch} events"
                        ),
                        "422": _error(
                            "The event is invalid (`fields`: field path to message), the batch "
                            "has no item accepted (`fields`: index to such an object, with the "
                            "results), or the JSON nests too deep. Besides the schema: " + semantic,
                            {"anyOf": [_ref("Error"), batch_error]},
                        ),
                        "429": _error("Too many requests for this key (RATELIMIT_API)"),
                    },
                }
            },
            "/openapi.json": {
                "get": {
                    "operationId": "getOpenApi",
                    "summary": "This description",
                    "security": [],
                    "responses": {
                        "200": {
                            "description": "The OpenAPI document",
                            **_json({"type": "object"}),
                        },
                        "429": _error("Too many requests (RATELIMIT_API)"),
                    },
                }
            },
        },
        "components": {
            "securitySchemes": {
                "apiKey": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "A key made with `feedback create-api-key --name ...`",
                }
            },
            "schemas": {
                "ContactEvent": event_schema(limits),
                "Batch": {
                    "type": "object",
                    "required": ["events"],
                    "properties": {
                        "events": {
                            "type": "array",
                            "minItems": 1,
                            "maxItems": limits.max_batch,
                            "items": _ref("ContactEvent"),
                            "description": (
                                "Each item is validated alone: items that are not valid events "
                                "are rejected by index and the others kept (422 only if none "
                                "is accepted)."
                            ),
                        }
                    },
                },
                "Invitation": {
                    "type": "object",
                    "required": ["id", "status", "reason", "channel", "due_at"],
                    "properties": {
                        "id": {"type": "string", "format": "uuid"},
                        "status": {"enum": [s.value for s in InvitationStatus]},
                        "reason": {
                            "type": ["string", "null"],
                            "description": (
                                "Why it was skipped, failed or rescheduled (no_rule, "
                                "not_sampled, fatigue, opted_out, no_contact_details, "
                                "channel_unavailable, stale_event, ...)."
                            ),
                        },
                        "channel": {"type": ["string", "null"]},
                        "due_at": {"type": ["string", "null"], "format": "date-time"},
                    },
                },
                "Result": {
                    "type": "object",
                    "required": ["index", "status"],
                    "properties": {
                        "index": {"type": "integer", "minimum": 0},
                        "status": {
                            "enum": list(RESULT_STATUSES),
                            "description": (
                                "`conflict`: stored before with other values (`errors` names "
                                "them, `event_id` is the stored event)."
                            ),
                        },
                        "event_id": {"type": "string", "format": "uuid"},
                        "invitation": _ref("Invitation"),
                        "errors": {
                            "type": "object",
                            "description": 'Field path to message ("" for the item itself).',
                            "additionalProperties": {"type": "string"},
                        },
                    },
                },
                "BatchResult": {
                    "type": "object",
                    "required": ["accepted", "rejected", "conflicts", "results"],
                    "properties": {
                        "accepted": {"type": "integer", "minimum": 0},
                        "rejected": {"type": "integer", "minimum": 0},
                        "conflicts": {"type": "integer", "minimum": 0},
                        "results": {"type": "array", "items": _ref("Result")},
                    },
                },
                "Error": {
                    "type": "object",
                    "required": ["error"],
                    "properties": {
                        "error": {
                            "type": "object",
                            "required": ["code", "message", "fields"],
                            "properties": {
                                "code": {"type": "string", "examples": ["invalid_event"]},
                                "message": {"type": "string"},
                                "fields": {
                                    "type": "object",
                                    "description": (
                                        "Field path (e.g. client.email) to message; in a batch, "
                                        "item index to such an object."
                                    ),
                                },
                            },
                        }
                    },
                },
            },
        },
    }
