"""Development SMTP sink: accepts every message and keeps it as a .eml file in OUTBOX_DIR.

Nothing is relayed. The outbox pages (/dev/outbox) read the files back.
"""

from __future__ import annotations

import os
import re
import secrets
import signal
import tempfile
import threading
from datetime import UTC, datetime
from pathlib import Path
from types import FrameType

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

#: Names the sink gives its files, and the only names the outbox pages accept.
MESSAGE_NAME = re.compile(r"^\d{8}T\d{12}Z-[0-9a-f]{8}\.eml$")


def new_message_name(now: datetime | None = None) -> str:
    """<UTC timestamp to the microsecond>-<random>.eml: sorting by name sorts by arrival."""
    now = now or datetime.now(UTC)
    return f"{now:%Y%m%dT%H%M%S%f}Z-{secrets.token_hex(4)}.eml"


class OutboxHandler:
    """aiosmtpd handler writing each message atomically: a hidden temp file, then a rename."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)

    def store(self, content: bytes) -> Path:
        target = self.folder / new_message_name()
        fd, temp = tempfile.mkstemp(dir=self.folder, prefix=".incoming-", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as stream:
                stream.write(content)
            os.replace(temp, target)
        except BaseException:
            Path(temp).unlink(missing_ok=True)
            raise
        return target

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        content = envelope.original_content or b""
        self.store(content)
        return "250 Message accepted for delivery"


def start_sink(host: str, port: int, folder: Path) -> Controller:
    """Start the sink in a background thread; the caller stops it with .stop()."""
    controller = Controller(OutboxHandler(folder), hostname=host, port=port, enable_SMTPUTF8=True)
    controller.start()
    return controller


def serve_forever(host: str, port: int, folder: Path) -> None:
    """Run the sink until SIGINT (Ctrl-C) or SIGTERM."""
    stop = threading.Event()

    def request_stop(signum: int, frame: FrameType | None) -> None:
        stop.set()

    previous = {sig: signal.signal(sig, request_stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    controller = start_sink(host, port, folder)
    try:
        stop.wait()
    finally:
        controller.stop()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
