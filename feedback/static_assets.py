"""Static files (the style sheet) cached by browsers for a year, with cache-busting.

Every link that ``url_for("static", ...)`` builds carries ``?v=`` and the first characters of
the file's SHA-256, so a changed file gets a new address; a request for the current address
is answered with ``Cache-Control: public, max-age=31536000, immutable`` and a phone on a slow
line fetches the style sheet once. Without ``v`` (or with an old one) the file keeps Flask's
default (revalidated each time), so a page cached with an old address never holds a new file
under an old name for a year.
"""

from __future__ import annotations

import hashlib
import os
from functools import lru_cache
from typing import Any

from flask import Flask, Response, current_app, request
from werkzeug.security import safe_join

#: A year: the most that browsers keep, and the file's address changes with its content.
MAX_AGE = 365 * 24 * 3600


@lru_cache(maxsize=64)
def _digest(path: str, _mtime_ns: int) -> str:
    """The file's fingerprint; the modification time in the key reads it again when it changes."""
    with open(path, "rb") as file:
        return hashlib.sha256(file.read()).hexdigest()[:12]


def fingerprint(filename: str) -> str | None:
    """The fingerprint of a file of the static folder; None when there is no such file."""
    folder = current_app.static_folder
    if folder is None:
        return None
    path = safe_join(folder, filename)
    if path is None:
        return None
    try:
        return _digest(path, os.stat(path).st_mtime_ns)
    except (FileNotFoundError, NotADirectoryError):
        return None


def _add_version(endpoint: str, values: dict[str, Any]) -> None:
    if endpoint == "static" and "filename" in values:
        version = fingerprint(values["filename"])
        if version:
            values.setdefault("v", version)


def _cache_versioned(response: Response) -> Response:
    if request.endpoint != "static" or response.status_code != 200:
        return response
    filename = (request.view_args or {}).get("filename", "")
    if request.args.get("v") and request.args.get("v") == fingerprint(filename):
        response.headers["Cache-Control"] = f"public, max-age={MAX_AGE}, immutable"
    return response


def init_app(app: Flask) -> None:
    app.url_defaults(_add_version)
    app.after_request(_cache_versioned)
