"""Errors: JSON for the API ({"error": {"code", "message", "fields"}}), friendly pages elsewhere."""

from __future__ import annotations

from typing import Any

from flask import Flask, jsonify, render_template, request
from flask_babel import gettext as _
from werkzeug.exceptions import HTTPException


class ApiError(Exception):
    def __init__(
        self, status: int, code: str, message: str, fields: dict[str, Any] | None = None
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.fields = fields or {}


def api_error_response(status: int, code: str, message: str, fields: dict[str, Any] | None = None):
    body = {"error": {"code": code, "message": message, "fields": fields or {}}}
    return jsonify(body), status


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(ApiError)
    def _api_error(exc: ApiError):
        return api_error_response(exc.status, exc.code, exc.message, exc.fields)

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException):
        if request.path.startswith("/api/") or request.path.startswith("/hooks/"):
            code = (exc.name or "error").lower().replace(" ", "_")
            return api_error_response(exc.code or 500, code, exc.description or exc.name)
        titles = {
            400: _("The request could not be understood"),
            403: _("You do not have access to this page"),
            404: _("Page not found"),
            405: _("This action is not allowed here"),
        }
        title = titles.get(exc.code or 500, _("Something went wrong"))
        return render_template("error.html", title=title, code=exc.code), exc.code or 500
