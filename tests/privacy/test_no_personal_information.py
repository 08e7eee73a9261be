"""No personal information in logs, task arguments or URLs, over a whole flow in this process:
events with emails and phone numbers through the API, dispatch, a web answer, SMS replies and
STOP. Every log record (raw, at DEBUG) and every JSON line is searched for the client's email,
phone (E.164 and as given), survey token and client reference."""

from __future__ import annotations

import inspect
import io
import logging
from urllib.parse import urlsplit

import pytest
from celery import Task

from feedback.invitations import tasks as invitation_tasks
from feedback.logging_setup import JsonFormatter
from feedback.plugin_api import receive_text
from feedback.privacy import tasks as privacy_tasks
from feedback.reporting import tasks as reporting_tasks
from tests.conversations.helpers import FakeSms, dispatch, sms_setup
from tests.factories import event_payload, make_api_key, make_program, make_questionnaire, make_rule
from tests.fakes import RecordingChannel, channel_replaced
from tests.surveys.helpers import FULL_ANSWERS, csrf_token

SMS_PHONE_RAW, SMS_PHONE = "613-555-0123", "+16135550123"
WEB_PHONE_RAW = "(613) 555-0177"
WEB_EMAIL, SMS_EMAIL = "jane.doe@example.org", "sam.smith@example.net"
REFERENCES = ("REF-SMS-778812", "REF-WEB-551209")


@pytest.fixture()
def captured(caplog):
    """Raw records (caplog, DEBUG) and the JSON formatter's lines, from every logger."""
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.DEBUG, logger="feedback")
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    handler.setLevel(logging.DEBUG)
    loggers = [logging.getLogger(), logging.getLogger("feedback")]
    for logger in loggers:
        logger.addHandler(handler)
    yield caplog, stream
    for logger in loggers:
        logger.removeHandler(handler)


def test_a_whole_flow_logs_no_personal_information(app, client, db, captured):
    caplog, stream = captured
    sms_event = event_payload(
        1,
        external_id="sms-1",
        client={"reference": REFERENCES[0], "phone": SMS_PHONE_RAW, "email": SMS_EMAIL},
    )
    web_event = event_payload(
        2,
        external_id="web-1",
        program="benefits",
        client={"reference": REFERENCES[1], "email": WEB_EMAIL, "phone": WEB_PHONE_RAW},
    )
    with channel_replaced(app, FakeSms()) as sms, channel_replaced(app, RecordingChannel()) as mail:
        sms_setup("sms_fake")
        benefits = make_program("benefits")
        make_rule(benefits, make_questionnaire(benefits))  # e-mail, a link
        key = make_api_key()
        accepted = client.post(
            "/api/v1/contacts",
            json={"events": [sms_event, web_event]},
            headers={"Authorization": f"Bearer {key}"},
        )
        assert accepted.status_code in (200, 201, 207), accepted.get_json()
        assert len(dispatch()) == 2
        assert sms.sent and mail.sent
        survey_path = urlsplit(mail.sent[0].survey_url).path
        token = survey_path.rsplit("/", 1)[1]
        page = client.get(survey_path, follow_redirects=True)
        assert page.status_code == 200
        answered = client.post(
            "/s/", data={"csrf_token": csrf_token(page.get_data(as_text=True)), **FULL_ANSWERS}
        )
        assert answered.status_code == 303
        assert "/s/done" in answered.headers["Location"]
        receive_text("sms_fake", SMS_PHONE, "4")
        assert receive_text("sms_fake", SMS_PHONE, "STOP")

    raw = "\n".join(
        f"{r.getMessage()} {getattr(r, 'fields', '')} {r.exc_text or ''}" for r in caplog.records
    )
    formatted = stream.getvalue()
    assert caplog.records and formatted  # the flow did log
    assert {"feedback.contacts.services", "feedback.invitations.outbox"} <= {
        r.name for r in caplog.records
    }
    secrets = [
        WEB_EMAIL,
        SMS_EMAIL,
        SMS_PHONE,
        SMS_PHONE_RAW,
        WEB_PHONE_RAW,
        "6135550123",
        "6135550177",
        "555-0177",
        token,
        *REFERENCES,
    ]
    for secret in secrets:
        assert secret.lower() not in raw.lower(), f"{secret} in a log record"
        assert secret.lower() not in formatted.lower(), f"{secret} in a JSON log line"


@pytest.mark.parametrize("module", [invitation_tasks, reporting_tasks, privacy_tasks])
def test_tasks_take_only_ids(module):
    """Task arguments travel through the broker: ids, a channel's name, ISO days, a report's
    kind, no more."""
    allowed = {"invitation_ids", "report_id", "channel", "days", "kind"}
    tasks = [obj for obj in vars(module).values() if isinstance(obj, Task)]
    assert tasks
    for task in tasks:
        parameters = set(inspect.signature(task.run).parameters)
        assert parameters <= allowed, f"{task.name} takes {parameters - allowed}"
