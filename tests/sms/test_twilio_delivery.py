"""Sending through Twilio and its delivery receipts: refusals, retries, receipts' states."""

from __future__ import annotations

from datetime import timedelta

import pytest

from feedback.db_types import utcnow
from feedback.extensions import db as _db
from feedback.invitations.models import Invitation, InvitationStatus
from tests.conversations.helpers import PHONE, dispatch, invite, sms_event, sms_setup
from tests.sms.helpers import STATUS, receipt, text

S = InvitationStatus


def sent(db) -> Invitation:
    sms_setup("sms_twilio")
    invitation = invite(sms_event())
    dispatch()
    db.session.refresh(invitation)
    assert invitation.status is S.SENT
    return invitation


@pytest.mark.parametrize(
    ("status", "code", "detail"),
    [
        (400, 21211, "Twilio 400 error 21211"),  # not a valid phone number
        (400, 21610, "Twilio 400 error 21610"),  # the number texted STOP to Twilio
        (400, 21614, "Twilio 400 error 21614"),  # not a mobile number
    ],
)
def test_a_permanent_refusal_is_not_retried(db, twilio_standin, status, code, detail):
    sms_setup("sms_twilio")
    invitation = invite(sms_event())
    twilio_standin.refuse_next(status, code, f"The 'To' number {PHONE} is refused.")
    dispatch()
    db.session.refresh(invitation)
    assert (invitation.status, invitation.reason) == (S.FAILED, "permanent_failure")
    assert invitation.last_error == detail  # no phone number kept from Twilio's message
    assert invitation.token_hash is None and invitation.phone is None


@pytest.mark.parametrize(("status", "code"), [(429, 20429), (500, 20500), (503, 20503)])
def test_a_transient_refusal_is_retried_later(db, twilio_standin, status, code):
    sms_setup("sms_twilio")
    invitation = invite(sms_event())
    twilio_standin.refuse_next(status, code, "Too many requests")
    dispatch()
    db.session.refresh(invitation)
    assert (invitation.status, invitation.reason) == (S.SCHEDULED, "transient_failure")
    assert invitation.due_at > utcnow() + timedelta(seconds=20)  # backoff, with jitter
    assert invitation.attempts == 1 and twilio_standin.messages == []
    invitation.due_at = utcnow()
    db.session.commit()
    dispatch()  # the next sweep sends it
    db.session.refresh(invitation)
    assert invitation.status is S.SENT and invitation.attempts == 2
    assert len(twilio_standin.messages) == 1


def test_delivered_receipt(client, app, db):
    invitation = sent(db)
    sent_at = invitation.sent_at
    assert receipt(client, app, invitation.provider_ref, "sent").status_code == 204
    assert _db.session.get(Invitation, invitation.id).status is S.SENT  # a step, not an end
    assert receipt(client, app, invitation.provider_ref, "delivered").status_code == 204
    delivered = _db.session.get(Invitation, invitation.id)
    assert delivered.status is S.DELIVERED and delivered.sent_at == sent_at
    assert [t.to_status for t in delivered.transitions][-1] is S.DELIVERED
    # A delivered invitation is still answered.
    assert text(client, app, PHONE, "5")[0].startswith("(2/5)")


@pytest.mark.parametrize(
    ("status", "state"), [("undelivered", S.UNDELIVERED), ("failed", S.FAILED)]
)
def test_undelivered_and_failed_receipts(client, app, db, status, state):
    invitation = sent(db)
    response = receipt(client, app, invitation.provider_ref, status, ErrorCode="30003")
    assert response.status_code == 204
    after = _db.session.get(Invitation, invitation.id)
    assert after.status is state and after.reason == f"receipt_{status}"
    assert after.last_error == f"Twilio receipt {status}, error 30003"
    assert after.sent_at is not None and after.phone is None


def test_late_or_unknown_receipts_change_nothing(client, app, db):
    invitation = sent(db)
    text(client, app, PHONE, "4")  # the client already answers: opened
    assert receipt(client, app, invitation.provider_ref, "delivered").status_code == 204
    assert receipt(client, app, invitation.provider_ref, "undelivered").status_code == 204
    assert _db.session.get(Invitation, invitation.id).status is S.OPENED
    assert receipt(client, app, "SM" + "f" * 32, "delivered").status_code == 204


def test_receipt_with_a_bad_signature_is_refused(client, app, db):
    invitation = sent(db)
    params = {"MessageSid": invitation.provider_ref, "MessageStatus": "failed"}
    response = client.post(STATUS, data=params, headers={"X-Twilio-Signature": "AAAA"})
    assert response.status_code == 403
    assert _db.session.get(Invitation, invitation.id).status is S.SENT
