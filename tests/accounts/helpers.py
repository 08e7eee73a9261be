"""Signing in through the form and posting staff forms with their CSRF token."""

from __future__ import annotations

import re

from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from tests.reporting.helpers import csrf_token


def post_form(
    client: FlaskClient, url: str, data: dict[str, object], page: str | None = None
) -> TestResponse:
    """GET the page (`url`, or the `page` holding the form) for its CSRF token, then POST
    `data` to `url`."""
    token = csrf_token(client.get(page or url).text)
    return client.post(url, data={"csrf_token": token, **data})


def sign_in(client: FlaskClient, email: str, password: str, url: str = "/login") -> TestResponse:
    return post_form(client, url, {"email": email, "password": password})


def shown_secret(html: str) -> str:
    """The password or key shown once on the page."""
    return re.search(r'<code class="secret">([^<]+)</code>', html).group(1)
