"""The JSON Schema of a contact event: the validator runs it, the OpenAPI document publishes it.

One function builds it from the configured limits, so what the API describes and what it
accepts cannot drift apart. What a schema cannot say (a program that exists, an address
email-validator accepts, a number libphonenumber accepts, a real calendar date, the time window
of `occurred_at`) is checked after it and listed in `SEMANTIC_RULES`, which the OpenAPI document
quotes in its 422 description.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any
from zoneinfo import available_timezones

LANGUAGES = ("en", "fr")

#: Text a field may hold: no control characters (NUL included). JSON text is Unicode: a lone
#: surrogate escape ("\ud800") is refused too, by the validator (`validation.bad_text`), as
#: patterns cannot name surrogates portably.
_CONTROL = r"\x00-\x1f\x7f"
SAFE_TEXT = rf"^[^{_CONTROL}]*$"
#: The same, with at least one character that is not white space (surrounding space is trimmed).
#: NEL (U+0085) is named because ECMA-262's \s, which the fast validator follows, lacks it.
NON_BLANK_TEXT = rf"^[^{_CONTROL}]*[^\s\x85{_CONTROL}][^{_CONTROL}]*$"
#: RFC 3339 date-time with a mandatory offset, as `datetime.fromisoformat` reads it.
DATE_TIME = (
    r"^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])T([01][0-9]|2[0-3]):[0-5][0-9]"
    r"(:[0-5][0-9](\.[0-9]{1,6})?)?(Z|[+-]([01][0-9]|2[0-3]):[0-5][0-9])$"
)

SEMANTIC_RULES = (
    "`program` must be the code of a configured program",
    "`client.email` must be an address email-validator accepts (no quoted local part, "
    "no IP-literal or special-use domain)",
    "`client.phone` must be a number libphonenumber accepts (Canadian numbers may omit +1); "
    "an invalid phone is kept only when the event has an email and its rule falls back to email",
    "`occurred_at` must be a real calendar date within the configured window "
    "(CONTACT_MAX_AGE_DAYS in the past, CONTACT_MAX_FUTURE_MINUTES in the future)",
)


@dataclass(frozen=True)
class Limits:
    """Input limits, from the configuration (README, configuration table)."""

    max_batch: int = 1000
    max_attributes: int = 50
    max_attribute_key: int = 64
    max_attribute_value: int = 500
    max_age_days: int = 365
    max_future_minutes: int = 15

    @classmethod
    def from_config(cls, config: Any) -> Limits:
        return cls(
            max_batch=config.get("API_MAX_BATCH", cls.max_batch),
            max_attributes=config.get("CONTACT_MAX_ATTRIBUTES", cls.max_attributes),
            max_attribute_key=config.get("CONTACT_MAX_ATTRIBUTE_KEY", cls.max_attribute_key),
            max_attribute_value=config.get("CONTACT_MAX_ATTRIBUTE_VALUE", cls.max_attribute_value),
            max_age_days=config.get("CONTACT_MAX_AGE_DAYS", cls.max_age_days),
            max_future_minutes=config.get("CONTACT_MAX_FUTURE_MINUTES", cls.max_future_minutes),
        )


#: Column widths of `contact_events` (and of the client reference before hashing).
TEXT_FIELDS = {
    "source": 64,
    "external_id": 128,
    "program": 64,
    "contact_type": 64,
}
CLIENT_TEXT = ("reference", "email", "phone", "timezone")
REFERENCE_MAX = 128
EMAIL_MAX = 254
PHONE_MAX = 32
#: Largest magnitude of an attribute number: integers beyond it lose precision in JSON readers.
NUMBER_MAX = 2**53 - 1


@lru_cache(maxsize=1)
def timezones() -> tuple[str, ...]:
    return tuple(sorted(available_timezones()))


def _text(max_length: int, message: str, **extra: Any) -> dict[str, Any]:
    return {
        "type": "string",
        "minLength": 1,
        "maxLength": max_length,
        "pattern": NON_BLANK_TEXT,
        "x-message": message,
        **extra,
    }


def _optional(schema: dict[str, Any]) -> dict[str, Any]:
    """Absent, null or "" all mean "not given"."""
    return {"anyOf": [{"type": "null"}, {"const": ""}, schema]}


def event_schema(limits: Limits) -> dict[str, Any]:
    text_message = "must be non-blank text without control characters"
    client = {
        "type": "object",
        "description": 'At least one of email and phone is required (null or "" is absent).',
        "required": ["reference"],
        "properties": {
            "reference": _text(
                REFERENCE_MAX,
                text_message,
                description="The department's client identifier; stored only as a keyed hash.",
                examples=["C-123"],
            ),
            "email": _optional(
                {
                    "type": "string",
                    "format": "email",
                    "maxLength": EMAIL_MAX,
                    "pattern": SAFE_TEXT,
                    "x-message": "must be an email address",
                    "examples": ["client@example.org"],
                }
            ),
            "phone": _optional(
                {
                    "type": "string",
                    "maxLength": PHONE_MAX,
                    "pattern": SAFE_TEXT,
                    "x-message": "must be a phone number",
                    "description": "Any common format; normalised to E.164.",
                    "examples": ["+1 613 555 0199"],
                }
            ),
            "timezone": _optional(
                {
                    "type": "string",
                    "enum": list(timezones()),
                    "x-message": "must be an IANA time zone such as America/Toronto",
                    "description": "IANA zone, used for quiet hours.",
                }
            ),
        },
        "anyOf": [
            {"required": ["email"], "properties": {"email": {"type": "string", "minLength": 1}}},
            {"required": ["phone"], "properties": {"phone": {"type": "string", "minLength": 1}}},
        ],
        "x-message": "needs an email and/or a phone",
    }
    attribute_value = {
        "anyOf": [
            {"type": "string", "maxLength": limits.max_attribute_value, "pattern": SAFE_TEXT},
            {"type": "number", "minimum": -NUMBER_MAX, "maximum": NUMBER_MAX},
            {"type": "boolean"},
            {"type": "null"},
        ],
        "x-message": (
            f"must be text of at most {limits.max_attribute_value} characters, "
            f"a number within ±{NUMBER_MAX}, true, false or null"
        ),
    }
    return {
        "type": "object",
        "required": [*TEXT_FIELDS, "occurred_at", "language", "client"],
        "properties": {
            "source": _text(64, text_message, examples=["call-centre"]),
            "external_id": _text(
                128,
                text_message,
                description="Unique within source; the pair makes the request idempotent.",
                examples=["CALL-2026-000123"],
            ),
            "program": _text(
                64, text_message, description="Code of a configured program.", examples=["passport"]
            ),
            "contact_type": _text(64, text_message, examples=["call"]),
            "occurred_at": {
                "type": "string",
                "format": "date-time",
                "pattern": DATE_TIME,
                "x-message": "must be an ISO 8601 date-time with an offset, "
                "e.g. 2026-11-23T14:05:00-05:00",
                "description": (
                    "RFC 3339 with an offset or Z; within CONTACT_MAX_AGE_DAYS before now and "
                    "CONTACT_MAX_FUTURE_MINUTES after."
                ),
                "examples": ["2026-11-23T14:05:00-05:00"],
            },
            "language": {"enum": list(LANGUAGES), "x-message": "must be 'en' or 'fr'"},
            "client": client,
            "attributes": {
                "type": "object",
                "description": "Plain values reporting can group by (region, client group).",
                "maxProperties": limits.max_attributes,
                "propertyNames": {
                    "minLength": 1,
                    "maxLength": limits.max_attribute_key,
                    "pattern": SAFE_TEXT,
                    "x-message": f"keys must be 1 to {limits.max_attribute_key} characters "
                    "without control characters",
                },
                "additionalProperties": attribute_value,
                "x-message": (
                    f"must be an object of at most {limits.max_attributes} plain values, "
                    f"keys of 1 to {limits.max_attribute_key} characters"
                ),
                "examples": [{"region": "Atlantic"}],
            },
            "events": False,
        },
        "description": "Other keys are ignored, except `events` (which makes a batch).",
        "examples": [
            {
                "source": "call-centre",
                "external_id": "CALL-0001",
                "program": "passport",
                "contact_type": "call",
                "occurred_at": "2026-11-23T09:30:00-05:00",
                "language": "fr",
                "client": {
                    "reference": "C-123",
                    "email": "client@example.org",
                    "timezone": "America/Toronto",
                },
                "attributes": {"region": "Atlantic"},
            }
        ],
    }
