"""Messages as the SMTP sink stores them, for the outbox tests."""

from __future__ import annotations

import socket
from email.message import EmailMessage
from pathlib import Path

from feedback.devtools.smtp_sink import OutboxHandler


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def sample_message(subject: str, to: str = "client@example.ca") -> EmailMessage:
    message = EmailMessage()
    message["Subject"] = subject
    message["From"] = "Client feedback <no-reply@feedback.localhost>"
    message["To"] = to
    message["Date"] = "Sat, 03 May 2025 10:31:00 +0000"
    message.set_content(
        "Answer the questionnaire:\nhttp://survey.test/s/tok-123.\n\n"
        "To stop receiving feedback requests:\nhttp://survey.test/u/code-9\n"
    )
    message.add_alternative(
        '<!doctype html><html lang="en"><head><title>t</title></head><body>'
        '<a href="http://survey.test/s/tok-123">Answer &amp; go</a>'
        "<script>alert(1)</script></body></html>",
        subtype="html",
    )
    return message


def store(folder: Path, message: EmailMessage) -> Path:
    return OutboxHandler(folder).store(message.as_bytes())
