"""Browser security headers on every kind of response, cookies, and an expired staff form."""

from __future__ import annotations

import re

import pytest

from tests.surveys.helpers import TOKEN, live_invitation

REQUIRED = {
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
}


def _assert_secure_headers(response) -> None:
    for name, value in REQUIRED.items():
        assert response.headers.get(name) == value, (name, response.headers.get(name))
    policy = response.headers["Content-Security-Policy"]
    assert "'unsafe-inline'" not in policy and "'unsafe-eval'" not in policy
    assert "frame-ancestors 'none'" in policy
    assert "default-src 'self'" in policy and "script-src 'self'" in policy
    assert "style-src 'self'" in policy and "object-src 'none'" in policy
    permissions = response.headers["Permissions-Policy"]
    for feature in ("camera=()", "microphone=()", "geolocation=()", "payment=()"):
        assert feature in permissions
    assert "Strict-Transport-Security" not in response.headers  # plain HTTP, development


def test_survey_page(client, db):
    live_invitation()
    page = client.get(f"/s/{TOKEN}", follow_redirects=True)
    assert page.status_code == 200
    _assert_secure_headers(page)
    assert page.headers["Referrer-Policy"] == "no-referrer"
    assert page.headers["Cache-Control"] == "no-store"


@pytest.mark.parametrize("path", ["/login", "/privacy", "/s/done", "/static/feedback.css"])
def test_staff_and_public_pages(client, path):
    page = client.get(path)
    assert page.status_code == 200
    _assert_secure_headers(page)


def test_api_response_and_404s(client):
    _assert_secure_headers(client.get("/api/v1/openapi.json"))
    refused = client.post("/api/v1/contacts", json={})
    assert refused.status_code == 401
    _assert_secure_headers(refused)
    for path in ("/no-such-page", "/api/v1/nothing-here"):
        missing = client.get(path)
        assert missing.status_code == 404
        _assert_secure_headers(missing)


def test_hsts_over_https_only(client):
    page = client.get("/login", base_url="https://survey.test")
    assert page.headers["Strict-Transport-Security"] == "max-age=31536000"
    assert "Strict-Transport-Security" not in client.get("/login").headers


def test_no_inline_script_or_style_in_any_template():
    from pathlib import Path

    import feedback

    folder = Path(feedback.__file__).parent / "templates"
    offenders = [
        str(path.relative_to(folder))
        for path in folder.rglob("*.html")
        if re.search(r"<script(?![^>]*\bsrc=)|\sstyle=|<style", path.read_text())
    ]
    assert offenders == []


def test_dev_email_preview_has_its_own_policy():
    from feedback.web_security import content_security_policy

    preview = content_security_policy("devtools.message")
    assert "style-src 'self' 'unsafe-inline'" in preview  # inline-styled HTML email, in srcdoc
    assert "script-src 'self'" in preview and "frame-ancestors 'none'" in preview
    assert "'unsafe-inline'" not in content_security_policy("devtools.outbox")


def test_session_cookie_is_httponly_and_samesite(client, db):
    live_invitation()
    page = client.get(f"/s/{TOKEN}")
    cookie = page.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_cookies_are_secure_outside_development():
    from feedback.config import from_environment

    key = {"DATA_ENCRYPTION_KEYS": "A" * 43 + "="}
    config = from_environment("/tmp/x", {"FEEDBACK_ENV": "production", "SECRET_KEY": "s", **key})
    assert config["SESSION_COOKIE_SECURE"] and config["REMEMBER_COOKIE_SECURE"]
    assert config["SESSION_COOKIE_HTTPONLY"] and config["SESSION_COOKIE_SAMESITE"] == "Lax"
    assert config["RATELIMIT_STORAGE_URI"] == "memory://"  # no Redis broker given
    redis = from_environment(
        "/tmp/x",
        {
            "FEEDBACK_ENV": "production",
            "SECRET_KEY": "s",
            "CELERY_BROKER_URL": "redis://r:6379/0",
            **key,
        },
    )
    assert redis["RATELIMIT_STORAGE_URI"] == "redis://r:6379/0"
    local = from_environment("/tmp/x", {"CELERY_BROKER_URL": "redis://r:6379/0"})
    assert local["RATELIMIT_STORAGE_URI"] == "memory://" and not local["SESSION_COOKIE_SECURE"]


def test_expired_csrf_token_keeps_the_staff_form_input(client, db):
    page = client.post("/login", data={"email": "someone@example.org", "password": "secret-pw"})
    html = page.get_data(as_text=True)
    assert page.status_code == 400
    assert "Your form was not sent" in html
    assert 'name="email" value="someone@example.org"' in html
    assert "secret-pw" not in html
    assert "Passwords and attached files are not kept" in html
    assert re.search(r'name="csrf_token" value="[^"]+"', html)
    _assert_secure_headers(page)
