"""CSV import of contact events: the same validation and idempotency as the API."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from typing import IO, Any

from feedback.contacts.services import IngestResult, ingest
from feedback.contacts.validation import Limits, current_limits

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


Row = tuple[int, dict[str, Any] | str]


def _rows(reader: csv.DictReader) -> Iterator[Row]:
    """(line, event) pairs, or (line, why) for a record the csv module cannot read."""
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:  # an oversized field, a bad quote: that record only
            yield reader.line_num + 1, f"unreadable CSV record: {exc}"
            continue
        yield reader.line_num, row_to_event(row)


def _batches(rows: Iterator[Row], size: int) -> Iterator[list[Row]]:
    batch: list[Row] = []
    for row in rows:
        batch.append(row)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def _text_stream(stream: IO[str] | IO[bytes]) -> IO[str]:
    """Undecodable bytes become lone surrogates, which validation refuses field by field."""
    buffer = stream.buffer if isinstance(stream, io.TextIOWrapper) else None
    if buffer is None and isinstance(stream.read(0), bytes):
        buffer = stream
    if buffer is None:
        return stream  # type: ignore[return-value]
    return io.TextIOWrapper(buffer, encoding="utf-8-sig", errors="surrogateescape", newline="")  # type: ignore[arg-type]


def import_csv(
    stream: IO[str] | IO[bytes], api_key_id: str | None = None, chunk: int | None = None
) -> Iterator[tuple[int, IngestResult]]:
    """The (line number, result) of every row, as the rows are imported: `chunk` rows (the
    API's batch limit by default) at a time, each chunk stored as one batch and committed, so a
    file of any length is imported in constant memory. The header is checked at once
    (CsvFormatError).

    The API's rules and limits apply to each row alone: a bad row is reported by its line and
    the others are kept, whatever it holds (NUL, invalid UTF-8, an oversized field)."""
    limits = current_limits()
    reader = csv.DictReader(_text_stream(stream))
    try:
        fieldnames = reader.fieldnames or []
    except csv.Error as exc:
        raise CsvFormatError(f"unreadable header: {exc}") from exc
    missing = [c for c in REQUIRED_COLUMNS if c not in fieldnames]
    if missing:
        raise CsvFormatError(f"missing columns: {', '.join(missing)}")
    return _import(reader, api_key_id, limits, chunk or limits.max_batch)


def _import(
    reader: csv.DictReader, api_key_id: str | None, limits: Limits, chunk: int
) -> Iterator[tuple[int, IngestResult]]:
    for batch in _batches(_rows(reader), chunk):
        events = [event for _, event in batch if not isinstance(event, str)]
        stored = iter(ingest(events, api_key_id, limits) if events else [])
        for position, (line, event) in enumerate(batch):
            if isinstance(event, str):
                yield line, IngestResult(position, "rejected", errors={"": event})
            else:
                result = next(stored)
                result.index = position
                yield line, result
