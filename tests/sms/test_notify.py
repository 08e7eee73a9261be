"""GC Notify: the link by text through its API (a local stand-in), receipts through its callback."""

from __future__ import annotations

from datetime import timedelta

import pytest

from feedback.db_types import utcnow
from feedback.extensions import db as _db
from feedback.invitations.models import Invitation, InvitationMode, InvitationStatus
from tests.conversations.helpers import PHONE, dispatch, invite, sms_event, sms_setup
from tests.sms.helpers import NOTIFY_STATUS, notify_receipt, text

S = InvitationStatus


@pytest.fixture()
def sent(db, notify_standin) -> Invitation:
    sms_setup("sms_notify", mode="link")
    invitation = invite(sms_event())
    dispatch()
    db.session.refresh(invitation)
    return invitation


def test_the_link_is_sent_with_the_template(sent, notify_standin):
    [notification] = notify_standin.notifications
    assert notification["phone_number"] == PHONE
    assert notification["template_id"] == notify_standin.template_id
    assert notification["reference"] == sent.id
    body = notification["body"]
    assert body == notification["personalisation"]["message"]
    assert body.startswith("Passport services: how did we do? Take our short survey: ")
    assert "http://survey.test/s/" in body
    assert "STOP" not in body  # GC Notify passes no replies on: nothing to answer STOP to
    assert sent.status is S.SENT and sent.provider_ref == notification["id"]


def test_a_conversation_rule_sends_the_link_through_notify(db, notify_standin):
    # A conversation-mode rule stored for a channel that cannot converse (the rule service
    # refuses to make one): planning sends the link.
    _, _, rule = sms_setup("sms_notify", mode="link")
    rule.mode = InvitationMode.CONVERSATION
    db.session.commit()
    invitation = invite(sms_event())
    dispatch()
    assert invitation.mode.value == "link"
    assert "/s/" in notify_standin.notifications[0]["body"]


def test_validation_error_is_permanent(db, notify_standin):
    sms_setup("sms_notify", mode="link")
    invitation = invite(sms_event())
    notify_standin.refuse_next(400, "ValidationError", "phone_number Not a valid phone number")
    dispatch()
    db.session.refresh(invitation)
    assert invitation.status is S.FAILED
    assert invitation.last_error == "GC Notify 400 ValidationError"


@pytest.mark.parametrize(
    ("status", "error"), [(429, "RateLimitError"), (500, "Exception"), (403, "AuthError")]
)
def test_limits_and_faults_are_retried(db, notify_standin, status, error):
    sms_setup("sms_notify", mode="link")
    invitation = invite(sms_event())
    notify_standin.refuse_next(status, error)
    dispatch()
    db.session.refresh(invitation)
    assert (invitation.status, invitation.reason) == (S.SCHEDULED, "transient_failure")


@pytest.mark.parametrize(
    ("status", "state"),
    [
        ("delivered", S.DELIVERED),
        ("permanent-failure", S.UNDELIVERED),
        ("temporary-failure", S.SCHEDULED),
        ("technical-failure", S.FAILED),
    ],
)
def test_receipts(client, sent, status, state):
    receipt = {
        "id": sent.provider_ref,
        "reference": sent.id,
        "to": PHONE,
        "status": status,
        "created_at": "2026-11-23T12:15:30.000000Z",
        "completed_at": "2026-11-23T12:15:34.000000Z",
        "sent_at": "2026-11-23T12:15:31.000000Z",
        "notification_type": "sms",
    }
    response = notify_receipt(client, receipt)
    assert response.status_code == 200 and response.json == {"status": "ok"}
    assert _db.session.get(Invitation, sent.id).status is state


def test_health_check(client, db):
    assert notify_receipt(client, {"health_check": "true"}).json == {"status": "ok"}


@pytest.mark.parametrize("authorization", [None, "Bearer wrong-token", "callback-token-5b1c0f"])
def test_callback_without_the_bearer_token_is_refused(client, sent, authorization):
    headers = {"Authorization": authorization} if authorization else {}
    response = client.post(
        NOTIFY_STATUS, json={"id": sent.provider_ref, "status": "delivered"}, headers=headers
    )
    assert response.status_code == 403
    assert _db.session.get(Invitation, sent.id).status is S.SENT


def test_no_inbound_texts_through_notify(client, app, sent):
    # Replies to a Notify text never reach us; the Twilio webhook does not know this invitation.
    assert text(client, app, PHONE, "5") == []


def test_a_temporary_failure_is_sent_again_later_until_attempts_run_out(
    app, client, sent, notify_standin
):
    """GC Notify's temporary-failure (phone off) is transient: the invitation is sent again
    with backoff, and after SEND_MAX_ATTEMPTS it stays undelivered."""

    def temporary_failure() -> None:
        invitation = _db.session.get(Invitation, sent.id)
        receipt = {
            "id": invitation.provider_ref,
            "reference": invitation.id,
            "to": PHONE,
            "status": "temporary-failure",
            "notification_type": "sms",
        }
        assert notify_receipt(client, receipt).status_code == 200

    temporary_failure()
    invitation = _db.session.get(Invitation, sent.id)
    assert (invitation.status, invitation.reason) == (S.SCHEDULED, "receipt_temporary")
    assert invitation.due_at > utcnow() + timedelta(seconds=20)
    assert invitation.token_hash is not None  # the same link goes with the next attempt

    app.config["SEND_MAX_ATTEMPTS"] = 2
    try:
        dispatch(now=invitation.due_at + timedelta(seconds=1))
        _db.session.refresh(invitation)
        assert invitation.status is S.SENT and invitation.attempts == 2
        assert len(notify_standin.notifications) == 2
        temporary_failure()
        _db.session.refresh(invitation)
        assert (invitation.status, invitation.reason) == (
            S.UNDELIVERED,
            "receipt_temporary_retries_exhausted",
        )
    finally:
        app.config["SEND_MAX_ATTEMPTS"] = 5
