"""The development outbox for text messages: one JSON file per text, in OUTBOX_DIR/sms/.

In development an SMS plugin without provider credentials writes here instead of calling the
provider, and records the replies a developer posts to its webhook, so that the outbox pages
(/dev/sms) show each conversation as the client's phone would.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from feedback.sms.segments import SegmentCount, count_segments

SMS_FOLDER = "sms"
TEXT_NAME = re.compile(r"^\d{8}T\d{12}Z-[0-9a-f]{8}\.json$")
OUTGOING = "out"
INCOMING = "in"


@dataclass(frozen=True)
class OutboxText:
    name: str
    direction: str  # "out" (to the client) or "in" (from the client)
    channel: str
    number: str
    body: str
    at: datetime

    @property
    def count(self) -> SegmentCount:
        return count_segments(self.body)


@dataclass(frozen=True)
class Thread:
    number: str
    texts: list[OutboxText]  # oldest first, as a phone shows them

    @property
    def last_at(self) -> datetime:
        return self.texts[-1].at


def sms_folder(outbox_dir: str | Path) -> Path:
    return Path(outbox_dir) / SMS_FOLDER


def record_text(
    outbox_dir: str | Path, *, direction: str, channel: str, number: str, body: str
) -> str:
    """Write one text atomically (a hidden temporary file, then a rename); returns its name."""
    folder = sms_folder(outbox_dir)
    folder.mkdir(parents=True, exist_ok=True)
    now = datetime.now(UTC)
    name = f"{now:%Y%m%dT%H%M%S%f}Z-{secrets.token_hex(4)}.json"
    record = {
        "direction": direction,
        "channel": channel,
        "number": number,
        "body": body,
        "at": now.isoformat(),
    }
    fd, temp = tempfile.mkstemp(dir=folder, prefix=".incoming-", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as stream:
            json.dump(record, stream, ensure_ascii=False)
        os.replace(temp, folder / name)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
    return name


def _read(path: Path) -> OutboxText:
    record = json.loads(path.read_text(encoding="utf-8"))
    return OutboxText(
        name=path.name,
        direction=record["direction"],
        channel=record["channel"],
        number=record["number"],
        body=record["body"],
        at=datetime.fromisoformat(record["at"]),
    )


def list_texts(outbox_dir: str | Path) -> list[OutboxText]:
    """Every text, oldest first (the names sort by time of writing)."""
    folder = sms_folder(outbox_dir)
    if not folder.is_dir():
        return []
    names = sorted(entry.name for entry in folder.iterdir() if TEXT_NAME.match(entry.name))
    return [_read(folder / name) for name in names]


def threads(outbox_dir: str | Path) -> list[Thread]:
    """The texts grouped by the client's number, the most recently active first."""
    by_number: dict[str, list[OutboxText]] = {}
    for text in list_texts(outbox_dir):
        by_number.setdefault(text.number, []).append(text)
    found = [Thread(number, items) for number, items in by_number.items()]
    return sorted(found, key=lambda thread: thread.last_at, reverse=True)
