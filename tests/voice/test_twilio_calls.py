"""Whole calls through Twilio's voice webhooks: signed requests, TwiML read back as XML.

A caller transferred at the end of a call: the language menu, each question by keypad, one
repeat on a silence or a key that is not an answer, answers saved as they come, the thank-you
and hang-up; the status callback closes the invitation.
"""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from twilio.request_validator import RequestValidator

from feedback.consent.models import OptOut
from feedback.contacts.models import ContactEvent
from feedback.conversations.models import Conversation
from feedback.extensions import db as _db
from feedback.invitations.models import Invitation, InvitationStatus
from feedback.responses.models import Answer, Response
from tests.conversations.helpers import dispatch, invite, sms_event
from tests.voice.helpers import (
    OVERALL_EN,
    OVERALL_FR,
    PUBLIC,
    TwilioCall,
    hung_up,
    said,
    twilio_post,
    twiml,
    voice_setup,
)

S = InvitationStatus
EN, FR = "en-CA", "fr-CA"
MENU = [("For English, press 1.", EN), ("Pour le français, appuyez sur le 2.", FR)]
INTRO_EN = (
    "Thank you for taking our short survey about your contact with Passport services. "
    "Please answer with the keys of your phone."
)
INTRO_FR = (
    "Merci de répondre à notre court sondage sur votre communication avec Services de "
    "passeport. Veuillez répondre à l'aide du clavier de votre téléphone."
)
OVERALL_EN_KEYS = f"{OVERALL_EN} Press a number from 1 to 5, 5 being the best."
OVERALL_FR_KEYS = f"{OVERALL_FR} Appuyez sur un chiffre de 1 à 5, 5 étant la meilleure note."
RECOMMEND_EN = (
    "How likely are you to recommend this service to a friend? Press a number from 0 to 10, "
    "10 meaning extremely likely, then the pound key."
)
RESOLVED_EN = "Was your question resolved? Press 1 for yes, or 2 for no."
HOW_EN = "How did you contact us? By phone: press 1. Online: press 2. In person: press 3."
THANKS_EN = ("Thank you for your answers. Goodbye.", EN)
TRANSFER = "program=passport&contact_type=call"


def answers(invitation_id: str) -> dict[str, object]:
    response = Response.query.filter_by(invitation_id=invitation_id).one()
    return {
        a.question.code: a.value_int
        if a.value_int is not None
        else a.value_choice or a.value_text or a.recording_ref
        for a in response.answers
    }


def the_invitation() -> Invitation:
    _db.session.expire_all()
    return Invitation.query.one()


def counts() -> tuple[int, ...]:
    return tuple(
        _db.session.scalar(select(func.count()).select_from(model))
        for model in (ContactEvent, Invitation, Response, Answer, Conversation)
    )


@pytest.fixture()
def call(client, app):
    return TwilioCall(client, app)


def test_a_whole_call_in_english_after_the_language_menu(db, call):
    voice_setup()
    menu = call.start(TRANSFER)
    assert said(menu) == MENU
    gather = call.gather
    assert gather.get("numDigits") == "1" and gather.get("input") == "dtmf"
    assert gather.get("action") == (
        f"{PUBLIC}/hooks/voice_twilio/language?program=passport&contact_type=call&attempt=0"
    )
    assert ContactEvent.query.count() == 0  # recorded once the caller's language is known

    assert said(call.press("1")) == [(INTRO_EN, EN), (OVERALL_EN_KEYS, EN)]
    assert call.gather.get("action") == f"{PUBLIC}/hooks/voice_twilio/keys?step=0.0"
    assert (call.gather.get("numDigits"), call.gather.get("timeout")) == ("1", "6")
    assert said(call.press("4")) == [(RECOMMEND_EN, EN)]
    assert (call.gather.get("numDigits"), call.gather.get("finishOnKey")) == ("2", "#")
    assert said(call.press("10")) == [(RESOLVED_EN, EN)]
    assert said(call.press("1")) == [(HOW_EN, EN)]
    # The free-text question is skipped: the rule does not ask for recordings.
    last = call.press("3")
    assert said(last) == [THANKS_EN] and hung_up(last) and last.find("Gather") is None

    invitation = the_invitation()
    assert invitation.status is S.COMPLETED and invitation.language == "en"
    assert invitation.channel == "voice_twilio" and invitation.provider_ref == call.sid
    assert invitation.phone is None  # not kept once the survey is over
    event = invitation.event
    assert (event.source, event.external_id, event.contact_type) == (
        "voice_twilio",
        call.sid,
        "call",
    )
    assert answers(invitation.id) == {
        "overall": 4,
        "recommend": 10,
        "resolved": 1,
        "how": "office",
    }
    response = Response.query.one()
    assert response.is_complete and response.language == "en"
    # The status callback after a completed survey changes nothing.
    assert call.status("completed").status_code == 204
    assert the_invitation().status is S.COMPLETED


def test_a_whole_call_in_french(db, call):
    voice_setup()
    call.start(TRANSFER)
    assert said(call.press("2")) == [(INTRO_FR, FR), (OVERALL_FR_KEYS, FR)]
    assert said(call.press("5")) == [
        (
            "Quelle est la probabilité que vous recommandiez ce service à un ami? Appuyez sur un "
            "nombre de 0 à 10, 10 signifiant extrêmement probable, puis sur la touche carré.",
            FR,
        )
    ]
    assert said(call.press("7")) == [
        (
            "Votre question a-t-elle été réglée? Appuyez sur le 1 pour oui, ou sur le 2 pour non.",
            FR,
        )
    ]
    assert said(call.press("2")) == [
        (
            "Comment nous avez-vous joints? Par téléphone : appuyez sur le 1. En ligne : "
            "appuyez sur le 2. En personne : appuyez sur le 3.",
            FR,
        )
    ]
    last = call.press("1")
    assert said(last) == [("Merci de vos réponses. Au revoir.", FR)] and hung_up(last)
    invitation = the_invitation()
    assert invitation.language == "fr" and invitation.event.language == "fr"
    assert answers(invitation.id) == {"overall": 5, "recommend": 7, "resolved": 0, "how": "phone"}
    assert Response.query.one().language == "fr"


def test_the_language_given_by_the_transfer_skips_the_menu(db, call):
    voice_setup()
    assert said(call.start(f"{TRANSFER}&lang=fr")) == [(INTRO_FR, FR), (OVERALL_FR_KEYS, FR)]
    assert the_invitation().status is S.OPENED


def test_a_caller_who_hangs_up_leaves_a_partial_response(db, call):
    voice_setup()
    call.start(f"{TRANSFER}&lang=en")
    call.press("2")
    call.press("6")
    assert said(call.last) == [(RESOLVED_EN, EN)]
    # Saved as they came: two answers before the call ends.
    assert answers(the_invitation().id) == {"overall": 2, "recommend": 6}

    assert call.status("completed", CallDuration="41").status_code == 204
    invitation = the_invitation()
    assert (invitation.status, invitation.reason) == (S.EXPIRED, "call_ended")
    assert invitation.phone is None and invitation.completed_at is None
    response = Response.query.one()
    assert not response.is_complete and answers(invitation.id) == {"overall": 2, "recommend": 6}
    # A late request of the same call finds the survey closed.
    closed = call.press("1")
    assert said(closed) == [("Thank you for calling. Goodbye.", EN)] and hung_up(closed)
    assert answers(invitation.id) == {"overall": 2, "recommend": 6}


def test_silence_gets_the_question_once_more_then_the_next(db, call):
    voice_setup()
    call.start(f"{TRANSFER}&lang=en")
    again = call.press("")
    assert said(again) == [(f"Sorry, we did not hear your answer. {OVERALL_EN_KEYS}", EN)]
    assert call.gather.get("action") == f"{PUBLIC}/hooks/voice_twilio/keys?step=0.1"
    assert said(call.press("")) == [(RECOMMEND_EN, EN)]
    assert said(call.press("8")) == [(RESOLVED_EN, EN)]
    assert answers(the_invitation().id) == {"recommend": 8}


def test_invalid_keys_get_the_question_once_more_then_the_next(db, call):
    voice_setup()
    call.start(f"{TRANSFER}&lang=en")
    sorry = "Sorry, that key is not one of the choices."
    assert said(call.press("9")) == [(f"{sorry} {OVERALL_EN_KEYS}", EN)]
    assert said(call.press("5")) == [(RECOMMEND_EN, EN)]
    assert said(call.press("11")) == [(f"{sorry} {RECOMMEND_EN}", EN)]
    assert said(call.press("0")) == [(RESOLVED_EN, EN)]
    assert said(call.press("3")) == [(f"{sorry} {RESOLVED_EN}", EN)]
    assert said(call.press("*")) == [(HOW_EN, EN)]
    assert said(call.press("4")) == [(f"{sorry} {HOW_EN}", EN)]
    assert said(call.press("2")) == [THANKS_EN]
    assert answers(the_invitation().id) == {"overall": 5, "recommend": 0, "how": "online"}
    assert the_invitation().status is S.COMPLETED


def test_the_language_menu_is_asked_once_more_then_the_call_ends(db, call):
    voice_setup()
    call.start(TRANSFER)
    again = call.press("")
    assert said(again) == [
        ("Sorry, we did not get your choice.", EN),
        ("Désolé, nous n'avons pas reçu votre choix.", FR),
        *MENU,
    ]
    assert call.gather.get("action").endswith("attempt=1")
    goodbye = call.press("7")
    assert said(goodbye) == [
        ("Thank you for calling. Goodbye.", EN),
        ("Merci de votre appel. Au revoir.", FR),
    ]
    assert hung_up(goodbye)
    assert counts() == (0, 0, 0, 0, 0)


def test_a_contact_recorded_by_the_call_centre_before_the_transfer(db, call):
    voice_setup()
    invitation = invite(sms_event(7, language="fr"))  # source crm, external_id call-7
    assert invitation.status is S.SCHEDULED and invitation.channel == "voice_twilio"
    first = call.start("source=crm&external_id=call-7")
    assert said(first) == [(INTRO_FR, FR), (OVERALL_FR_KEYS, FR)]
    invitation = the_invitation()
    assert invitation.status is S.OPENED and invitation.provider_ref == call.sid
    assert invitation.sent_at is not None and ContactEvent.query.count() == 1
    call.press("3")
    assert answers(invitation.id) == {"overall": 3}


def test_a_transfer_after_the_worker_marked_the_invitation_offered(db, call, calls_standin):
    voice_setup()
    invite(sms_event(8))
    dispatch()  # nothing to send for a transfer: the invitation is marked sent
    assert the_invitation().status is S.SENT and calls_standin.calls == []
    assert said(call.start("source=crm&external_id=call-8"))[0] == (INTRO_EN, EN)
    assert the_invitation().provider_ref == call.sid
    # Another call cannot take the same invitation.
    other = TwilioCall(call.client, call.app)
    assert said(other.start("source=crm&external_id=call-8")) == [
        ("Thank you for calling. Goodbye.", EN)
    ]


def test_the_same_call_again_repeats_the_current_question(db, call):
    voice_setup()
    call.start(f"{TRANSFER}&lang=en")
    call.press("4")
    assert said(call.start(f"{TRANSFER}&lang=en")) == [(RECOMMEND_EN, EN)]
    assert ContactEvent.query.count() == 1  # ingest is idempotent on the call's id


def test_no_survey_when_the_rule_does_not_survey_calls_by_phone(db, call):
    voice_setup(contact_type="counter")
    goodbye = call.start(f"{TRANSFER}&lang=en")
    assert said(goodbye) == [("Thank you for calling. Goodbye.", EN)] and hung_up(goodbye)
    assert the_invitation().status is S.SKIPPED  # recorded, with its reason, but not offered


def test_a_withheld_number_cannot_be_surveyed(db, client, app):
    voice_setup()
    anonymous = TwilioCall(client, app, caller="anonymous")
    assert said(anonymous.start(f"{TRANSFER}&lang=en")) == [("Thank you for calling. Goodbye.", EN)]
    assert counts() == (0, 0, 0, 0, 0)


def test_a_spoken_answer_when_the_rule_asks_for_recordings(db, call):
    voice_setup(channel_options={"record_answers": True})
    call.start(f"{TRANSFER}&lang=en")
    for digits in ("5", "9", "1"):
        call.press(digits)
    prompt = call.press("1")
    assert said(prompt) == [
        (
            "What could we do better? After the tone, please answer in your own words. Your "
            "answer will be recorded. Press the pound key when you are done.",
            EN,
        )
    ]
    record = prompt.find("Record")
    assert record.get("action") == f"{PUBLIC}/hooks/voice_twilio/recording?step=4.0"
    assert (record.get("maxLength"), record.get("finishOnKey"), record.get("playBeep")) == (
        "60",
        "#",
        "true",
    )
    assert prompt.find("Redirect").text == record.get("action")
    # Nothing said: asked once more.
    assert said(call.speak(None))[0][0].startswith("Sorry, we did not hear your answer.")
    url = "https://api.twilio.com/2010-04-01/Accounts/AC00/Recordings/RE0123456789abcdef"
    assert said(call.speak(url)) == [THANKS_EN]
    answer = Answer.query.filter(Answer.recording_ref.is_not(None)).one()
    assert (answer.recording_ref, answer.value_text) == (url, None)
    assert answers(the_invitation().id)["comment"] == url


def test_requests_without_a_valid_signature_are_refused_and_change_nothing(db, client, app, call):
    voice_setup()
    call.start(f"{TRANSFER}&lang=en")
    before = counts()
    url = f"{PUBLIC}/hooks/voice_twilio/keys"
    form = {"CallSid": call.sid, "Digits": "5"}
    unsigned = client.post("/hooks/voice_twilio/keys", data=form)
    forged = twilio_post(client, app, url, form, token="not-the-auth-token")
    # Signed for other parameters than those posted.
    other = RequestValidator(app.config["TWILIO_AUTH_TOKEN"]).compute_signature(
        url, {**form, "Digits": "4"}
    )
    tampered = client.post(
        "/hooks/voice_twilio/keys", data=form, headers={"X-Twilio-Signature": other}
    )
    for response in (unsigned, forged, tampered):
        assert response.status_code == 403
        assert response.get_json()["error"]["code"] == "forbidden"
    assert counts() == before and Response.query.count() == 0
    assert said(call.press("5")) == [(RECOMMEND_EN, EN)]  # the call goes on, signed


def test_a_signature_for_another_host_is_refused(db, client, app):
    voice_setup()
    form = {"CallSid": "CA" + "1" * 32, "From": "+16135550123"}
    response = twilio_post(
        client, app, f"http://evil.test/hooks/voice_twilio/call?{TRANSFER}&lang=en", form
    )
    assert response.status_code == 403 and counts() == (0, 0, 0, 0, 0)


def test_no_opt_out_is_recorded_for_an_unfinished_call(db, call):
    voice_setup()
    call.start(f"{TRANSFER}&lang=en")
    call.status("completed")
    assert OptOut.query.count() == 0


def test_the_menus_answer_again_does_not_answer_a_question(db, call):
    """Twilio requesting the menu's action twice: the second time repeats the question."""
    voice_setup()
    call.start(TRANSFER)
    menu = call.gather.get("action")
    call.press("1")
    again = twilio_post(
        call.client, call.app, menu, {"CallSid": call.sid, "From": call.caller, "Digits": "1"}
    )
    assert said(twiml(again)) == [(OVERALL_EN_KEYS, EN)]
    assert Response.query.count() == 0 and ContactEvent.query.count() == 1


def test_a_call_dropped_mid_survey_is_closed_like_a_hang_up(db, call):
    voice_setup()
    call.start(f"{TRANSFER}&lang=en")
    call.press("3")
    call.status("failed")
    invitation = the_invitation()
    assert (invitation.status, invitation.reason) == (S.EXPIRED, "call_ended")
    assert answers(invitation.id) == {"overall": 3}


# --- A reply Twilio sends again ----------------------------------------------------------------


def conversation_at() -> tuple[int, int]:
    """The question the call is at, and how often it was re-asked."""
    _db.session.expire_all()
    conversation = Conversation.query.one()
    return conversation.position, conversation.reprompts


def saved() -> tuple[object, ...]:
    return counts(), answers(the_invitation().id), conversation_at()


def test_keys_sent_twice_answer_the_question_once(db, call):
    """The same signed /keys again (Twilio's retry, or a replay): the same TwiML, nothing new."""
    voice_setup()
    call.start(f"{TRANSFER}&lang=en")
    action = call.gather.get("action")
    form = {"CallSid": call.sid, "From": call.caller, "Digits": "4"}
    first = twilio_post(call.client, call.app, action, form)
    assert said(twiml(first)) == [(RECOMMEND_EN, EN)]
    before = saved()
    assert before[1:] == ({"overall": 4}, (1, 0))

    again = twilio_post(call.client, call.app, action, form)
    assert again.get_data() == first.get_data()
    assert saved() == before
    call.last = twiml(again)
    assert said(call.press("9")) == [(RESOLVED_EN, EN)]
    assert answers(the_invitation().id) == {"overall": 4, "recommend": 9}


def test_keys_for_a_question_already_answered_change_nothing(db, call):
    """A late request for an earlier step, validly signed: the current question again."""
    voice_setup()
    call.start(f"{TRANSFER}&lang=en")
    earlier = call.gather.get("action")
    assert earlier == f"{PUBLIC}/hooks/voice_twilio/keys?step=0.0"
    call.press("4")
    call.press("9")
    before = saved()
    late = twilio_post(
        call.client, call.app, earlier, {"CallSid": call.sid, "From": call.caller, "Digits": "2"}
    )
    assert said(twiml(late)) == [(RESOLVED_EN, EN)]
    assert twiml(late).find("Gather").get("action") == call.gather.get("action")
    assert saved() == before
    assert before[1] == {"overall": 4, "recommend": 9}


def test_a_silence_sent_again_does_not_skip_the_question(db, call):
    """Re-asked after a silence, the question is a new step: the silence again is stale and
    does not move the survey on (a second silence for the re-asked question would)."""
    voice_setup()
    call.start(f"{TRANSFER}&lang=en")
    action = call.gather.get("action")
    form = {"CallSid": call.sid, "From": call.caller, "Digits": ""}
    twiml(twilio_post(call.client, call.app, action, form))
    assert conversation_at() == (0, 1)
    again = twiml(twilio_post(call.client, call.app, action, form))
    assert said(again) == [(OVERALL_EN_KEYS, EN)]
    assert again.find("Gather").get("action") == f"{PUBLIC}/hooks/voice_twilio/keys?step=0.1"
    assert conversation_at() == (0, 1)
    call.last = again
    assert said(call.press("3")) == [(RECOMMEND_EN, EN)]
    assert answers(the_invitation().id) == {"overall": 3}


def test_a_recording_for_another_step_is_not_saved(db, call):
    voice_setup(channel_options={"record_answers": True})
    call.start(f"{TRANSFER}&lang=en")
    for digits in ("5", "9", "1", "1"):
        call.press(digits)
    record = call.last.find("Record")
    before = saved()
    late = twilio_post(
        call.client,
        call.app,
        f"{PUBLIC}/hooks/voice_twilio/recording?step=3.0",
        {"CallSid": call.sid, "RecordingUrl": "https://api.twilio.test/Recordings/RE1"},
    )
    assert twiml(late).find("Record").get("action") == record.get("action")
    assert saved() == before and "comment" not in before[1]


def test_keys_without_a_step_answer_the_current_question(db, call):
    """A hand-made request (the README's walk-through) carries no step."""
    voice_setup()
    call.start(f"{TRANSFER}&lang=en")
    form = {"CallSid": call.sid, "From": call.caller, "Digits": "4"}
    reply = twilio_post(call.client, call.app, f"{PUBLIC}/hooks/voice_twilio/keys", form)
    assert said(twiml(reply)) == [(RECOMMEND_EN, EN)]
    assert answers(the_invitation().id) == {"overall": 4}
