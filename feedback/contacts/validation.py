"""Validation of incoming contact events: every bad field named, nothing guessed."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import phonenumbers
from email_validator import EmailNotValidError, validate_email

LANGUAGES = ("en", "fr")
DEFAULT_PHONE_REGION = "CA"


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


def _text(data: dict[str, Any], key: str, errors: dict[str, str], max_len: int) -> str:
    value = data.get(key)
    if value is None or (isinstance(value, str) and not value.strip()):
        errors[key] = "is required"
        return ""
    if not isinstance(value, str):
        errors[key] = "must be a string"
        return ""
    value = value.strip()
    if len(value) > max_len:
        errors[key] = f"must be at most {max_len} characters"
    return value


def _occurred_at(raw: Any, errors: dict[str, str]) -> datetime | None:
    if not isinstance(raw, str) or not raw:
        errors["occurred_at"] = "is required, as an ISO 8601 date-time with an offset"
        return None
    try:
        value = datetime.fromisoformat(raw)
    except ValueError:
        errors["occurred_at"] = "must be an ISO 8601 date-time, e.g. 2026-11-23T14:05:00-05:00"
        return None
    if value.tzinfo is None:
        errors["occurred_at"] = "must include a UTC offset or Z"
        return None
    return value


def _email(raw: Any, errors: dict[str, str]) -> str | None:
    if raw in (None, ""):
        return None
    if not isinstance(raw, str):
        errors["client.email"] = "must be a string"
        return None
    try:
        return validate_email(raw, check_deliverability=False).normalized
    except EmailNotValidError as exc:
        errors["client.email"] = f"is not a valid email address: {exc}"
        return None


def normalise_phone(raw: str, region: str = DEFAULT_PHONE_REGION) -> str:
    """E.164 form of a phone number; ValueError when it is not a valid number."""
    try:
        number = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException as exc:
        raise ValueError("is not a phone number") from exc
    if not phonenumbers.is_valid_number(number):
        raise ValueError("is not a valid phone number")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def _phone(raw: Any, errors: dict[str, str]) -> str | None:
    if raw in (None, ""):
        return None
    if not isinstance(raw, str):
        errors["client.phone"] = "must be a string"
        return None
    try:
        return normalise_phone(raw)
    except ValueError as exc:
        errors["client.phone"] = str(exc)
        return None


def _timezone(raw: Any, errors: dict[str, str]) -> str | None:
    if raw in (None, ""):
        return None
    try:
        ZoneInfo(str(raw))
    except (ZoneInfoNotFoundError, ValueError):
        errors["client.timezone"] = "must be an IANA time zone such as America/Toronto"
        return None
    return str(raw)


def validate_event(data: Any) -> tuple[CleanEvent | None, dict[str, str]]:
    """Return the cleaned event, or None and a mapping of field path to message."""
    if not isinstance(data, dict):
        return None, {"": "each event must be a JSON object"}
    errors: dict[str, str] = {}
    source = _text(data, "source", errors, 64)
    external_id = _text(data, "external_id", errors, 128)
    program = _text(data, "program", errors, 64)
    contact_type = _text(data, "contact_type", errors, 64)
    occurred_at = _occurred_at(data.get("occurred_at"), errors)
    language = data.get("language")
    if language not in LANGUAGES:
        errors["language"] = "must be 'en' or 'fr'"
    client = data.get("client")
    reference = ""
    email = phone = timezone = phone_error = None
    if not isinstance(client, dict):
        errors["client"] = "is required: an object with reference and email and/or phone"
    else:
        client_errors: dict[str, str] = {}
        reference = _text(client, "reference", client_errors, 128)
        errors.update({f"client.{k}": v for k, v in client_errors.items()})
        email = _email(client.get("email"), errors)
        phone_errors: dict[str, str] = {}
        phone = _phone(client.get("phone"), phone_errors)
        timezone = _timezone(client.get("timezone"), errors)
        if not client.get("email") and not client.get("phone"):
            errors["client"] = "needs an email and/or a phone"
        phone_error = phone_errors.get("client.phone")
    attributes = data.get("attributes", {})
    if not isinstance(attributes, dict) or not all(
        isinstance(v, str | int | float | bool) or v is None for v in attributes.values()
    ):
        errors["attributes"] = "must be an object of plain values"
        attributes = {}
    if phone_error and (errors or email is None):
        errors["client.phone"] = phone_error
    if errors:
        return None, errors
    assert occurred_at is not None
    return (
        CleanEvent(
            source=source,
            external_id=external_id,
            program=program,
            contact_type=contact_type,
            occurred_at=occurred_at,
            language=str(language),
            reference=reference,
            email=email,
            phone=phone,
            timezone=timezone,
            attributes=attributes,
            phone_error=phone_error,
        ),
        {},
    )
