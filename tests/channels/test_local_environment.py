"""Development shortcuts (dev outbox, well-known webhook secrets) exist only in development and
testing: a staging deployment gets none of them."""

from __future__ import annotations

import pytest
from feedback_twilio_common import DEV_AUTH_TOKEN
from twilio.request_validator import RequestValidator

from feedback import create_app
from feedback.channels.registry import ChannelConfigError


@pytest.fixture(autouse=True)
def _keep_the_test_apps_celery(app):
    yield
    app.extensions["celery"].set_default()


def _staging(tmp_path, channels: list[str]) -> dict:
    return {
        "FEEDBACK_ENV": "staging",
        "SECRET_KEY": "a-real-secret",
        "FEEDBACK_CHANNELS": channels,
        "OUTBOX_DIR": str(tmp_path / "outbox"),
        "SQLALCHEMY_DATABASE_URI": "sqlite://",
        "PUBLIC_BASE_URL": "https://feedback.example.org",
        "CELERY": {"broker_url": "memory://"},
    }


def test_no_dev_outbox_pages_outside_development(tmp_path):
    app = create_app(_staging(tmp_path, ["email"]))
    assert app.test_client().get("/dev/outbox").status_code == 404


def test_twilio_voice_webhook_refuses_the_development_token_in_staging(tmp_path):
    try:
        app = create_app(_staging(tmp_path, ["voice_twilio"]))
    except ChannelConfigError:
        return  # refusing to start without credentials is as safe
    url = "https://feedback.example.org/hooks/voice_twilio/call?program=passport&contact_type=call"
    params = {"CallSid": "CA1", "From": "+16135550123"}
    signature = RequestValidator(DEV_AUTH_TOKEN).compute_signature(url, params)
    response = app.test_client().post(
        "/hooks/voice_twilio/call?program=passport&contact_type=call",
        data=params,
        headers={"X-Twilio-Signature": signature},
    )
    assert response.status_code == 403


def test_sms_channel_does_not_fall_back_to_the_dev_outbox_in_staging(tmp_path):
    with pytest.raises(ChannelConfigError):
        create_app(_staging(tmp_path, ["sms_twilio"]))
