"""The web process: gunicorn builds the app once in its master, then forks the workers
(feedback/gunicorn_conf.py, preload_app), so building the app must open no connection that
two workers would then share."""

from __future__ import annotations

from pathlib import Path
from unittest.mock import patch

from flask import Flask
from flask_babel import get_babel
from sqlalchemy import event
from sqlalchemy.engine import Engine

from feedback import create_app, gunicorn_conf
from feedback.warm_up import warm_up


def test_the_app_is_built_before_the_fork():
    assert gunicorn_conf.preload_app is True
    assert gunicorn_conf.worker_class == "gthread"


def test_building_and_warming_up_the_app_connects_to_no_database(tmp_path: Path):
    connections: list[object] = []

    def record(dbapi_connection: object, _record: object) -> None:
        connections.append(dbapi_connection)

    event.listen(Engine, "connect", record)
    try:
        app = create_app(
            {
                "FEEDBACK_ENV": "testing",
                "SECRET_KEY": "x",
                "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'never-opened.db'}",
                "OUTBOX_DIR": str(tmp_path / "outbox"),
                "REPORTS_DIR": str(tmp_path / "reports"),
                "CELERY": {"broker_url": "memory://", "broker_transport_options": {}},
            }
        )
        warm_up(app)
    finally:
        event.remove(Engine, "connect", record)
    assert connections == []
    assert not (tmp_path / "never-opened.db").exists()


def test_the_warm_up_leaves_the_templates_compiled_and_the_catalogs_loaded(app: Flask):
    warm_up(app)
    names = app.jinja_env.list_templates(extensions=("html", "txt", "xml"))
    assert "survey/form.html" in names
    # Every template now comes from the environment's cache: its source is not read again.
    with patch.object(app.jinja_env.loader, "get_source", side_effect=AssertionError("read")):
        for name in names:
            app.jinja_env.get_template(name)
    cache = get_babel(app).instance.domain_instance.cache
    assert {("en", "messages"), ("fr", "messages")} <= set(cache)
    assert cache["fr", "messages"].gettext("Send my answers") == "Envoyer mes réponses"
