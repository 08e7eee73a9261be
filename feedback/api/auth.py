"""Bearer-key authentication for the REST API."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import g, request

from feedback.accounts.services import authenticate_api_key
from feedback.errors import ApiError


def require_api_key(view: Callable[..., Any]) -> Callable[..., Any]:
    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        header = request.headers.get("Authorization", "")
        scheme, _, presented = header.partition(" ")
        if scheme.lower() != "bearer" or not presented.strip():
            raise ApiError(
                401,
                "unauthorized",
                "send 'Authorization: Bearer <api key>'",
                headers={"WWW-Authenticate": 'Bearer realm="feedback"'},
            )
        key = authenticate_api_key(presented.strip())
        if key is None:
            raise ApiError(
                401,
                "unauthorized",
                "the API key is unknown or revoked",
                headers={"WWW-Authenticate": 'Bearer realm="feedback", error="invalid_token"'},
            )
        g.api_key = key
        return view(*args, **kwargs)

    return wrapped
