"""The GC Notify channel with the official client against a local stand-in of GC Notify's API."""

from __future__ import annotations

import json
import socket
import uuid
from pathlib import Path

import pytest
from feedback_sms_notify import NotifyChannel
from flask import Flask

from feedback.channels import Outcome
from feedback.channels.registry import discover
from feedback.channels.testing import channel_from


def test_discovered_through_its_entry_point(app: Flask) -> None:
    assert discover()["sms_notify"].load() is NotifyChannel
    channel = app.extensions["feedback.channels"]["sms_notify"]
    assert isinstance(channel, NotifyChannel)
    assert channel.medium == "sms" and not channel.conversations
    assert "channel_sms_notify" in app.blueprints


def test_sends_the_link_through_a_template(app_context, notify, channel_for, make_invitation):
    result = channel_for(NOTIFY_SMS_SENDER_ID=str(uuid.UUID(int=7))).send(make_invitation())

    [notification] = notify.notifications
    assert result.outcome is Outcome.SENT and result.provider_ref == notification["id"]
    assert notification["phone_number"] == "+16135550123"
    assert notification["template_id"] == notify.template_id
    assert notification["reference"] == "3f2a9c1e-0000-4000-8000-000000000003"
    assert notification["sms_sender_id"] == str(uuid.UUID(int=7))
    # The template is ((message)): GC Notify sends exactly the text the core composed.
    assert notification["body"] == notification["personalisation"]["message"]
    assert "https://feedback.example.ca/s/tok_0123456789" in notification["body"]
    assert "STOP" not in notification["body"] and "ARRET" not in notification["body"]


def test_the_stand_in_checks_the_jwt(app_context, notify, channel_for, make_invitation):
    someone_else = f"other-{notify.service_id}-{uuid.uuid4()}"  # same service, wrong secret
    result = channel_for(NOTIFY_API_KEY=someone_else).send(make_invitation())
    assert result.outcome is Outcome.TRANSIENT
    assert result.detail == "GC Notify 403 AuthError: check NOTIFY_API_KEY and the clock"
    assert notify.notifications == []


@pytest.mark.parametrize(
    ("status", "error", "outcome"),
    [
        (400, "ValidationError", Outcome.PERMANENT),
        (400, "BadRequestError", Outcome.PERMANENT),
        (429, "RateLimitError", Outcome.TRANSIENT),
        (429, "TooManyRequestsError", Outcome.TRANSIENT),
        (500, "Exception", Outcome.TRANSIENT),
    ],
)
def test_refusals(app_context, notify, channel_for, make_invitation, status, error, outcome):
    notify.refuse_next(status, error, "phone_number +16135550123 is not valid")
    result = channel_for().send(make_invitation())
    assert (result.outcome, result.detail) == (outcome, f"GC Notify {status} {error}")


def test_a_template_that_wants_other_placeholders_is_permanent(
    app_context, notify, channel_for, make_invitation
):
    notify.template = "((program)): ((link))"
    result = channel_for().send(make_invitation())
    assert (result.outcome, result.detail) == (Outcome.PERMANENT, "GC Notify 400 BadRequestError")


def test_no_server_is_transient(app_context, channel_for, make_invitation):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    result = channel_for(NOTIFY_BASE_URL=f"http://127.0.0.1:{port}").send(make_invitation())
    assert (result.outcome, result.detail) == (Outcome.TRANSIENT, "cannot reach GC Notify")


def test_development_outbox_instead_of_notify(app_context, tmp_path: Path, make_invitation):
    channel = channel_from(
        NotifyChannel, {"FEEDBACK_ENV": "development", "OUTBOX_DIR": str(tmp_path)}
    )
    channel.check_config()
    result = channel.send(make_invitation())
    assert result.outcome is Outcome.SENT
    [stored] = (tmp_path / "sms").iterdir()
    assert json.loads(stored.read_text())["channel"] == "sms_notify"


@pytest.mark.parametrize(
    ("config", "problem"),
    [
        ({"FEEDBACK_ENV": "production"}, "NOTIFY_API_KEY"),
        ({"NOTIFY_API_KEY": "not-a-key"}, "NOTIFY_API_KEY"),
        ({"NOTIFY_API_KEY": f"k-{uuid.uuid4()}-{uuid.uuid4()}"}, "NOTIFY_SMS_TEMPLATE_ID"),
        (
            {
                "NOTIFY_API_KEY": f"k-{uuid.uuid4()}-{uuid.uuid4()}",
                "NOTIFY_SMS_TEMPLATE_ID": str(uuid.uuid4()),
                "NOTIFY_SMS_SENDER_ID": "x",
            },
            "NOTIFY_SMS_SENDER_ID",
        ),
        ({"NOTIFY_TIMEOUT": 0, "OUTBOX_DIR": "/tmp/x"}, "NOTIFY_TIMEOUT"),
    ],
)
def test_impossible_configuration_is_refused(config, problem):
    with pytest.raises(ValueError, match=problem):
        channel_from(NotifyChannel, config).check_config()


@pytest.mark.parametrize(
    "headers",
    [{}, {"Authorization": "Bearer wrong"}, {"Authorization": "notify-callback-token"}],
)
def test_callback_refuses_a_missing_or_wrong_bearer_token(app: Flask, headers) -> None:
    response = app.test_client().post(
        "/hooks/sms_notify/status",
        json={"id": str(uuid.uuid4()), "status": "delivered"},
        headers=headers,
    )
    assert response.status_code == 403
    assert response.json["error"]["code"] == "forbidden"


def test_callback_answers_notifys_health_check(app: Flask) -> None:
    response = app.test_client().post(
        "/hooks/sms_notify/status",
        json={"health_check": "true"},
        headers={"Authorization": "Bearer notify-callback-token"},
    )
    assert (response.status_code, response.json) == (200, {"status": "ok"})


def test_a_text_gc_notify_accepted_is_found_by_our_reference(
    app_context, notify, channel_for, make_invitation
):
    """Before sending again an invitation whose worker died while sending, the core asks:
    GC Notify keeps our reference, so a text it accepted is found and not sent twice."""
    channel = channel_for()
    invitation = make_invitation()
    assert channel.sent_before(invitation.id) is None
    result = channel.send(invitation)
    assert channel.sent_before(invitation.id) == result.provider_ref
    assert channel.sent_before("another-invitation") is None


def test_an_unreachable_gc_notify_cannot_tell(app_context, channel_for):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    assert channel_for(NOTIFY_BASE_URL=f"http://127.0.0.1:{port}").sent_before("x") is None
