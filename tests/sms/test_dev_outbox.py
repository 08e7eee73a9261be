"""Development: without Twilio credentials the texts go to OUTBOX_DIR/sms, the webhook takes
signed replies as documented, and /dev/sms shows the conversation with segment counts."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from feedback_sms_twilio import TwilioChannel
from feedback_sms_twilio.channel import DEV_AUTH_TOKEN

from feedback.channels.testing import channel_from
from feedback.sms.outbox import sms_folder
from tests.conversations.helpers import PHONE, dispatch, invite, sms_event, sms_setup
from tests.fakes import channel_replaced
from tests.sms.helpers import INBOUND, inbound_params, replies, signed_post


@pytest.fixture()
def dev_twilio(app, db):
    outbox = app.config["OUTBOX_DIR"]
    channel = channel_from(
        TwilioChannel,
        {
            "FEEDBACK_ENV": "development",
            "OUTBOX_DIR": outbox,
            "PUBLIC_BASE_URL": "http://survey.test",
        },
    )
    channel.check_config()
    with channel_replaced(app, channel):
        yield channel
    shutil.rmtree(sms_folder(outbox), ignore_errors=True)


def reply(client, app, body: str) -> list[str]:
    response = signed_post(client, app, INBOUND, inbound_params(PHONE, body), token=DEV_AUTH_TOKEN)
    return replies(response)


def test_a_whole_conversation_in_the_development_outbox(client, app, dev_twilio, twilio_standin):
    sms_setup("sms_twilio")
    invite(sms_event())
    dispatch()
    assert twilio_standin.messages == []  # nothing went to Twilio
    assert len(list(Path(sms_folder(app.config["OUTBOX_DIR"])).iterdir())) == 1

    assert reply(client, app, "5")[0].startswith("(2/5)")
    assert reply(client, app, "ten") == [
        "Sorry, we did not understand. Reply with a number from 0 to 10 (10 = extremely likely)."
    ]

    page = client.get("/dev/sms")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert f"Conversation with {PHONE}" in html
    assert html.index("Passport services: how did we do?") < html.index("(2/5)")
    assert "To the client" in html and "From the client" in html
    assert "Segments: 2, GSM-7, characters: " in html  # the invitation with its first question

    [thread] = client.get("/dev/sms.json").json["threads"]
    assert thread["number"] == PHONE
    texts = thread["texts"]
    assert [(t["direction"], t["body"][:5]) for t in texts] == [
        ("out", "Passp"),
        ("in", "5"),
        ("out", "(2/5)"),
        ("in", "ten"),
        ("out", "Sorry"),
    ]
    assert texts[0]["segments"] == 2 and texts[0]["encoding"] == "GSM-7"
    assert all(t["channel"] == "sms_twilio" for t in texts)


def test_the_dev_token_is_refused_when_twilio_is_configured(client, app, db):
    response = signed_post(client, app, INBOUND, inbound_params(PHONE, "5"), token=DEV_AUTH_TOKEN)
    assert response.status_code == 403


def test_empty_sms_outbox(client, app, db):
    html = client.get("/dev/sms").get_data(as_text=True)
    assert "No text message yet." in html
    assert client.get("/dev/sms.json").json == {"threads": []}
