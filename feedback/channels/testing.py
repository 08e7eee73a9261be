"""Test helpers of the plugin API, for the test suites of channel plugins (ours and others').

* :class:`HttpStandIn`: the base of a local stand-in for a provider's HTTP API (a WSGI handler
  served on 127.0.0.1 by a thread), so that a plugin's tests exercise its real HTTP client.
* :func:`plugin_test_app`: a platform app for tests that need no database (the app context of
  the channel's configuration, its webhooks through ``app.test_client()``).
* :func:`sample_invitation`: an :class:`~feedback.channels.Invitation` as the core builds them.

Like :mod:`feedback.channels` and :mod:`feedback.plugin_api`, this module is part of the public
plugin API; it needs no test framework, so stand-ins built on it can also serve offline trials.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Self, TypeVar

from celery import current_app as celery_current_app
from flask import Flask
from werkzeug.serving import BaseWSGIServer, make_server
from werkzeug.wrappers import Request, Response

from feedback import create_app
from feedback.channels.base import Channel, Invitation
from feedback.channels.registry import channel_settings, platform_of

C = TypeVar("C", bound=Channel)

__all__ = ["HttpStandIn", "plugin_test_app", "sample_invitation"]


class HttpStandIn:
    """A provider's API on 127.0.0.1 (any free port), for a test's ``with`` block.

    A subclass answers each request in :meth:`_handle`; point the plugin at :attr:`base_url`.
    """

    _server: BaseWSGIServer | None = None

    @property
    def base_url(self) -> str:
        assert self._server is not None, "start() the stand-in first"
        return f"http://127.0.0.1:{self._server.server_port}"

    def start(self) -> Self:
        self._server = make_server("127.0.0.1", 0, self._wsgi, threaded=True)
        threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        ).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _wsgi(self, environ: dict[str, Any], start_response: Any) -> Any:
        return self._handle(Request(environ))(environ, start_response)

    def _handle(self, request: Request) -> Response:
        raise NotImplementedError


def channel_from(cls: type[C], config: Mapping[str, Any]) -> C:
    """A channel built as the platform builds it, from one mapping of app settings: the
    channel's own settings (the environment is not read), and FEEDBACK_ENV (development unless
    given), PUBLIC_BASE_URL and OUTBOX_DIR for its platform context."""
    app_config = {
        "FEEDBACK_ENV": "development",
        "PUBLIC_BASE_URL": "http://127.0.0.1:5000",
        "OUTBOX_DIR": "",
        **config,
    }
    return cls(channel_settings(cls, app_config, environ={}), platform_of(app_config))


def plugin_test_app(folder: Path, config: dict[str, Any]) -> Flask:
    """An app in testing mode whose files stay in `folder`, with `config` on top.

    Its database is an SQLite file that is never created (the tests of a plugin need none) and
    its Celery broker is in memory. create_app makes its Celery app the default one; the
    previous default is put back, so that other tests' apps keep theirs.
    """
    previous_celery = celery_current_app._get_current_object()
    application = create_app(
        {
            "FEEDBACK_ENV": "testing",
            "TESTING": True,
            "SECRET_KEY": "test-secret",
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'unused.db'}",
            "OUTBOX_DIR": str(folder / "outbox"),
            "REPORTS_DIR": str(folder / "reports"),
            "CELERY": {"broker_url": "memory://", "broker_transport_options": {}},
            **config,
        }
    )
    previous_celery.set_default()
    return application


def sample_invitation(**overrides: Any) -> Invitation:
    """An invitation to the passport program's survey, in English, by text; `overrides` win."""
    public = "https://feedback.example.ca"
    values: dict[str, Any] = {
        "id": "3f2a9c1e-0000-4000-8000-000000000002",
        "language": "en",
        "email": None,
        "phone": "+16135550123",
        "timezone": "America/Toronto",
        "survey_url": f"{public}/s/tok_0123456789abcdefghijklmnopqrstuvwxyzABCDEF",
        "unsubscribe_url": f"{public}/u/unsub-code-123",
        "expires_at": None,
        "program_name": {"en": "Passport Program", "fr": "Programme de passeport"},
        "questionnaire_title": {"en": "Your visit", "fr": "Votre visite"},
        **overrides,
    }
    return Invitation(**values)
