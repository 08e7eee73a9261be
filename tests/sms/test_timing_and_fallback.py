"""Quiet hours for texts (21:00-08:00 by default, in the client's zone, else the program's),
and the fall back to email for a client whose phone cannot be used."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from feedback.db_types import utcnow
from feedback.invitations.models import Invitation, InvitationStatus
from feedback.programs.models import Program
from tests.conversations.helpers import PHONE, dispatch, invite, sms_event, sms_setup
from tests.factories import make_api_key

S = InvitationStatus


def zone_where_it_is(hour: int) -> str:
    """A fixed-offset zone whose local time is now within `hour` (Etc/GMT+5 is UTC-5)."""
    now = utcnow()
    for offset in range(-12, 15):
        name = f"Etc/GMT{'-' if offset > 0 else '+'}{abs(offset)}" if offset else "Etc/GMT"
        if now.astimezone(ZoneInfo(name)).hour == hour:
            return name
    raise AssertionError(f"no zone at {hour}h")


def next_local(zone: str, hour: int) -> datetime:
    local = utcnow().astimezone(ZoneInfo(zone))
    moment = local.replace(hour=hour, minute=0, second=0, microsecond=0)
    return moment if moment > local else moment + timedelta(days=1)


def test_texts_wait_for_the_morning_in_the_clients_zone(db, twilio_standin):
    sms_setup("sms_twilio", quiet_start_hour=None, quiet_end_hour=None)  # the channel's 21-8
    late = zone_where_it_is(23)
    invitation = invite(sms_event(timezone=late))
    assert invitation.due_at == next_local(late, 8)
    assert dispatch() == [] and twilio_standin.messages == []


def test_the_programs_zone_when_the_clients_is_unknown(db):
    sms_setup("sms_twilio", quiet_start_hour=None, quiet_end_hour=None)
    late = zone_where_it_is(22)
    Program.query.one().timezone = late
    db.session.commit()
    invitation = invite(sms_event(timezone=None))
    assert invitation.due_at == next_local(late, 8)


def test_daytime_texts_go_now_and_email_has_no_default_quiet_hours(db):
    _, _, rule = sms_setup("sms_twilio", quiet_start_hour=None, quiet_end_hour=None)
    assert invite(sms_event(timezone=zone_where_it_is(12))).due_at <= utcnow()
    rule.channel = "email"
    db.session.commit()
    late = invite(sms_event(2, email="client2@example.org", timezone=zone_where_it_is(23)))
    assert late.channel == "email" and late.due_at <= utcnow()


def test_equal_hours_turn_quiet_hours_off(db, twilio_standin):
    sms_setup("sms_twilio", quiet_start_hour=0, quiet_end_hour=0)
    invite(sms_event(timezone=zone_where_it_is(23)))
    assert len(dispatch()) == 1 and len(twilio_standin.messages) == 1


def test_a_text_claimed_in_the_evening_waits_again(db, twilio_standin):
    """Planned by day, claimed late (a worker was down): not sent until morning."""
    sms_setup("sms_twilio", quiet_start_hour=None, quiet_end_hour=None)
    invitation = invite(sms_event(timezone=zone_where_it_is(12)))
    late = zone_where_it_is(23)
    invitation.timezone = late
    db.session.commit()
    dispatch()
    db.session.refresh(invitation)
    assert (invitation.status, invitation.reason) == (S.SCHEDULED, "quiet_hours")
    assert invitation.due_at == next_local(late, 8)
    assert invitation.attempts == 0 and twilio_standin.messages == []


def post(client, key: str, payload: dict):
    return client.post("/api/v1/contacts", json=payload, headers={"Authorization": f"Bearer {key}"})


def test_invalid_phone_falls_back_to_email_when_the_rule_allows(client, db):
    sms_setup("sms_twilio", fallback_channel="email")
    key = make_api_key()
    payload = sms_event(phone="555-12", email="client1@example.org")
    response = post(client, key, payload)
    assert response.status_code == 201, response.json
    invitation = Invitation.query.one()
    assert (invitation.channel, invitation.reason) == ("email", "fallback_invalid_phone")
    assert invitation.status is S.SCHEDULED and invitation.mode.value == "link"
    assert invitation.email == "client1@example.org" and invitation.phone is None
    assert [t.reason for t in invitation.transitions] == ["fallback_invalid_phone"]


def test_no_phone_falls_back_to_email(db):
    sms_setup("sms_twilio", fallback_channel="email")
    invitation = invite(sms_event(phone=None, email="client1@example.org"))
    assert (invitation.channel, invitation.reason) == ("email", "fallback_no_contact_details")


@pytest.mark.parametrize(
    ("fallback", "client_details"),
    [
        (None, {"email": "client1@example.org"}),  # the rule has no fallback
        ("email", {}),  # nothing to fall back to
    ],
)
def test_otherwise_an_invalid_phone_is_a_field_error(client, db, fallback, client_details):
    sms_setup("sms_twilio", fallback_channel=fallback)
    key = make_api_key()
    response = post(client, key, sms_event(phone="555-12", **client_details))
    assert response.status_code == 422
    assert response.json["error"]["fields"] == {"client.phone": "is not a valid phone number"}
    assert Invitation.query.count() == 0


def test_valid_phone_uses_sms_even_with_a_fallback(db):
    sms_setup("sms_twilio", fallback_channel="email")
    invitation = invite(sms_event(email="client1@example.org"))
    assert (invitation.channel, invitation.phone, invitation.email) == ("sms_twilio", PHONE, None)
