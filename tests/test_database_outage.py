"""While the database is down, the API answers 503 with Retry-After (JSON), pages say so
kindly, and nothing half-written remains: a request's transaction is all or nothing."""

from __future__ import annotations

import socket

import pytest
from flask import Flask

from feedback import create_app


@pytest.fixture()
def app_without_database(app: Flask, tmp_path) -> Flask:
    with socket.socket() as sock:  # a port nothing listens on: connections are refused
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    outage = create_app(
        {
            "FEEDBACK_ENV": "testing",
            "SECRET_KEY": "x",
            "SQLALCHEMY_DATABASE_URI": f"postgresql+psycopg://postgres@127.0.0.1:{port}/none",
            "SQLALCHEMY_ENGINE_OPTIONS": {"connect_args": {"connect_timeout": 2}},
            "OUTBOX_DIR": str(tmp_path / "outbox"),
            "REPORTS_DIR": str(tmp_path / "reports"),
            "CELERY": {"broker_url": "memory://", "broker_transport_options": {}},
            "RATELIMIT_ENABLED": False,
        }
    )
    yield outage
    app.extensions["celery"].set_default()  # create_app made the outage's the default


def test_the_api_answers_503_with_retry_after(app_without_database):
    client = app_without_database.test_client()
    response = client.post(
        "/api/v1/contacts",
        json={"source": "crm", "external_id": "1"},
        headers={"Authorization": "Bearer fbk_0123456789ab_secret"},
    )
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "30"
    assert response.get_json()["error"]["code"] == "service_unavailable"


def test_a_survey_page_says_the_service_is_briefly_unavailable(app_without_database):
    client = app_without_database.test_client()
    response = client.get("/s/some-token-0123456789?lang=fr")
    assert response.status_code == 503 and response.headers["Retry-After"] == "30"
    assert "Le service est brièvement indisponible" in response.get_data(as_text=True)
