"""Whole SMS conversations through Twilio: the invitation through the Messages API (a local
stand-in), every reply through the signed inbound webhook, answered in TwiML."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from twilio.request_validator import RequestValidator

from feedback.consent.models import OptOut
from feedback.conversations.models import Conversation
from feedback.extensions import db as _db
from feedback.invitations.models import Invitation, InvitationStatus
from feedback.responses.models import Answer, Response
from tests.conversations.helpers import OTHER_PHONE, PHONE, dispatch, invite, sms_event, sms_setup
from tests.factories import make_rule
from tests.sms.helpers import INBOUND, TWILIO_FROM, inbound_params, replies, signed_post, text

S = InvitationStatus


def counts() -> tuple[int, ...]:
    return tuple(
        _db.session.scalar(select(func.count()).select_from(model))
        for model in (Response, Answer, Conversation, OptOut)
    )


def answers(invitation: Invitation) -> dict[str, object]:
    response = Response.query.filter_by(invitation_id=invitation.id).one()
    return {
        a.question.code: a.value_int if a.value_int is not None else a.value_choice or a.value_text
        for a in response.answers
    }


@pytest.fixture()
def invited(db, twilio_standin):
    """A conversation-mode invitation sent by text to PHONE, in English."""
    sms_setup("sms_twilio")
    invitation = invite(sms_event())
    dispatch()
    db.session.refresh(invitation)
    return invitation


def test_the_invitation_goes_through_twilios_messages_api(invited, twilio_standin):
    [message] = twilio_standin.messages
    assert message["To"] == PHONE and message["From"] == TWILIO_FROM
    assert message["StatusCallback"] == "http://survey.test/hooks/sms_twilio/status"
    assert message["Body"].startswith("Passport services: how did we do?")
    assert "(1/5) Overall, how satisfied" in message["Body"]
    assert invited.status is S.SENT
    assert invited.provider_ref.startswith("SM") and len(invited.provider_ref) == 34


def test_complete_conversation(client, app, invited):
    assert text(client, app, PHONE, "5") == [
        "(2/5) How likely are you to recommend this service to a friend?\n"
        "Reply with a number from 0 to 10 (10 = extremely likely)."
    ]
    assert text(client, app, PHONE, "10")[0].startswith("(3/5)")
    assert text(client, app, PHONE, "yes")[0].startswith("(4/5)")
    assert text(client, app, PHONE, "1")[0].startswith("(5/5)")
    assert text(client, app, PHONE, "Nothing, it was perfect.") == [
        "Thank you! Your answers will help us improve our services."
    ]
    invitation = _db.session.get(Invitation, invited.id)
    assert invitation.status is S.COMPLETED
    assert answers(invitation) == {
        "overall": 5,
        "recommend": 10,
        "resolved": 1,
        "how": "phone",
        "comment": "Nothing, it was perfect.",
    }
    assert Response.query.one().is_complete
    assert text(client, app, PHONE, "thanks!") == []  # closed: no survey, nothing breaks


def test_partial_conversation_is_a_partial_response(client, app, invited):
    text(client, app, PHONE, "3")
    text(client, app, PHONE, "6")
    response = Response.query.one()
    assert not response.is_complete
    assert answers(invited) == {"overall": 3, "recommend": 6}
    assert _db.session.get(Invitation, invited.id).status is S.OPENED


def test_invalid_replies_get_one_reprompt_then_the_survey_moves_on(client, app, invited):
    assert text(client, app, PHONE, "very good") == [
        "Sorry, we did not understand. Reply with a number from 1 to 5 (5 = very good)."
    ]
    assert text(client, app, PHONE, "super")[0].startswith("(2/5)")
    assert text(client, app, PHONE, "8")[0].startswith("(3/5)")
    assert text(client, app, PHONE, "maybe")[0].startswith("Sorry, we did not understand.")
    assert text(client, app, PHONE, "OUI")[0].startswith("(4/5)")
    assert answers(invited) == {"recommend": 8, "resolved": 1}


def test_stop_mid_survey(client, app, invited, twilio_standin):
    text(client, app, PHONE, "4")
    assert text(client, app, PHONE, "Stop") == [
        "You will no longer receive our feedback surveys. Reply START to receive them again."
    ]
    assert _db.session.get(Invitation, invited.id).status is S.OPTED_OUT
    assert answers(invited) == {"overall": 4}
    # Nothing afterwards: no second confirmation, no answer taken, no new invitation sent.
    assert text(client, app, PHONE, "STOP") == []
    assert text(client, app, PHONE, "5") == []
    later = invite(sms_event(2, phone=PHONE))
    assert later.status is S.SKIPPED and later.reason == "opted_out"
    assert len(twilio_standin.messages) == 1
    # START re-enables texts.
    assert text(client, app, PHONE, "start") == [
        "You will receive our survey texts again. Reply STOP to opt out."
    ]
    assert OptOut.query.count() == 0


def test_help(client, app, invited):
    [reply] = text(client, app, PHONE, "HELP")
    assert reply.startswith("Passport services client feedback survey. Reply STOP to opt out.")
    assert _db.session.get(Invitation, invited.id).status is S.SENT


def test_a_french_keyword_is_answered_in_french(client, app, invited):
    [reply] = text(client, app, PHONE, "AIDE")
    assert reply == (
        "Sondage de satisfaction de Services de passeport. Répondez ARRET pour vous désabonner. "
        "Info : http://survey.test/privacy"
    )


def test_unknown_number_gets_nothing(client, app, invited):
    before = counts()
    assert text(client, app, OTHER_PHONE, "5") == []
    assert text(client, app, OTHER_PHONE, "") == []
    assert counts() == before


def test_french_conversation(client, app, db, twilio_standin):
    sms_setup("sms_twilio")
    invitation = invite(sms_event(language="fr"))
    dispatch()
    [message] = twilio_standin.messages
    assert message["Body"] == (
        "Services de passeport : votre avis compte. Répondez à quelques questions par texto. "
        "Répondez OK pour commencer, ou ARRET pour vous désabonner."
    )
    assert text(client, app, PHONE, "ok") == [
        "(1/5) Dans l'ensemble, êtes-vous satisfait du service reçu?\n"
        "Répondez de 1 à 5 (5 = très bon)."
    ]
    for reply in ("4", "9", "Non", "2", "Rien à signaler"):
        assert text(client, app, PHONE, reply)
    assert answers(invitation) == {
        "overall": 4,
        "recommend": 9,
        "resolved": 0,
        "how": "online",
        "comment": "Rien à signaler",
    }


@pytest.mark.parametrize(
    "headers",
    [
        {},  # no signature at all
        {"X-Twilio-Signature": "bm90IGEgc2lnbmF0dXJl"},
    ],
)
def test_missing_or_wrong_signature_is_refused_and_changes_nothing(client, invited, headers):
    before = counts()
    response = client.post(INBOUND, data=inbound_params(PHONE, "STOP"), headers=headers)
    assert response.status_code == 403
    assert response.json["error"]["code"] == "forbidden"
    assert counts() == before
    assert _db.session.get(Invitation, invited.id).status is S.SENT


def test_signature_with_another_token_or_url_is_refused(client, app, invited):
    before = counts()
    params = inbound_params(PHONE, "STOP")
    assert signed_post(client, app, INBOUND, params, token="not-the-token").status_code == 403
    # Signed over the URL this test client used, not the public one Twilio calls.
    local = signed_post(client, app, INBOUND, params, url=f"http://localhost{INBOUND}")
    assert local.status_code == 403
    # Tampering with a signed field breaks the signature.
    signature = RequestValidator(app.config["TWILIO_AUTH_TOKEN"]).compute_signature(
        f"http://survey.test{INBOUND}", params
    )
    tampered = client.post(
        INBOUND, data={**params, "Body": "START"}, headers={"X-Twilio-Signature": signature}
    )
    assert tampered.status_code == 403
    assert counts() == before


def test_the_public_url_holds_behind_a_proxy(client, app, invited):
    """The app sees http://localhost (a TLS terminator in front); the signature still holds."""
    response = signed_post(client, app, INBOUND, inbound_params(PHONE, "4"))
    assert replies(response)[0].startswith("(2/5)")


def test_stop_through_twilio_stops_texts_waiting_at_gc_notify(
    client, app, db, twilio_standin, notify_standin
):
    program, version, _ = sms_setup("sms_twilio", fatigue_days=0)
    make_rule(
        program,
        version,
        channel="sms_notify",
        contact_type="visit",
        delay_minutes=60,
        quiet_start_hour=0,
        quiet_end_hour=0,
        fatigue_days=0,
    )
    db.session.commit()
    invite(sms_event())
    dispatch()
    waiting = invite(sms_event(2, contact_type="visit"))
    assert (waiting.channel, waiting.status) == ("sms_notify", S.SCHEDULED)

    assert len(text(client, app, PHONE, "ARRET")) == 1  # one confirmation
    waiting = _db.session.get(Invitation, waiting.id)
    assert (waiting.status, waiting.reason) == (S.OPTED_OUT, "opt_out_sms_keyword")
    assert dispatch() == [] and notify_standin.notifications == []


def test_a_text_redelivered_by_twilio_is_answered_once(client, app, invited):
    """Twilio retries a webhook it got no answer to, with the same MessageSid."""
    params = inbound_params(PHONE, "5")
    first = replies(signed_post(client, app, INBOUND, params))
    assert first[0].startswith("(2/5)")
    assert replies(signed_post(client, app, INBOUND, params)) == []
    assert answers(invited) == {"overall": 5}
    assert text(client, app, PHONE, "9")[0].startswith("(3/5)")
    assert answers(invited) == {"overall": 5, "recommend": 9}
