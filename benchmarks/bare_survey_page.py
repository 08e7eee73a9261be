"""The survey page benchmark's limit: a bare WSGI page doing one indexed SELECT by token hash
(`invitations.token_hash`, unique) on the same database, served by the same gunicorn settings:
`gunicorn -c python:feedback.gunicorn_conf benchmarks.bare_survey_page:app`."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Iterable
from typing import Any

from sqlalchemy import create_engine, text

engine = create_engine(os.environ["DATABASE_URL"], pool_size=8, pool_pre_ping=True)
SELECT = text("SELECT id, status, language FROM invitations WHERE token_hash = :hash")
PAGE = "<!doctype html><html lang={lang}><title>Survey</title><p>{id} is {status}</p></html>"


def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    """GET /s/<token>: the invitation's row, or 404."""
    token = environ.get("PATH_INFO", "").removeprefix("/s/")
    digest = hashlib.sha256(token.encode()).hexdigest()
    with engine.connect() as conn:
        row = conn.execute(SELECT, {"hash": digest}).first()
    if row is None:
        body, status = b"<!doctype html><title>Not found</title>", "404 Not Found"
    else:
        body = PAGE.format(lang=row.language, id=row.id, status=row.status).encode()
        status = "200 OK"
    start_response(
        status, [("Content-Type", "text/html; charset=utf-8"), ("Content-Length", str(len(body)))]
    )
    return [body]
