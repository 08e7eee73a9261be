"""Fixtures of the email plugin's tests: an app (no database needed) and real SMTP servers.

These tests live with the plugin, outside tests/, so they build their own app instead of
using tests/conftest.py; the folder has no __init__.py, so test module names must stay unique.
"""

from __future__ import annotations

import socket
import ssl
import subprocess
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session
from flask import Flask

from feedback.channels import Invitation
from feedback.channels.testing import plugin_test_app, sample_invitation

SURVEY_URL = "http://survey.test/s/tok_0123456789abcdefghijklmnopqrstuvwxyzABCDEF"
UNSUBSCRIBE_URL = "http://survey.test/u/unsub-code-123"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class RecordingHandler:
    """Keeps every accepted message; can be told to refuse RCPT or DATA with a given reply."""

    rcpt_reply: str | None = None
    data_reply: str | None = None
    received: list[Envelope] = field(default_factory=list)
    sessions: list[Session] = field(default_factory=list)

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: list
    ) -> str:
        if self.rcpt_reply:
            return self.rcpt_reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        if self.data_reply:
            return self.data_reply
        self.received.append(envelope)
        self.sessions.append(session)
        return "250 Message accepted"


@dataclass
class SmtpServer:
    handler: RecordingHandler
    host: str
    port: int
    login: str = ""
    password: str = ""


@pytest.fixture(scope="session")
def app(tmp_path_factory: pytest.TempPathFactory) -> Flask:
    return plugin_test_app(tmp_path_factory.mktemp("email-plugin"), {})


@pytest.fixture()
def app_context(app: Flask) -> Iterator[Flask]:
    with app.app_context():
        yield app


@pytest.fixture()
def smtp_server() -> Iterator[SmtpServer]:
    handler = RecordingHandler()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        yield SmtpServer(handler, "127.0.0.1", controller.port)
    finally:
        controller.stop()


@pytest.fixture(scope="session")
def self_signed_cert(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1, made with the openssl command (no Python crypto library)."""
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "2",
            "-subj",
            "/CN=127.0.0.1",
            "-addext",
            "subjectAltName=IP:127.0.0.1,DNS:localhost",
            "-keyout",
            str(key),
            "-out",
            str(cert),
        ],
        check=True,
        capture_output=True,
    )
    return cert, key


@pytest.fixture()
def make_invitation() -> Callable[..., Invitation]:
    def make(**overrides: Any) -> Invitation:
        values: dict[str, Any] = {
            "id": "3f2a9c1e-0000-4000-8000-000000000001",
            "email": "client@example.ca",
            "phone": None,
            "survey_url": SURVEY_URL,
            "unsubscribe_url": UNSUBSCRIBE_URL,
            "expires_at": datetime(2025, 5, 3, 10, 31, tzinfo=UTC),
        }
        return sample_invitation(**{**values, **overrides})

    return make


@pytest.fixture()
def unused_port() -> int:
    return free_port()


SMTP_LOGIN = "feedback-sender"
SMTP_PASSWORD = "pw-Zq8!never-shown"


def _authenticate(
    server: SMTP, session: Session, envelope: Envelope, mechanism: str, data: Any
) -> AuthResult:
    expected = (SMTP_LOGIN.encode(), SMTP_PASSWORD.encode())
    ok = isinstance(data, LoginPassword) and (data.login, data.password) == expected
    return AuthResult(success=ok, handled=False)


@pytest.fixture()
def tls_smtp_server(
    self_signed_cert: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> Iterator[SmtpServer]:
    """A server that requires STARTTLS, then AUTH with SMTP_LOGIN / SMTP_PASSWORD.

    The client trusts its certificate the way an operator would trust a private CA: through
    OpenSSL's SSL_CERT_FILE, read by ssl.create_default_context().
    """
    cert, key = self_signed_cert
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    monkeypatch.setenv("SSL_CERT_FILE", str(cert))
    handler = RecordingHandler()
    controller = Controller(
        handler,
        hostname="127.0.0.1",
        port=free_port(),
        tls_context=context,
        require_starttls=True,
        auth_required=True,
        authenticator=_authenticate,
    )
    controller.start()
    try:
        yield SmtpServer(handler, "127.0.0.1", controller.port, SMTP_LOGIN, SMTP_PASSWORD)
    finally:
        controller.stop()
