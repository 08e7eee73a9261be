"""Fixtures of the JSON voice webhook plugin's tests: an app (no database needed).

These tests live with the plugin, outside tests/, so they build their own app; the folder has
no __init__.py, so test module names must stay unique. Whole calls (which need the database)
are in tests/voice.
"""

from __future__ import annotations

import pytest
from flask import Flask

from feedback.channels.testing import plugin_test_app

SECRET = "plugin-test-secret-0123456789abcdefghij"


@pytest.fixture(scope="session")
def app(tmp_path_factory: pytest.TempPathFactory) -> Flask:
    return plugin_test_app(
        tmp_path_factory.mktemp("voice-webhook-plugin"),
        {
            "PUBLIC_BASE_URL": "https://feedback.example.ca",
            "FEEDBACK_CHANNELS": ["voice_webhook"],
            "VOICE_WEBHOOK_SECRET": SECRET,
        },
    )
