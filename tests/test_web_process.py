"""The web process: gunicorn builds the app once in its master, then forks the workers
(feedback/gunicorn_conf.py, preload_app), so building the app must open no connection that
two workers would then share."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import event
from sqlalchemy.engine import Engine

from feedback import create_app, gunicorn_conf


def test_the_app_is_built_before_the_fork():
    assert gunicorn_conf.preload_app is True
    assert gunicorn_conf.worker_class == "gthread"


def test_building_the_app_connects_to_no_database(tmp_path: Path):
    connections: list[object] = []

    def record(dbapi_connection: object, _record: object) -> None:
        connections.append(dbapi_connection)

    event.listen(Engine, "connect", record)
    try:
        create_app(
            {
                "FEEDBACK_ENV": "testing",
                "SECRET_KEY": "x",
                "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'never-opened.db'}",
                "OUTBOX_DIR": str(tmp_path / "outbox"),
                "REPORTS_DIR": str(tmp_path / "reports"),
                "CELERY": {"broker_url": "memory://", "broker_transport_options": {}},
            }
        )
    finally:
        event.remove(Engine, "connect", record)
    assert connections == []
    assert not (tmp_path / "never-opened.db").exists()
