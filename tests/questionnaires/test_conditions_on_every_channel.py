"""Conditions honoured on every channel: the web form (a note, CSS classes that hide the
question until it applies, and the server discarding what does not apply), a text
conversation and a keypad call (a question whose condition does not hold is skipped).

Like test_kinds_on_every_channel, the module runs on the voice folder's app.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlalchemy import select

from feedback.extensions import db as _db
from feedback.invitations.models import Invitation, InvitationMode, InvitationStatus
from feedback.plugin_api import receive_text
from feedback.responses.models import Response
from feedback.surveys.forms import CSS_CONDITIONS
from tests.conversations.helpers import PHONE, FakeSms, dispatch, invite, sms_event
from tests.factories import make_program, make_rule, make_sent_invitation
from tests.fakes import channel_replaced
from tests.questionnaires.helpers import conditional
from tests.questionnaires.test_kinds_on_every_channel import stored
from tests.surveys.helpers import csrf_token
from tests.voice import conftest as voice
from tests.voice.helpers import TwilioCall, hung_up, said

calls_standin = voice.calls_standin
app = voice.app
_fresh_standin = voice._fresh_standin

TOKEN = "conditions-token-0123456789abcdefghijklmnopqrstuvwxyz"
URL = f"/s/{TOKEN}"
CSS = Path(__file__).resolve().parents[2] / "feedback" / "static" / "feedback.css"


def the_response() -> Response:
    return _db.session.scalars(select(Response)).one()


# --- the web form ------------------------------------------------------------------------------


def web_invitation(language: str = "en") -> Invitation:
    program = make_program()
    version = conditional(program)
    make_rule(program, version)
    _db.session.commit()
    return make_sent_invitation(version, TOKEN, language=language)


def page(client, language: str = "en") -> str:
    suffix = "?lang=fr" if language == "fr" else ""
    return client.get(URL + suffix, follow_redirects=True).get_data(as_text=True)


def post(client, data: dict[str, object]):
    token = csrf_token(page(client))
    return client.post("/s/", data={"csrf_token": token, **data})


def block(html: str, field: str) -> str:
    """The question block (its opening tag and content) holding `field`."""
    blocks = re.split(r'(?=<div class="question[ "])', html)
    return next(b for b in blocks if f'name="{field}"' in b)


def test_each_conditional_question_says_when_to_answer_it(client, db):
    web_invitation()
    html = page(client)
    why = block(html, "q_why")
    note = "Answer this question only if you chose “No” in question 1."
    assert f'<p class="hint question__condition" id="q_why-condition">{note}</p>' in why
    assert 'aria-describedby="q_why-condition"' in why
    other = block(html, "q_other")
    assert "only if you chose “Something else” in question 2." in other
    assert 'aria-describedby="q_other-condition q_other-hint"' in other
    praise = block(html, "q_praise")
    assert "only if you chose “4” or “5 – Very good” in question 4." in praise
    assert "question__condition" not in block(html, "q_rating")


def test_in_french_too(client, db):
    web_invitation(language="fr")
    html = page(client, "fr")
    assert (
        "Répondez à cette question seulement si vous avez choisi « Non » à la question 1."
        in block(html, "q_why")
    )
    assert "« 4 » ou « 5 – Très bon » à la question 4." in block(html, "q_praise")


def test_the_classes_that_hide_a_question_until_a_choice_it_depends_on_is_checked(client, db):
    web_invitation()
    html = page(client)
    assert '<form class="survey-form"' in html
    assert block(html, "q_why").startswith('<div class="question shown-by-1">')
    # A chain: "other" is hidden while its own condition, or that of "why", does not hold.
    assert block(html, "q_other").startswith('<div class="question shown-by-2 shown-by-1">')
    assert block(html, "q_praise").startswith('<div class="question shown-by-3">')
    assert block(html, "q_resolved").startswith('<div class="question">')

    def classes(field: str, value: str) -> str:
        found = re.search(rf'<input class="([^"]*)"[^>]*name="{field}"[^>]*value="{value}"', html)
        assert found, (field, value)
        return found.group(1)

    assert classes("q_resolved", "0") == "choice__input shows-1"  # "No"
    assert classes("q_resolved", "1") == "choice__input"
    assert classes("q_why", "other") == "choice__input shows-2"
    assert classes("q_why", "wait") == "choice__input"
    assert [classes("q_rating", str(n)) for n in range(1, 6)] == [
        "choice__input",
        "choice__input",
        "choice__input",
        "choice__input shows-3",
        "choice__input shows-3",
    ]


def test_the_stylesheet_has_a_rule_for_every_condition_a_page_can_hide():
    css = CSS.read_text(encoding="utf-8")
    assert "@supports selector(:has(*))" in css
    for n in range(1, CSS_CONDITIONS + 1):
        assert f".survey-form:not(:has(.shows-{n}:checked)) .shown-by-{n}" in css
    assert f".shows-{CSS_CONDITIONS + 1}:" not in css


def test_a_required_question_that_does_not_apply_is_not_required(client, db):
    invitation = web_invitation()
    sent = post(client, {"q_resolved": "1", "q_rating": "3"})
    assert sent.status_code == 303, sent.get_data(as_text=True)
    assert stored(the_response()) == {"resolved": [(0, 1)], "rating": [(0, 3)]}
    _db.session.expire_all()
    assert _db.session.get(Invitation, invitation.id).status is InvitationStatus.COMPLETED


def test_answers_to_questions_that_do_not_apply_are_discarded(client, db):
    web_invitation()
    sent = post(
        client,
        {
            "q_resolved": "1",
            "q_why": ["wait", "other"],  # shown by CSS, then hidden again: still posted
            "q_other": "Parking",
            "q_rating": "2",
            "q_praise": "Nothing",
        },
    )
    assert sent.status_code == 303
    assert stored(the_response()) == {"resolved": [(0, 1)], "rating": [(0, 2)]}


def test_a_required_question_that_applies_is_required(client, db):
    web_invitation()
    answered = post(client, {"q_resolved": "0", "q_rating": "5", "q_praise": "Kind staff"})
    html = answered.get_data(as_text=True)
    assert answered.status_code == 200
    assert '<a href="#q_why-0">Select at least one answer to question 2.</a>' in html
    assert 'aria-describedby="q_why-condition q_why-error"' in html
    assert _db.session.scalars(select(Response)).all() == []


def test_a_chain_keeps_what_applies_and_drops_what_does_not(client, db):
    web_invitation()
    sent = post(
        client,
        {
            "q_resolved": "0",
            "q_why": ["wait"],
            "q_other": "Not asked: no 'other' reason",
            "q_rating": "4",
            "q_praise": "Kind staff",
        },
    )
    assert sent.status_code == 303
    response = the_response()
    assert stored(response) == {
        "resolved": [(0, 0)],
        "why": [(0, "wait")],
        "rating": [(0, 4)],
        "praise": [(0, None)],  # in words: its value_text
    }
    texts = {a.question.code: a.value_text for a in response.answers if a.value_text}
    assert texts == {"praise": "Kind staff"}


def test_an_answer_that_applies_through_a_chain_is_kept(client, db):
    web_invitation()
    sent = post(client, {"q_resolved": "0", "q_why": ["unclear", "other"], "q_other": "The forms"})
    assert sent.status_code == 303
    texts = {a.question.code: a.value_text for a in the_response().answers if a.value_text}
    assert texts == {"other": "The forms"}


def test_an_invalid_answer_leaves_what_depends_on_it_unasked(client, db):
    web_invitation()
    answered = post(client, {"q_resolved": "7", "q_why": ["wait"]})
    html = answered.get_data(as_text=True)
    assert answered.status_code == 200
    assert "Select an answer to question 1." in html
    assert "Select at least one answer to question 2." not in html


# --- text messages -----------------------------------------------------------------------------


@pytest.fixture()
def sms(app, db):
    with channel_replaced(app, FakeSms()) as channel:
        yield channel


def sms_invitation() -> Invitation:
    program = make_program()
    version = conditional(program)
    make_rule(
        program,
        version,
        channel="sms_fake",
        mode=InvitationMode.CONVERSATION,
        quiet_start_hour=0,
        quiet_end_hour=0,
    )
    _db.session.commit()
    invitation = invite(sms_event(1))
    dispatch()
    _db.session.refresh(invitation)
    assert invitation.status is InvitationStatus.SENT
    return invitation


def reply(text: str) -> str:
    [answer] = receive_text("sms_fake", PHONE, text)
    return answer


def test_a_conversation_skips_what_does_not_apply(sms, db):
    invitation = sms_invitation()
    assert reply("yes").startswith("(4/5) How would you rate our service?")
    assert reply("3") == "Thank you! Your answers will help us improve our services."
    response = Response.query.filter_by(invitation_id=invitation.id).one()
    assert response.is_complete
    assert stored(response) == {"resolved": [(0, 1)], "rating": [(0, 3)]}


def test_a_conversation_asks_what_applies_along_a_chain(sms, db):
    invitation = sms_invitation()
    assert reply("no").startswith("(2/5) What got in the way?")
    assert reply("1 3").startswith("(3/5) What else got in the way?")
    assert reply("The forms").startswith("(4/5) How would you rate our service?")
    assert reply("5").startswith("(5/5) What did we do well?")
    assert reply("Kind staff").startswith("Thank you!")
    response = Response.query.filter_by(invitation_id=invitation.id).one()
    assert stored(response)["why"] == [(0, "wait"), (1, "other")]
    assert {a.question.code for a in response.answers if a.value_text} == {"other", "praise"}


def test_a_question_that_was_not_answered_counts_as_not_applying(sms, db):
    sms_invitation()
    assert reply("no").startswith("(2/5)")
    assert reply("nine").startswith("Sorry, we did not understand.")
    # Not understood twice: no reasons given, so "other" does not apply either.
    assert reply("nine").startswith("(4/5) How would you rate our service?")


# --- the phone ---------------------------------------------------------------------------------


def call_setup() -> None:
    program = make_program()
    version = conditional(program)
    make_rule(
        program,
        version,
        contact_type="call",
        quiet_start_hour=0,
        quiet_end_hour=0,
        channel="voice_twilio",
        mode=InvitationMode.CONVERSATION,
    )
    _db.session.commit()


def test_a_keypad_call_skips_what_does_not_apply(client, app, db):
    call_setup()
    call = TwilioCall(client, app)
    call.start("program=passport&contact_type=call")
    first = call.press("1")  # English
    assert said(first)[-1][0].startswith("Was your question resolved?")
    rating = call.press("1")  # yes: "why" does not apply
    assert said(rating)[0][0].startswith("How would you rate our service?")
    assert hung_up(call.press("5"))  # praise is in words: not asked without recordings
    assert stored(the_response()) == {"resolved": [(0, 1)], "rating": [(0, 5)]}


def test_a_keypad_call_asks_what_applies(client, app, db):
    call_setup()
    call = TwilioCall(client, app)
    call.start("program=passport&contact_type=call")
    call.press("1")  # English
    why = call.press("2")  # no
    assert said(why)[0][0].startswith("What got in the way? The wait: press 1.")
    rating = call.press("13")
    assert said(rating)[0][0].startswith("How would you rate our service?")
    assert hung_up(call.press("2"))
    assert stored(the_response()) == {
        "resolved": [(0, 0)],
        "why": [(0, "wait"), (1, "other")],
        "rating": [(0, 2)],
    }
