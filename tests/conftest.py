"""Fixtures: an app on SQLite or on TEST_DATABASE_URL, the schema built by the migrations,
tables emptied after each test, and a real Celery worker process when a test asks for one."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_migrate import upgrade
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from feedback import create_app
from feedback.extensions import db as _db

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL", "")
TEST_BROKER_URL = os.environ.get("TEST_BROKER_URL", "")


def pytest_report_header(config: pytest.Config) -> list[str]:
    database = make_url(TEST_DATABASE_URL).render_as_string(hide_password=True) if TEST_DATABASE_URL else "SQLite (TEST_DATABASE_URL not set)"
    broker = TEST_BROKER_URL or "kombu filesystem transport (TEST_BROKER_URL not set)"
    return [f"feedback database: {database}", f"feedback worker broker: {broker}"]


def _prepare_postgres(url: str) -> None:
    """Create the test database if missing, and start from an empty schema."""
    parsed = make_url(url)
    admin = create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        exists = conn.scalar(text("SELECT 1 FROM pg_database WHERE datname = :n"),
                             {"n": parsed.database})
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
def app(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    instance = tmp_path_factory.mktemp("instance")
    application = create_app({
        "FEEDBACK_ENV": "testing",
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "CLIENT_HASH_KEY": "test-hash-key",
        "SQLALCHEMY_DATABASE_URI": database_url,
        "PUBLIC_BASE_URL": "http://survey.test",
        "REPORTS_DIR": str(instance / "reports"),
        "OUTBOX_DIR": str(instance / "outbox"),
        "SMTP_PORT": 1,  # nothing listens: a test that sends starts its own SMTP server
        "CELERY": {"broker_url": "memory://", "broker_transport_options": {}},
    })
    Path(application.config["REPORTS_DIR"]).mkdir(parents=True, exist_ok=True)
    with application.app_context():
        upgrade(directory=application.extensions["migrate"].directory)
    yield application


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
