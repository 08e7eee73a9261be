"""Reading the development outbox: the .eml files the SMTP sink wrote."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import cast

from feedback.devtools.smtp_sink import MESSAGE_NAME

LINK = re.compile(r"https?://[^\s<>\"'()]+")


@dataclass(frozen=True)
class OutboxMessage:
    name: str
    message: EmailMessage

    @property
    def subject(self) -> str:
        return str(self.message.get("Subject", ""))

    @property
    def to(self) -> str:
        return str(self.message.get("To", ""))

    @property
    def date(self) -> datetime | None:
        raw = self.message.get("Date")
        try:
            return parsedate_to_datetime(str(raw)) if raw else None
        except (TypeError, ValueError):
            return None

    def body(self, subtype: str) -> str:
        part = self.message.get_body(preferencelist=(subtype,))
        if part is None or part.get_content_subtype() != subtype:
            return ""
        return str(part.get_content())

    @property
    def text(self) -> str:
        return self.body("plain")

    @property
    def html(self) -> str:
        return self.body("html")

    @property
    def links(self) -> list[str]:
        """The links of the text part, in order, without repeats."""
        return list(dict.fromkeys(match.rstrip(".,;:") for match in LINK.findall(self.text)))

    @property
    def headers(self) -> list[tuple[str, str]]:
        return [(key, str(value)) for key, value in self.message.items()]


def _read(path: Path) -> OutboxMessage:
    with path.open("rb") as stream:
        # with policy.default the parser builds EmailMessage objects
        message = cast(EmailMessage, BytesParser(policy=policy.default).parse(stream))
    return OutboxMessage(path.name, message)


def list_messages(folder: Path) -> list[OutboxMessage]:
    """Every message, newest first (the sink's names sort by arrival)."""
    if not folder.is_dir():
        return []
    names = sorted(
        (entry.name for entry in folder.iterdir() if MESSAGE_NAME.match(entry.name)),
        reverse=True,
    )
    return [_read(folder / name) for name in names]


def get_message(folder: Path, name: str) -> OutboxMessage | None:
    """One message by name; any name the sink could not have written is refused."""
    if not MESSAGE_NAME.match(name):
        return None
    path = folder / name
    if not path.is_file():
        return None
    return _read(path)


def with_links_in_new_tab(html: str) -> str:
    """The message's HTML with <base target="_blank">, so a click leaves the sandboxed frame."""
    base = '<base target="_blank">'
    head = re.search(r"<head\b[^>]*>", html, re.IGNORECASE)
    if head:
        return html[: head.end()] + base + html[head.end() :]
    return base + html
