"""Validation of incoming contact events: every bad field named, nothing guessed.

The shape (types, lengths, characters, required fields) is checked by the event's JSON Schema
(`schema.py`, the same one the OpenAPI document publishes); then the rules a schema cannot state.
A value that is not plain JSON (a non-finite number from the API's parser, an object of another
type) fails the schema like any other wrong type: nothing here raises on what a client sends.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import Any

import jsonschema_rs
import phonenumbers
from email_validator import SPECIAL_USE_DOMAIN_NAMES, EmailNotValidError, validate_email
from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError

from feedback.contacts.schema import CLIENT_TEXT, LANGUAGES, TEXT_FIELDS, Limits, event_schema
from feedback.db_types import utcnow

__all__ = ["LANGUAGES", "CleanEvent", "Limits", "normalise_phone", "validate_event"]

DEFAULT_PHONE_REGION = "CA"
_TYPE_NAMES = {
    "object": "an object",
    "string": "a string",
    "number": "a number",
    "integer": "a whole number",
    "boolean": "true or false",
    "array": "a list",
    "null": "null",
}


@dataclass
class CleanEvent:
    source: str
    external_id: str
    program: str
    contact_type: str
    occurred_at: datetime
    language: str
    reference: str
    email: str | None
    phone: str | None
    timezone: str | None
    attributes: dict[str, Any] = field(default_factory=dict)
    #: Why the phone given was refused, when the event is kept anyway because it also has an
    #: email: ingest then asks the distribution rule whether it falls back to email.
    phone_error: str | None = None


def _strip(data: dict[str, Any], key: str) -> str:
    """A text field the schema has already checked (or "" when it was refused)."""
    value = data.get(key)
    return value.strip() if isinstance(value, str) else ""


def parse_occurred_at(raw: str, limits: Limits, now: datetime) -> tuple[datetime | None, str]:
    """The instant of a schema-valid `occurred_at`, or why it is refused."""
    try:
        value = datetime.fromisoformat(raw)
        instant = value.astimezone(UTC)
    except (ValueError, OverflowError):
        return None, "must be a real date-time, e.g. 2026-11-23T14:05:00-05:00"
    if instant < now - timedelta(days=limits.max_age_days):
        return None, f"must be at most {limits.max_age_days} days in the past"
    if instant > now + timedelta(minutes=limits.max_future_minutes):
        return None, f"must be at most {limits.max_future_minutes} minutes in the future"
    return value, ""


def normalise_phone(raw: str, region: str = DEFAULT_PHONE_REGION) -> str:
    """E.164 form of a phone number; ValueError when it is not a valid number."""
    try:
        number = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException as exc:
        raise ValueError("is not a phone number") from exc
    if not phonenumbers.is_valid_number(number):
        raise ValueError("is not a valid phone number")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


@lru_cache(maxsize=8)
def _validator(limits: Limits) -> Draft202012Validator:
    return Draft202012Validator(event_schema(limits))


@lru_cache(maxsize=8)
def _fast_validator(limits: Limits) -> jsonschema_rs.Draft202012Validator:
    """The same schema in jsonschema-rs (compiled, about 100 times faster): it only says
    whether an event is valid. An invalid one is checked again by `jsonschema` for the errors,
    so what a client is told never depends on it; the tests hold that it accepts nothing that
    `jsonschema` refuses (tests/contacts/test_fast_validation.py)."""
    return jsonschema_rs.Draft202012Validator(event_schema(limits), validate_formats=False)


def _fast_valid(data: dict[str, Any], limits: Limits) -> bool:
    try:
        return bool(_fast_validator(limits).is_valid(data))
    except (ValueError, UnicodeError):  # not convertible (a lone surrogate, a key not text)
        return False


def current_limits() -> Limits:
    from flask import current_app

    return Limits.from_config(current_app.config)


def _path(parts: Any) -> str:
    return ".".join(str(part) for part in parts)


def _message(error: ValidationError) -> str:
    schema = error.schema if isinstance(error.schema, dict) else {}
    if error.validator == "type":
        expected = error.validator_value
        names = [expected] if isinstance(expected, str) else list(expected)
        return "must be " + " or ".join(_TYPE_NAMES.get(n, n) for n in names)
    if error.validator == "maxLength":
        return f"must be at most {error.validator_value} characters"
    if error.validator == "maxProperties":
        return f"must have at most {error.validator_value} keys"
    if "x-message" in schema:
        return str(schema["x-message"])
    for member in schema.get("anyOf", ()):
        if isinstance(member, dict) and "x-message" in member:
            return str(member["x-message"])
    if error.validator is False or schema is False:
        return "is not allowed here"
    return "is not valid"


def _schema_errors(data: dict[str, Any], limits: Limits) -> dict[str, str]:
    """What is wrong with an event by the schema and :func:`bad_text` ({} when nothing is).

    An event the fast validator accepts is valid, and holds no text that :func:`bad_text`
    refuses: the schema's patterns refuse control characters in every text field it reads, and
    a lone surrogate anywhere makes the fast validator refuse the event (both held by
    tests/contacts/test_fast_validation.py)."""
    if _fast_valid(data, limits):
        return {}
    errors: dict[str, str] = {}
    for error in _validator(limits).iter_errors(data):
        base = list(error.absolute_path)
        if error.validator == "required":
            instance = error.instance if isinstance(error.instance, dict) else {}
            for name in error.validator_value:
                if name not in instance:
                    errors.setdefault(_path([*base, name]), "is required")
            continue
        if "propertyNames" in error.schema_path:
            base.append("<key>")
        path = _path(base)
        if error.validator is False or error.schema is False:
            errors.setdefault(path, "is not allowed in a single event")
        else:
            errors.setdefault(path, _message(error))
    return {**errors, **bad_text(data)}


_BAD_TEXT = re.compile(r"[\x00-\x1f\x7f\ud800-\udfff]")


def bad_text(data: dict[str, Any]) -> dict[str, str]:
    """Text fields holding a control character or a lone surrogate (which JSON Schema patterns
    cannot express portably; Python's `$` would also let a trailing newline through)."""
    message = "must be text without control characters or lone surrogates"
    found: dict[str, str] = {}
    client = data.get("client") if isinstance(data.get("client"), dict) else {}
    fields = [(key, data.get(key)) for key in TEXT_FIELDS]
    fields += [(f"client.{key}", client.get(key)) for key in CLIENT_TEXT]
    attributes = data.get("attributes") if isinstance(data.get("attributes"), dict) else {}
    for name, value in attributes.items():
        if isinstance(name, str) and _BAD_TEXT.search(name):
            found["attributes.<key>"] = message
        fields.append((f"attributes.{name}", value))
    texts = [(path, value) for path, value in fields if isinstance(value, str)]
    if not found and not _BAD_TEXT.search("".join(value for _, value in texts)):
        return found  # the usual case: one search over all the texts, none per field
    for path, value in texts:
        if _BAD_TEXT.search(value):
            found[path] = message
    return found


#: The common shape of an address: an ASCII dot-atom and a host name of ASCII labels under an
#: alphabetic top-level domain. Such an address, unless reserved, too long or Punycode
#: (:func:`_plain_email`), is one that email-validator accepts and normalises by lower-casing
#: its domain: this spares it the cost of email-validator (some 60 µs an address). Held
#: against email-validator by tests/contacts/test_fast_validation.py.
_PLAIN_EMAIL = re.compile(
    r"(?P<local>[A-Za-z0-9_%+-]{1,64}(?:\.[A-Za-z0-9_%+-]{1,64})*)"
    r"@(?P<domain>(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63})"
)


_SPECIAL_USE = frozenset(SPECIAL_USE_DOMAIN_NAMES)


def _plain_email(raw: str) -> str | None:
    """The normalised form of an address of the common shape, else None (email-validator
    then decides)."""
    found = _PLAIN_EMAIL.fullmatch(raw)
    if found is None or len(found["local"]) > 64 or len(raw) > 254:
        return None
    domain = found["domain"].lower()
    labels = domain.split(".")
    if any(label[2:4] == "--" for label in labels):
        return None  # Punycode, or a label email-validator refuses
    if any(".".join(labels[start:]) in _SPECIAL_USE for start in range(len(labels))):
        return None  # a special-use domain or one under it
    return f"{found['local']}@{domain}"


def _email(raw: Any, errors: dict[str, str]) -> str | None:
    if not isinstance(raw, str) or not raw or "client.email" in errors:
        return None
    plain = _plain_email(raw)
    if plain is not None:
        return plain
    try:
        return validate_email(raw, check_deliverability=False).normalized
    except EmailNotValidError as exc:
        errors["client.email"] = f"is not a valid email address: {exc}"
        return None


def _phone(raw: Any, errors: dict[str, str]) -> tuple[str | None, str | None]:
    """The E.164 number, or why it was refused (kept apart: an email may make up for it)."""
    if not isinstance(raw, str) or not raw or "client.phone" in errors:
        return None, None
    try:
        return normalise_phone(raw), None
    except ValueError as exc:
        return None, str(exc)


def validate_event(
    data: Any, limits: Limits | None = None, now: datetime | None = None
) -> tuple[CleanEvent | None, dict[str, str]]:
    """Return the cleaned event, or None and a mapping of field path to message."""
    if not isinstance(data, dict):
        return None, {"": "each event must be a JSON object"}
    limits = limits or current_limits()
    errors = _schema_errors(data, limits)
    texts = {key: _strip(data, key) for key in TEXT_FIELDS}
    occurred_at = None
    if "occurred_at" not in errors:
        occurred_at, problem = parse_occurred_at(data["occurred_at"], limits, now or utcnow())
        if problem:
            errors["occurred_at"] = problem
    attributes = data.get("attributes")
    if isinstance(attributes, dict) and "attributes" not in errors:
        for name, value in attributes.items():
            if isinstance(value, float) and not math.isfinite(value):
                errors[f"attributes.{name}"] = "must be a finite number"
    client = data.get("client") if isinstance(data.get("client"), dict) else {}
    email = _email(client.get("email"), errors)
    phone, phone_error = _phone(client.get("phone"), errors)
    timezone = client.get("timezone") or None
    if phone_error and (errors or email is None):
        errors["client.phone"] = phone_error
    if errors:
        return None, errors
    assert occurred_at is not None
    return (
        CleanEvent(
            source=texts["source"],
            external_id=texts["external_id"],
            program=texts["program"],
            contact_type=texts["contact_type"],
            occurred_at=occurred_at,
            language=str(data["language"]),
            reference=_strip(client, "reference"),
            email=email,
            phone=phone,
            timezone=timezone,
            attributes=dict(data.get("attributes") or {}),
            phone_error=phone_error,
        ),
        {},
    )
