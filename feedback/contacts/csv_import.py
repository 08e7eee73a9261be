"""CSV import of contact events: the same validation and idempotency as the API."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from typing import IO, Any

from feedback.contacts.services import MAX_BATCH, IngestResult, ingest

REQUIRED_COLUMNS = (
    "source",
    "external_id",
    "program",
    "contact_type",
    "occurred_at",
    "language",
    "client_reference",
)
CLIENT_COLUMNS = {
    "client_reference": "reference",
    "client_email": "email",
    "client_phone": "phone",
    "client_timezone": "timezone",
}
ATTRIBUTE_PREFIX = "attr_"


class CsvFormatError(ValueError):
    """The file cannot be read as a contact-event CSV at all (not a row-level problem)."""


def row_to_event(row: dict[str, str]) -> dict[str, Any]:
    event: dict[str, Any] = {key: row.get(key) or None for key in REQUIRED_COLUMNS[:6]}
    event["client"] = {target: row.get(column) or None for column, target in CLIENT_COLUMNS.items()}
    event["attributes"] = {
        key[len(ATTRIBUTE_PREFIX) :]: value
        for key, value in row.items()
        if key and key.startswith(ATTRIBUTE_PREFIX) and value
    }
    return event


def _batches(reader: csv.DictReader) -> Iterator[list[tuple[int, dict[str, Any]]]]:
    batch: list[tuple[int, dict[str, Any]]] = []
    for row in reader:
        batch.append((reader.line_num, row_to_event(row)))
        if len(batch) == MAX_BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def import_csv(stream: IO[str], api_key_id: str | None = None) -> list[tuple[int, IngestResult]]:
    """Import every row; returns (line number, result) pairs. Each batch is committed."""
    reader = csv.DictReader(stream)
    missing = [c for c in REQUIRED_COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        raise CsvFormatError(f"missing columns: {', '.join(missing)}")
    outcome: list[tuple[int, IngestResult]] = []
    for batch in _batches(reader):
        results = ingest([event for _, event in batch], api_key_id)
        outcome.extend((line, result) for (line, _), result in zip(batch, results, strict=True))
    return outcome
