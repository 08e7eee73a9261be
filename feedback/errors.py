"""Errors: JSON for the API ({"error": {"code", "message", "fields"}}), friendly pages elsewhere."""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, jsonify, render_template, request
from flask_babel import gettext as _
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import HTTPException

from feedback.extensions import db


class ApiError(Exception):
    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        fields: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.fields = fields or {}
        self.headers = headers or {}


def api_error_response(
    status: int,
    code: str,
    message: str,
    fields: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
):
    body = {"error": {"code": code, "message": message, "fields": fields or {}}}
    return jsonify(body), status, headers or {}


#: Seconds a client is asked to wait while the database is unreachable.
RETRY_AFTER_DATABASE = 30


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(OperationalError)
    def _database_unavailable(exc: OperationalError):
        """The database is down (or went away mid-request): the transaction is rolled back, so
        nothing half-written remains; clients are asked to come back."""
        db.session.rollback()
        logging.getLogger(__name__).warning(
            "database unavailable", extra={"fields": {"error": type(exc.orig).__name__}}
        )
        headers = {"Retry-After": str(RETRY_AFTER_DATABASE)}
        if request.path.startswith(("/api/", "/hooks/")):
            return api_error_response(
                503,
                "service_unavailable",
                "the service is briefly unavailable; send the same request again later",
                headers=headers,
            )
        title = _("The service is briefly unavailable")
        return render_template("error.html", title=title, code=503), 503, headers

    @app.errorhandler(ApiError)
    def _api_error(exc: ApiError):
        return api_error_response(exc.status, exc.code, exc.message, exc.fields, exc.headers)

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException):
        if request.path.startswith("/api/") or request.path.startswith("/hooks/"):
            code = (exc.name or "error").lower().replace(" ", "_")
            # Keep what the exception says in headers (Allow on a 405), not its content type.
            headers = {
                name: value for name, value in exc.get_headers() if name.lower() != "content-type"
            }
            message = exc.description or exc.name
            if exc.code == 413 and request.max_content_length:
                message = f"the body is larger than {request.max_content_length} bytes"
            return api_error_response(exc.code or 500, code, message, headers=headers)
        titles = {
            400: _("The request could not be understood"),
            403: _("You do not have access to this page"),
            404: _("Page not found"),
            405: _("This action is not allowed here"),
        }
        title = titles.get(exc.code or 500, _("Something went wrong"))
        return render_template("error.html", title=title, code=exc.code), exc.code or 500
