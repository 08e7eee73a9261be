"""Whole calls through the generic JSON voice webhook: signed requests (HMAC-SHA256 over the
timestamp and the body), the next prompt in each response; replayed, stale and forged requests
refused with 403 and nothing changed."""

from __future__ import annotations

import json
import time
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from feedback.contacts.models import ContactEvent
from feedback.conversations.models import Conversation
from feedback.db_types import utcnow
from feedback.extensions import db as _db
from feedback.invitations.models import Invitation, InvitationStatus
from feedback.responses.models import Answer, Response
from feedback.webhooks.models import SeenSignature
from tests.conversations.helpers import invite, sms_event
from tests.voice.helpers import (
    OVERALL_EN,
    OVERALL_FR,
    WEBHOOK,
    WebhookCall,
    post_json,
    signed_headers,
    texts,
    voice_setup,
)

S = InvitationStatus
EN, FR = "en-CA", "fr-CA"
INTRO_EN = (
    "Thank you for taking our short survey about your contact with Passport services. "
    "Please answer with the keys of your phone."
)
OVERALL_EN_KEYS = f"{OVERALL_EN} Press a number from 1 to 5, 5 being the best."
RECOMMEND_EN = (
    "How likely are you to recommend this service to a friend? Press a number from 0 to 10, "
    "10 meaning extremely likely, then the pound key."
)
ONE_KEY = {"max_digits": 1, "timeout_seconds": 6, "finish_on_key": None}


def the_invitation() -> Invitation:
    _db.session.expire_all()
    return Invitation.query.one()


def answers() -> dict[str, object]:
    _db.session.expire_all()
    return {
        a.question.code: a.value_int if a.value_int is not None else a.value_choice
        for a in Answer.query.all()
    }


def counts() -> tuple[int, ...]:
    _db.session.expire_all()
    return tuple(
        _db.session.scalar(select(func.count()).select_from(model))
        for model in (ContactEvent, Invitation, Response, Answer, Conversation)
    )


@pytest.fixture()
def call(client):
    voice_setup("voice_webhook")
    return WebhookCall(client)


def test_a_whole_call_in_english_after_the_language_menu(call):
    menu = call.start(program="passport", contact_type="call")
    assert menu == {
        "call_id": call.call_id,
        "say": [
            {"text": "For English, press 1.", "language": "en", "locale": EN},
            {"text": "Pour le français, appuyez sur le 2.", "language": "fr", "locale": FR},
        ],
        "language": None,
        "collect": ONE_KEY,
        "end": False,
        "state": {"program": "passport", "contact_type": "call", "attempt": "0"},
    }
    first = call.press("1")
    assert texts(first) == [(INTRO_EN, EN), (OVERALL_EN_KEYS, EN)]
    assert (first["language"], first["collect"], first["state"]) == ("en", ONE_KEY, None)
    second = call.press("4")
    assert texts(second) == [(RECOMMEND_EN, EN)]
    assert second["collect"] == {"max_digits": 2, "timeout_seconds": 6, "finish_on_key": "#"}
    call.press("9#")  # the finish key passed on by the platform is not part of the answer
    call.press("2")
    last = call.press("1")
    assert texts(last) == [("Thank you for your answers. Goodbye.", EN)]
    assert last["end"] is True and last["collect"] is None
    invitation = the_invitation()
    assert invitation.status is S.COMPLETED and invitation.provider_ref == call.call_id
    assert (invitation.event.source, invitation.event.external_id) == (
        "voice_webhook",
        call.call_id,
    )
    assert answers() == {"overall": 4, "recommend": 9, "resolved": 0, "how": "phone"}
    assert call.end() == {"call_id": call.call_id, "closed": False}


def test_a_whole_call_in_french_when_the_platform_knows_the_language(call):
    first = call.start(program="passport", contact_type="call", language="fr")
    assert texts(first)[1] == (
        f"{OVERALL_FR} Appuyez sur un chiffre de 1 à 5, 5 étant la meilleure note.",
        FR,
    )
    assert first["language"] == "fr"
    for digits in ("5", "10", "1"):
        call.press(digits)
    last = call.press("3")
    assert texts(last) == [("Merci de vos réponses. Au revoir.", FR)] and last["end"]
    assert answers() == {"overall": 5, "recommend": 10, "resolved": 1, "how": "office"}
    assert Response.query.one().language == "fr"


def test_the_language_menu_once_more_then_goodbye(call):
    call.start(program="passport", contact_type="call")
    again = call.press("")
    assert texts(again)[:2] == [
        ("Sorry, we did not get your choice.", EN),
        ("Désolé, nous n'avons pas reçu votre choix.", FR),
    ]
    assert again["state"]["attempt"] == "1"
    goodbye = call.press("9")
    assert goodbye["end"] is True and goodbye["state"] is None
    assert counts() == (0, 0, 0, 0, 0)


def test_a_caller_who_hangs_up_leaves_a_partial_response(call):
    call.start(program="passport", contact_type="call", language="en")
    call.press("3")
    call.press("7")
    assert answers() == {"overall": 3, "recommend": 7}
    assert call.end("completed") == {"call_id": call.call_id, "closed": True}
    invitation = the_invitation()
    assert (invitation.status, invitation.reason) == (S.EXPIRED, "call_ended")
    assert not Response.query.one().is_complete and answers() == {"overall": 3, "recommend": 7}


def test_silence_and_invalid_keys(call):
    call.start(program="passport", contact_type="call", language="en")
    assert texts(call.press("")) == [(f"Sorry, we did not hear your answer. {OVERALL_EN_KEYS}", EN)]
    assert texts(call.press("8")) == [(RECOMMEND_EN, EN)]  # invalid after a repeat: moves on
    assert texts(call.press("42")) == [
        (f"Sorry, that key is not one of the choices. {RECOMMEND_EN}", EN)
    ]
    call.press("6")
    assert answers() == {"recommend": 6}


def test_a_contact_recorded_by_the_call_centre(call):
    invite(sms_event(5, language="fr", contact_type="call"))
    first = call.start(contact={"source": "crm", "external_id": "call-5"})
    assert first["language"] == "fr" and first["collect"] == ONE_KEY
    assert the_invitation().provider_ref == call.call_id


def test_a_replayed_request_is_refused_and_changes_nothing(call, client):
    call.start(program="passport", contact_type="call", language="en")
    body = json.dumps({"call_id": call.call_id, "event": "keys", "digits": "5"}).encode()
    headers = signed_headers(body)
    assert client.post(WEBHOOK, data=body, headers=headers).status_code == 200
    before, answered = counts(), answers()
    position = Conversation.query.one().position

    replay = client.post(WEBHOOK, data=body, headers=headers)
    assert replay.status_code == 403
    assert replay.get_json()["error"]["message"] == (
        "This request was already received: sign each request anew."
    )
    assert counts() == before and answers() == answered == {"overall": 5}
    assert Conversation.query.one().position == position
    # The same body signed anew (another second) is a new request.
    again = client.post(WEBHOOK, data=body, headers=signed_headers(body, at=int(time.time()) + 1))
    assert again.status_code == 200


@pytest.mark.parametrize(
    "forge",
    [
        pytest.param(lambda body: signed_headers(body, secret="not-the-secret"), id="wrong-secret"),
        pytest.param(lambda body: signed_headers(body.replace(b'"5"', b'"1"')), id="body-changed"),
        pytest.param(lambda body: signed_headers(body, at=int(time.time()) - 301), id="stale"),
        pytest.param(lambda body: signed_headers(body, at=int(time.time()) + 301), id="future"),
        pytest.param(
            lambda body: {**signed_headers(body), "X-Feedback-Signature": ""}, id="no-signature"
        ),
        pytest.param(
            lambda body: {**signed_headers(body), "X-Feedback-Timestamp": "yesterday"},
            id="bad-timestamp",
        ),
    ],
)
def test_a_forged_request_is_refused_and_changes_nothing(call, client, forge):
    call.start(program="passport", contact_type="call", language="en")
    before = counts()
    body = json.dumps({"call_id": call.call_id, "event": "keys", "digits": "5"}).encode()
    response = client.post(WEBHOOK, data=body, headers=forge(body))
    assert response.status_code == 403
    assert response.get_json()["error"]["code"] == "forbidden"
    assert counts() == before and answers() == {}
    assert SeenSignature.query.count() == 1  # the start's only


def test_a_forged_start_records_no_contact(call, client):
    payload = {"call_id": "c1", "event": "start", "caller": "+16135550123", "language": "en"}
    payload |= {"program": "passport", "contact_type": "call"}
    assert post_json(client, payload, secret="guessed").status_code == 403
    assert counts() == (0, 0, 0, 0, 0) and SeenSignature.query.count() == 0


@pytest.mark.parametrize("signed", [False, True])
def test_a_body_too_large_is_refused_before_anything_reads_it(call, client, signed):
    """A webhook body above WEBHOOK_MAX_CONTENT_LENGTH is refused with 413 whether or not it is
    signed, before the signature check reads it; nothing changes."""
    call.start(program="passport", contact_type="call", language="en")
    before = counts()
    body = json.dumps(
        {"call_id": call.call_id, "event": "keys", "digits": "5", "pad": "x" * 70_000}
    )
    headers = signed_headers(body.encode()) if signed else {}
    response = client.post(
        WEBHOOK, data=body, headers=headers | {"Content-Type": "application/json"}
    )
    assert response.status_code == 413
    assert response.get_json()["error"]["code"] == "request_entity_too_large"
    assert counts() == before and answers() == {}
    assert SeenSignature.query.count() == 1  # the start's only


def test_signatures_are_forgotten_once_too_old_to_replay(call, client):
    _db.session.add(
        SeenSignature(scope="voice_webhook", digest="0" * 64, expires_at=utcnow() - timedelta(1))
    )
    _db.session.commit()
    call.start(program="passport", contact_type="call", language="en")
    _db.session.expire_all()
    assert SeenSignature.query.filter_by(digest="0" * 64).count() == 0
    assert SeenSignature.query.count() == 1  # the start's


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        ({"event": "keys", "digits": "1"}, "'call_id' must be a string of 1 to 128 characters."),
        ({"call_id": "c1", "event": "ring"}, "'event' must be 'start', 'keys' or 'end'."),
        (
            {"call_id": "c1", "event": "keys", "digits": "12a"},
            "'digits' must be the keys pressed (0-9, * and #), or ''.",
        ),
        (
            {"call_id": "c1", "event": "start", "language": "de"},
            "'language' must be 'en', 'fr' or null.",
        ),
        (
            {"call_id": "c1", "event": "keys", "digits": "1", "state": "menu"},
            "'state' must be the object of the last response, unchanged.",
        ),
        (
            {"call_id": "c1", "event": "keys", "digits": "1", "step": 3},
            "'step' must be the 'step' of the last response, unchanged.",
        ),
        (
            {"call_id": "c1", "event": "end", "outcome": "hung_up"},
            "'outcome' must be one of completed, no_answer, busy, voicemail, failed, canceled.",
        ),
    ],
)
def test_malformed_requests(call, client, payload, message):
    response = post_json(client, payload)
    assert response.status_code == 400
    assert response.get_json()["error"]["message"] == message
    assert counts() == (0, 0, 0, 0, 0)


def test_a_body_that_is_not_json(client, db):
    body = b"digits=1"
    response = client.post(WEBHOOK, data=body, headers=signed_headers(body))
    assert response.status_code == 400


def test_keys_sent_again_newly_signed_answer_the_question_once(call, client):
    """The same `keys` event sent again with a new timestamp (so a new signature, which the
    replay check lets through): its step is no longer the current one, nothing changes."""
    first = call.start(program="passport", contact_type="call", language="en")
    assert first["step"] == "0.0"
    payload = {"call_id": call.call_id, "event": "keys", "digits": "4", "step": "0.0"}
    sent_at = int(time.time())
    one = post_json(client, payload, at=sent_at)
    assert texts(one.get_json()) == [(RECOMMEND_EN, EN)] and one.get_json()["step"] == "1.0"
    before, position = counts(), Conversation.query.one().position

    two = post_json(client, payload, at=sent_at - 1)  # another timestamp: another signature
    assert two.status_code == 200 and two.get_json() == one.get_json()
    assert counts() == before and answers() == {"overall": 4}
    _db.session.expire_all()
    assert Conversation.query.one().position == position == 1


def test_keys_for_a_step_already_answered_change_nothing(call, client):
    call.start(program="passport", contact_type="call", language="en")
    call.press("4")
    current = call.press("9")
    before = counts()
    late = post_json(
        client, {"call_id": call.call_id, "event": "keys", "digits": "2", "step": "1.0"}
    )
    assert late.get_json() == current
    assert counts() == before and answers() == {"overall": 4, "recommend": 9}


def test_keys_without_a_step_answer_the_current_question(call, client):
    """The README's walk-through sends no step: the keys answer the current question."""
    call.start(program="passport", contact_type="call", language="en")
    reply = post_json(client, {"call_id": call.call_id, "event": "keys", "digits": "4"})
    assert texts(reply.get_json()) == [(RECOMMEND_EN, EN)]
    assert answers() == {"overall": 4}
