"""Each rate limit triggers: survey, sign-in, API (JSON 429), webhooks (JSON 429)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask

from tests.apps import migrated_app
from tests.reporting.helpers import csrf_token

LIMITS = {
    "RATELIMIT_ENABLED": True,
    "RATELIMIT_STORAGE_URI": "memory://",
    "RATELIMIT_SURVEY": "3 per minute",
    "RATELIMIT_LOGIN": "2 per minute",
    "RATELIMIT_API": "2 per minute",
    "RATELIMIT_HOOKS": "2 per minute",
    "FEEDBACK_CHANNELS": ["email", "voice_webhook"],  # a plugin with a webhook
}


@pytest.fixture()
def limited_app(database_url: str, tmp_path) -> Iterator[Flask]:
    """An app of its own: the session's app runs without limits, and counters start at zero."""
    yield migrated_app(database_url, tmp_path, dict(LIMITS), keep_celery=True)


def test_session_app_runs_without_limits(app):
    assert app.config["RATELIMIT_ENABLED"] is False


def test_survey_limit_shows_a_friendly_page(limited_app, db):
    client = limited_app.test_client()
    for _ in range(3):
        assert client.get("/s/not-a-token").status_code == 404
    page = client.get("/s/not-a-token")
    assert page.status_code == 429
    html = page.get_data(as_text=True)
    assert "Too many requests" in html and "Wait a minute, then try again." in html
    assert page.headers["Retry-After"]
    french = client.get("/privacy?lang=fr")
    assert french.status_code == 200  # a limit per route
    assert "Trop de demandes" in client.get("/s/not-a-token?lang=fr").get_data(as_text=True)


def test_login_limit_counts_sign_in_attempts_not_page_views(limited_app, db):
    client = limited_app.test_client()
    for _ in range(5):
        assert client.get("/login").status_code == 200
    token = csrf_token(client.get("/login").get_data(as_text=True))
    data = {"csrf_token": token, "email": "x@example.org", "password": "wrong"}
    assert [client.post("/login", data=data).status_code for _ in range(3)] == [400, 400, 429]


def test_api_limit_is_per_key_and_json(limited_app, db):
    client = limited_app.test_client()
    mine = {"Authorization": "Bearer fbk_aaaa_not-a-secret"}
    statuses = [
        client.post("/api/v1/contacts", json={}, headers=mine).status_code for _ in range(3)
    ]
    assert statuses == [401, 401, 429]
    refused = client.post("/api/v1/contacts", json={}, headers=mine)
    assert refused.json["error"]["code"] == "too_many_requests"
    assert refused.headers["Retry-After"]
    other = {"Authorization": "Bearer fbk_bbbb_not-a-secret"}
    assert client.post("/api/v1/contacts", json={}, headers=other).status_code == 401


def test_webhook_limit_is_json(limited_app, db):
    hooks = [r for r in limited_app.url_map.iter_rules() if r.rule.startswith("/hooks/")]
    assert hooks, "the voice_webhook plugin mounts its callback under /hooks/"
    rule = next((r for r in hooks if "<" not in r.rule and "POST" in r.methods), None)
    assert rule is not None, [r.rule for r in hooks]
    client = limited_app.test_client()
    statuses = [client.post(rule.rule, data={}).status_code for _ in range(3)]
    assert statuses[:2] != [429, 429] and statuses[2] == 429
    refused = client.post(rule.rule, data={})
    assert refused.json["error"]["code"] == "too_many_requests"
