"""Fixtures: an app on SQLite or on TEST_DATABASE_URL, the schema built by the migrations,
tables emptied after each test, and a real Celery worker process when a test asks for one."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from feedback.devtools.supervisor import worker_command
from feedback.extensions import db as _db
from tests.apps import migrated_app

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL", "")
TEST_BROKER_URL = os.environ.get("TEST_BROKER_URL", "")


def pytest_report_header(config: pytest.Config) -> list[str]:
    database = (
        make_url(TEST_DATABASE_URL).render_as_string(hide_password=True)
        if TEST_DATABASE_URL
        else "SQLite (TEST_DATABASE_URL not set)"
    )
    broker = TEST_BROKER_URL or "kombu filesystem transport (TEST_BROKER_URL not set)"
    return [f"feedback database: {database}", f"feedback worker broker: {broker}"]


def _prepare_postgres(url: str) -> None:
    """Create the test database if missing, and start from an empty schema."""
    parsed = make_url(url)
    admin = create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        exists = conn.scalar(
            text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": parsed.database}
        )
        if not exists:
            conn.execute(text(f'CREATE DATABASE "{parsed.database}"'))
    admin.dispose()
    engine = create_engine(parsed)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    if TEST_DATABASE_URL:
        _prepare_postgres(TEST_DATABASE_URL)
        return TEST_DATABASE_URL
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'feedback.db'}"


@pytest.fixture(scope="session")
def app(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Flask:
    return migrated_app(database_url, tmp_path_factory.mktemp("instance"), {})


@pytest.fixture()
def db(app: Flask) -> Iterator[object]:
    with app.app_context():
        yield _db
        _db.session.remove()
        with _db.engine.begin() as conn:
            for table in reversed(_db.metadata.sorted_tables):
                conn.execute(table.delete())


@pytest.fixture()
def client(app: Flask, db: object) -> FlaskClient:
    return app.test_client()


class SmtpInbox:
    """A real SMTP server (aiosmtpd) on a free local port that keeps what it receives."""

    def __init__(self) -> None:
        from aiosmtpd.controller import Controller

        self.messages: list[bytes] = []
        inbox = self

        class Handler:
            async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd API
                inbox.messages.append(envelope.content)
                return "250 OK"

        self.controller = Controller(Handler(), hostname="127.0.0.1", port=_free_port())

    @property
    def port(self) -> int:
        return self.controller.port

    def wait_for(self, count: int, timeout: float = 60) -> list[bytes]:
        import time

        deadline = time.monotonic() + timeout
        while len(self.messages) < count and time.monotonic() < deadline:
            time.sleep(0.1)
        assert len(self.messages) >= count, f"{len(self.messages)} of {count} emails in {timeout}s"
        return self.messages


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture()
def smtp_inbox() -> Iterator[SmtpInbox]:
    inbox = SmtpInbox()
    inbox.controller.start()
    yield inbox
    inbox.controller.stop()


class Worker:
    def __init__(self, broker_url: str, env: dict[str, str]) -> None:
        self.broker_url = broker_url
        self.env = env

    def send_task(self, name: str, *args: object) -> None:
        """Enqueue a task by name on the worker's broker, as the web process would."""
        from celery import Celery

        from feedback.config import filesystem_broker_options

        options = {}
        if self.broker_url.startswith("filesystem://"):
            options = filesystem_broker_options(Path(self.env["BROKER_FOLDER"]))
        sender = Celery(broker=self.broker_url, set_as_current=False)
        sender.conf.broker_transport_options = options
        sender.conf.task_serializer = "json"
        sender.send_task(name, args=list(args))


@pytest.fixture()
def celery_worker_process(
    app: Flask, database_url: str, smtp_inbox: SmtpInbox, tmp_path: Path
) -> Iterator[Worker]:
    """A real `celery worker -B` process on the test database and the test broker."""
    import subprocess
    import time

    broker = TEST_BROKER_URL or "filesystem://"
    env = {
        **os.environ,
        "FEEDBACK_ENV": "testing",
        "SECRET_KEY": app.config["SECRET_KEY"],
        "CLIENT_HASH_KEY": app.config["CLIENT_HASH_KEY"],
        "DATABASE_URL": database_url,
        "CELERY_BROKER_URL": broker,
        "BROKER_FOLDER": str(tmp_path / "broker"),
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": str(smtp_inbox.port),
        "PUBLIC_BASE_URL": app.config["PUBLIC_BASE_URL"],
        "REPORTS_DIR": app.config["REPORTS_DIR"],
        "REPORT_MIN_CELL": "1",
        "DISPATCH_INTERVAL_SECONDS": "1",
    }
    log_path = tmp_path / "worker.log"
    with open(log_path, "w") as log:
        process = subprocess.Popen(
            worker_command("INFO", "--schedule", str(tmp_path / "beat-schedule")),
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 60
        while "ready." not in log_path.read_text() and time.monotonic() < deadline:
            assert process.poll() is None, log_path.read_text()
            time.sleep(0.2)
        assert "ready." in log_path.read_text(), log_path.read_text()
        yield Worker(broker, env)
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
        if os.environ.get("FEEDBACK_SHOW_WORKER_LOG"):
            print(log_path.read_text())
