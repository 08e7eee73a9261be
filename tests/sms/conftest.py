"""The SMS tests run the installed plugins (sms_twilio, sms_notify) against local stand-ins of
Twilio and GC Notify: this folder's `app` enables them; `db` and `client` come from
tests/conftest.py and use it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from feedback_sms_notify.testing import NotifyStandIn
from feedback_sms_twilio.testing import TwilioStandIn
from flask import Flask

from tests.apps import migrated_app
from tests.sms.helpers import NOTIFY_CALLBACK_TOKEN, TWILIO_FROM


@pytest.fixture(scope="session")
def twilio_standin() -> Iterator[TwilioStandIn]:
    with TwilioStandIn() as standin:
        yield standin


@pytest.fixture(scope="session")
def notify_standin() -> Iterator[NotifyStandIn]:
    with NotifyStandIn() as standin:
        yield standin


@pytest.fixture(scope="session")
def app(
    database_url: str,
    tmp_path_factory: pytest.TempPathFactory,
    twilio_standin: TwilioStandIn,
    notify_standin: NotifyStandIn,
) -> Flask:
    return migrated_app(
        database_url,
        tmp_path_factory.mktemp("sms-instance"),
        {
            "FEEDBACK_CHANNELS": ["email", "sms_twilio", "sms_notify"],
            "TWILIO_ACCOUNT_SID": twilio_standin.account_sid,
            "TWILIO_AUTH_TOKEN": twilio_standin.auth_token,
            "TWILIO_FROM_NUMBER": TWILIO_FROM,
            "TWILIO_BASE_URL": twilio_standin.base_url,
            "TWILIO_TIMEOUT": 5,
            "NOTIFY_API_KEY": notify_standin.api_key,
            "NOTIFY_BASE_URL": notify_standin.base_url,
            "NOTIFY_SMS_TEMPLATE_ID": notify_standin.template_id,
            "NOTIFY_CALLBACK_TOKEN": NOTIFY_CALLBACK_TOKEN,
        },
        keep_celery=True,
    )


@pytest.fixture(autouse=True)
def _fresh_standins(twilio_standin: TwilioStandIn, notify_standin: NotifyStandIn) -> None:
    for standin in (twilio_standin, notify_standin):
        standin.failures.clear()
    twilio_standin.messages.clear()
    notify_standin.notifications.clear()
    notify_standin.answer_after = 0.0
