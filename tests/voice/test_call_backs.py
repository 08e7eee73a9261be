"""Call-backs: the worker places the call through Twilio's Calls API (a local stand-in) at an
allowed hour; the survey runs when the client answers; no answer, busy or an answering machine
is recorded as such, not as a refusal."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import pytest

from feedback.consent.models import OptOut
from feedback.db_types import utcnow
from feedback.extensions import db as _db
from feedback.invitations.models import Invitation, InvitationMode, InvitationStatus
from feedback.responses.models import Response
from tests.conversations.helpers import PHONE, dispatch, invite, sms_event
from tests.sms.test_timing_and_fallback import zone_where_it_is
from tests.voice.helpers import (
    OVERALL_EN,
    PUBLIC,
    TWILIO_NUMBER,
    TwilioCall,
    hung_up,
    said,
    voice_setup,
)

S = InvitationStatus
EN = "en-CA"


def refreshed(invitation: Invitation) -> Invitation:
    _db.session.expire_all()
    return _db.session.get(Invitation, invitation.id)


@pytest.fixture()
def placed(db, calls_standin):
    """A call-back planned for a 'call' contact and placed by the worker."""
    voice_setup(mode="callback")
    invitation = invite(sms_event())
    assert invitation.mode is InvitationMode.CALLBACK
    dispatch()
    return refreshed(invitation)


def test_the_worker_places_the_call_through_the_calls_api(placed, calls_standin):
    [request] = calls_standin.calls
    assert request["To"] == PHONE and request["From"] == TWILIO_NUMBER
    assert request["Url"] == f"{PUBLIC}/hooks/voice_twilio/call?invitation={placed.id}"
    assert request["StatusCallback"] == f"{PUBLIC}/hooks/voice_twilio/status"
    assert request["MachineDetection"] == "Enable"
    assert placed.status is S.SENT and placed.provider_ref == request["Sid"]
    assert placed.provider_ref.startswith("CA") and len(placed.provider_ref) == 34


def test_the_survey_runs_when_the_client_answers(placed, calls_standin, client, app):
    [request] = calls_standin.calls
    call = TwilioCall(client, app, sid=request["Sid"], caller=TWILIO_NUMBER)
    first = call.answer(request["Url"], AnsweredBy="human", Direction="outbound-api")
    assert said(first) == [
        ("Hello, this is an automated call.", EN),
        (
            "Thank you for taking our short survey about your contact with Passport services. "
            "Please answer with the keys of your phone.",
            EN,
        ),
        (f"{OVERALL_EN} Press a number from 1 to 5, 5 being the best.", EN),
    ]
    for digits in ("5", "9", "1"):
        call.press(digits)
    last = call.press("2")
    assert said(last) == [("Thank you for your answers. Goodbye.", EN)] and hung_up(last)
    assert refreshed(placed).status is S.COMPLETED
    assert Response.query.one().is_complete
    call.status("completed", AnsweredBy="human")
    assert refreshed(placed).status is S.COMPLETED


def test_an_answering_machine_is_recorded_as_voicemail(placed, calls_standin, client, app):
    [request] = calls_standin.calls
    call = TwilioCall(client, app, sid=request["Sid"])
    machine = call.answer(request["Url"], AnsweredBy="machine_start")
    assert said(machine) == [] and hung_up(machine)
    invitation = refreshed(placed)
    assert (invitation.status, invitation.reason) == (S.UNDELIVERED, "voicemail")
    assert invitation.phone is None
    assert call.status("completed", AnsweredBy="machine_start").status_code == 204
    assert refreshed(placed).reason == "voicemail"
    assert OptOut.query.count() == 0 and Response.query.count() == 0


@pytest.mark.parametrize(
    ("call_status", "status", "reason"),
    [
        ("no-answer", S.UNDELIVERED, "no_answer"),
        ("busy", S.UNDELIVERED, "busy"),
        ("canceled", S.UNDELIVERED, "canceled"),
        ("failed", S.FAILED, "call_failed"),
    ],
)
def test_an_unanswered_call_is_recorded_as_such(
    placed, calls_standin, client, app, call_status, status, reason
):
    [request] = calls_standin.calls
    TwilioCall(client, app, sid=request["Sid"]).status(call_status)
    invitation = refreshed(placed)
    assert (invitation.status, invitation.reason) == (status, reason)
    assert OptOut.query.count() == 0  # not a refusal: the client can be surveyed again


def test_machine_detection_in_the_status_callback_alone(placed, calls_standin, client, app):
    [request] = calls_standin.calls
    TwilioCall(client, app, sid=request["Sid"]).status("completed", AnsweredBy="machine_end_beep")
    assert refreshed(placed).reason == "voicemail"


def test_the_url_of_another_invitation_is_not_a_way_in(placed, calls_standin, client, app):
    """A call whose id is not the one Twilio gave when placing the call-back takes nothing."""
    [request] = calls_standin.calls
    stranger = TwilioCall(client, app)
    goodbye = stranger.answer(request["Url"], AnsweredBy="human")
    assert said(goodbye) == [("Thank you for calling. Goodbye.", EN)] and hung_up(goodbye)
    assert refreshed(placed).status is S.SENT


def test_call_backs_wait_for_an_allowed_hour(db, calls_standin):
    """The channel's default quiet hours (21:00-09:00, the client's time) hold the call."""
    voice_setup(mode="callback", quiet_start_hour=None, quiet_end_hour=None)
    zone = zone_where_it_is(23)
    invitation = invite(sms_event(timezone=zone))
    assert invitation.due_at.astimezone(ZoneInfo(zone)).hour == 9
    assert dispatch() == [] and calls_standin.calls == []


def test_a_number_twilio_refuses_fails_for_good(db, calls_standin):
    voice_setup(mode="callback")
    calls_standin.failures.append((400, 21211))
    invitation = invite(sms_event())
    dispatch()
    invitation = refreshed(invitation)
    assert (invitation.status, invitation.reason) == (S.FAILED, "permanent_failure")
    assert invitation.last_error == "Twilio 400 error 21211"


def test_twilio_unavailable_is_retried_later(db, calls_standin):
    voice_setup(mode="callback")
    calls_standin.failures.append((503, 20500))
    invitation = invite(sms_event())
    dispatch()
    invitation = refreshed(invitation)
    assert (invitation.status, invitation.reason) == (S.SCHEDULED, "transient_failure")
    assert invitation.due_at > utcnow() and calls_standin.calls == []
