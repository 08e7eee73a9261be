"""The two new kinds, effort (1-7) and multiple choice, answered on every channel: the web
form, a text conversation and a keypad call, each storing what the client chose.

The module runs on the voice folder's app (its fixtures are imported below: the installed
voice plugins enabled, Twilio's Calls API played by a local stand-in); the web form and the
stand-in SMS channel work on it as on any app.
"""

from __future__ import annotations

import re

import pytest
from flask_babel import force_locale
from sqlalchemy import select

from feedback.channels import Question
from feedback.conversations.models import Conversation
from feedback.conversations.parsing import Invalid, parse_answer
from feedback.conversations.texts import question_prompt
from feedback.extensions import db as _db
from feedback.invitations.models import Invitation, InvitationMode, InvitationStatus
from feedback.plugin_api import receive_text, sms_invitation_text
from feedback.programs.models import Program
from feedback.questionnaires import authoring
from feedback.questionnaires.authoring import QuestionSpec
from feedback.questionnaires.models import QuestionnaireVersion
from feedback.responses.models import Answer, Response
from feedback.voice.keys import keys_for, read_keys
from tests.conversations.helpers import PHONE, FakeSms, dispatch, invite, sms_event
from tests.factories import make_program, make_rule, make_sent_invitation
from tests.fakes import channel_replaced
from tests.surveys.helpers import csrf_token
from tests.voice import conftest as voice
from tests.voice.helpers import TwilioCall, hung_up, said

# The voice folder's app and its Twilio stand-in, for every test of this module.
calls_standin = voice.calls_standin
app = voice.app
_fresh_standin = voice._fresh_standin

TOKEN = "kinds-token-0123456789abcdefghijklmnopqrstuvwxyz"
URL = f"/s/{TOKEN}"

WAYS = (
    {"value": "phone", "en": "By phone", "fr": "Par téléphone"},
    {"value": "online", "en": "Online", "fr": "En ligne"},
    {"value": "office", "en": "In person", "fr": "En personne"},
)
EFFORT_TEXT = {
    "en": "How easy was it to get what you needed?",
    "fr": "Etait-il facile d'obtenir ce dont vous aviez besoin?",
}
WAYS_TEXT = {"en": "How did you reach us?", "fr": "Comment nous avez-vous joints?"}
HINT_EN = "Reply with the numbers of all that apply, e.g. 1 3."
HINT_FR = "Répondez par les numéros de toutes les réponses qui s'appliquent, p. ex. 1 3."


def effort_and_ways(program: Program, *, ways_required: bool = True) -> QuestionnaireVersion:
    """A questionnaire written with the authoring service: effort, then how the client came."""
    version = authoring.create_questionnaire(
        program, "effort-and-ways", {"en": "Your visit", "fr": "Votre visite"}
    )
    authoring.add_question(
        version, QuestionSpec(code="effort", kind="effort", text=EFFORT_TEXT, required=True)
    )
    authoring.add_question(
        version,
        QuestionSpec(
            code="ways",
            kind="multiple_choice",
            text=WAYS_TEXT,
            required=ways_required,
            options=WAYS,
        ),
    )
    return authoring.publish(version)


def stored(response: Response) -> dict[str, list[tuple[int, object]]]:
    """(item, value) of every answer row, by question code, in item order."""
    found: dict[str, list[tuple[int, object]]] = {}
    for answer in sorted(response.answers, key=lambda a: (a.question.code, a.item)):
        value = answer.value_int if answer.value_int is not None else answer.value_choice
        found.setdefault(answer.question.code, []).append((answer.item, value))
    return found


def asked(kind: str, options: tuple[dict[str, str], ...] = ()) -> Question:
    return Question(code="q", kind=kind, text=WAYS_TEXT, required=False, options=options)


EFFORT, WAYS_QUESTION = asked("effort"), asked("multiple_choice", WAYS)


# --- the web form ------------------------------------------------------------------------------


def web_invitation(*, ways_required: bool = True, language: str = "en") -> Invitation:
    program = make_program()
    version = effort_and_ways(program, ways_required=ways_required)
    make_rule(program, version)
    _db.session.commit()
    return make_sent_invitation(version, TOKEN, language=language)


def post(client, data: dict[str, object]):
    token = csrf_token(client.get(URL, follow_redirects=True).get_data(as_text=True))
    return client.post("/s/", data={"csrf_token": token, **data})


def test_the_form_shows_seven_points_of_effort_and_a_checkbox_per_option(client, db):
    web_invitation()
    html = client.get(URL, follow_redirects=True).get_data(as_text=True)
    radios = re.findall(r'<input[^>]*type="radio"[^>]*>', html)
    assert len(radios) == 7
    assert all('name="q_effort"' in radio for radio in radios)
    assert [re.search(r'value="(\d+)"', r).group(1) for r in radios] == list("1234567")
    assert "1 – Very difficult" in html and "7 – Very easy" in html
    assert html.count("choices--scale") == 1  # the effort scale is laid out in a row
    boxes = re.findall(r'<input[^>]*type="checkbox"[^>]*>', html)
    assert len(boxes) == 3
    assert all('name="q_ways"' in box for box in boxes)
    assert [re.search(r'value="([^"]+)"', b).group(1) for b in boxes] == [
        "phone",
        "online",
        "office",
    ]
    assert 'id="q_ways-0"' in html and "By phone" in html and "In person" in html
    assert html.count("<fieldset") == 2


def test_the_form_in_french(client, db):
    web_invitation()
    html = client.get(URL + "?lang=fr", follow_redirects=True).get_data(as_text=True)
    assert "1 – Très difficile" in html and "7 – Très facile" in html
    assert "Very difficult" not in html
    assert "Par téléphone" in html and "En personne" in html
    assert EFFORT_TEXT["fr"].replace("'", "&#39;") in html


def test_effort_and_several_choices_are_stored(client, db):
    invitation = web_invitation()
    page = post(client, {"q_effort": "6", "q_ways": ["phone", "office"]})
    assert page.status_code == 303, page.get_data(as_text=True)
    response = _db.session.scalars(select(Response)).one()
    assert stored(response) == {"effort": [(0, 6)], "ways": [(0, "phone"), (1, "office")]}
    ways = [a for a in response.answers if a.question.code == "ways"]
    assert all(a.value_int is None and a.value_text is None for a in ways)
    _db.session.expire_all()
    assert _db.session.get(Invitation, invitation.id).status is InvitationStatus.COMPLETED


def test_an_optional_multiple_choice_may_be_left_empty(client, db):
    web_invitation(ways_required=False)
    page = post(client, {"q_effort": "2"})
    assert page.status_code == 303
    response = _db.session.scalars(select(Response)).one()
    assert stored(response) == {"effort": [(0, 2)]}


def test_a_required_multiple_choice_left_empty_is_shown_again_with_its_error(client, db):
    web_invitation()
    page = post(client, {"q_effort": "6"})
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    message = "Select at least one answer to question 2."
    summary = re.search(r'<div class="error-summary" role="alert".*?</div>', html, re.S)
    assert summary, "no error summary"
    assert f'<a href="#q_ways-0">{message}</a>' in summary.group(0)
    assert 'aria-describedby="q_ways-error"' in html
    assert re.search(r'<p class="error-message" id="q_ways-error">\s*<span[^>]*>Error:</span> '
                     + re.escape(message), html)  # fmt: skip
    assert html.count('aria-invalid="true"') == 3  # the three checkboxes, nothing else
    assert re.search(r'checked[^>]*id="q_effort-5"', html), "the effort answer is kept"
    assert _db.session.scalars(select(Response)).all() == []
    assert _db.session.scalars(select(Answer)).all() == []


def test_the_error_in_french(client, db):
    web_invitation(language="fr")
    html = post(client, {"q_effort": "6"}).get_data(as_text=True)
    assert "Sélectionnez au moins une réponse à la question 2." in html


def test_an_option_that_was_never_offered_is_refused(client, db):
    web_invitation()
    page = post(client, {"q_effort": "6", "q_ways": ["phone", "by-pigeon"]})
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "by-pigeon" not in html, "a posted value is not echoed back"
    assert "Select at least one answer to question 2." in html
    assert _db.session.scalars(select(Response)).all() == []


def test_an_effort_out_of_the_scale_is_refused(client, db):
    web_invitation()
    html = post(client, {"q_effort": "8", "q_ways": ["online"]}).get_data(as_text=True)
    assert "Select an answer to question 1." in html
    assert _db.session.scalars(select(Response)).all() == []


# --- text messages: reading replies ------------------------------------------------------------


@pytest.mark.parametrize(("text", "value"), [("6", 6), ("6/7", 6), (" 1 ", 1), ("7 sur 7", 7)])
def test_effort_takes_one_number_from_1_to_7(text, value):
    assert parse_answer(EFFORT, text) == value


@pytest.mark.parametrize("text", ["8", "0", "6/10", "easy", "", "5 6"])
def test_effort_refuses_anything_else(text):
    with pytest.raises(Invalid):
        parse_answer(EFFORT, text)


@pytest.mark.parametrize(
    ("text", "values"),
    [
        ("1 3", ["phone", "office"]),
        ("1, 3", ["phone", "office"]),
        ("1,3", ["phone", "office"]),
        ("1 et 3", ["phone", "office"]),
        ("1 and 3", ["phone", "office"]),
        ("3 1", ["office", "phone"]),
        ("2", ["online"]),
        ("Par téléphone", ["phone"]),
        ("par telephone!", ["phone"]),
        ("In person", ["office"]),
        ("1 1 3 3", ["phone", "office"]),
    ],
)
def test_multiple_choice_takes_numbers_or_one_label(text, values):
    assert parse_answer(WAYS_QUESTION, text) == values


@pytest.mark.parametrize("text", ["4", "1 4", "0", "", "   ", "phone and online please", "1 x"])
def test_multiple_choice_refuses_anything_else(text):
    with pytest.raises(Invalid):
        parse_answer(WAYS_QUESTION, text)


def test_the_prompt_lists_the_options_numbered_and_how_to_answer(app):
    with app.app_context():
        assert question_prompt(WAYS_QUESTION, 2, 2, "en") == (
            f"(2/2) How did you reach us?\n1 By phone\n2 Online\n3 In person\n{HINT_EN}"
        )
        assert question_prompt(WAYS_QUESTION, 2, 2, "fr") == (
            "(2/2) Comment nous avez-vous joints?\n1 Par téléphone\n2 En ligne\n3 En personne\n"
            + HINT_FR
        )
        with force_locale("en"):
            assert question_prompt(EFFORT, 1, 2, "en").endswith(
                "Reply with a number from 1 to 7 (7 = very easy)."
            )


# --- text messages: a whole conversation -------------------------------------------------------


@pytest.fixture()
def sms(app, db):
    with channel_replaced(app, FakeSms()) as channel:
        yield channel


def sms_invitation(language: str = "en") -> Invitation:
    program = make_program()
    version = effort_and_ways(program)
    make_rule(
        program,
        version,
        channel="sms_fake",
        mode=InvitationMode.CONVERSATION,
        quiet_start_hour=0,
        quiet_end_hour=0,
    )
    _db.session.commit()
    invitation = invite(sms_event(1, language=language))
    dispatch()
    _db.session.refresh(invitation)
    assert invitation.status is InvitationStatus.SENT
    return invitation


def test_a_conversation_stores_one_row_per_option_chosen(sms, db):
    invitation = sms_invitation()
    [message] = sms.sent
    assert sms_invitation_text(message, replies=True).endswith(
        "(1/2) How easy was it to get what you needed?\n"
        "Reply with a number from 1 to 7 (7 = very easy)."
    )
    assert receive_text("sms_fake", PHONE, "8") == [
        "Sorry, we did not understand. Reply with a number from 1 to 7 (7 = very easy)."
    ]
    assert receive_text("sms_fake", PHONE, "6/7") == [
        f"(2/2) How did you reach us?\n1 By phone\n2 Online\n3 In person\n{HINT_EN}"
    ]
    assert receive_text("sms_fake", PHONE, "4") == [f"Sorry, we did not understand. {HINT_EN}"]
    assert receive_text("sms_fake", PHONE, "1 et 3") == [
        "Thank you! Your answers will help us improve our services."
    ]
    response = Response.query.filter_by(invitation_id=invitation.id).one()
    assert response.is_complete
    assert stored(response) == {"effort": [(0, 6)], "ways": [(0, "phone"), (1, "office")]}
    _db.session.refresh(invitation)
    assert invitation.status is InvitationStatus.COMPLETED


def test_a_conversation_in_french_with_one_label(sms, db):
    invitation = sms_invitation(language="fr")
    [message] = sms.sent
    # The question is in GSM-7: it fits in the invitation with the introduction.
    assert sms_invitation_text(message, replies=True).endswith(
        "(1/2) Etait-il facile d'obtenir ce dont vous aviez besoin?\n"
        "Répondez de 1 à 7 (7 = très facile)."
    )
    assert Conversation.query.one().position == 0
    assert receive_text("sms_fake", PHONE, "7") == [
        "(2/2) Comment nous avez-vous joints?\n1 Par téléphone\n2 En ligne\n3 En personne\n"
        + HINT_FR
    ]
    assert receive_text("sms_fake", PHONE, "Par téléphone")
    response = Response.query.filter_by(invitation_id=invitation.id).one()
    assert stored(response) == {"effort": [(0, 7)], "ways": [(0, "phone")]}


# --- the phone ---------------------------------------------------------------------------------


def test_effort_is_one_key_and_several_choices_end_with_the_pound_key(app):
    effort = keys_for(EFFORT)
    assert effort is not None
    assert (effort.max_digits, effort.finish_on_key) == (1, None)
    ways = keys_for(WAYS_QUESTION)
    assert ways is not None
    assert (ways.max_digits, ways.finish_on_key) == (3, "#")


@pytest.mark.parametrize(
    ("digits", "values"),
    [
        ("13", ["phone", "office"]),
        ("31", ["office", "phone"]),
        ("2", ["online"]),
        ("113", ["phone", "office"]),  # a key pressed twice counts once
    ],
)
def test_each_key_chooses_one_option(digits, values):
    assert read_keys(WAYS_QUESTION, digits) == values


@pytest.mark.parametrize("digits", ["", "4", "14", "0", "1*", "#"])
def test_keys_that_are_not_options_are_refused(digits):
    with pytest.raises(Invalid):
        read_keys(WAYS_QUESTION, digits)


@pytest.mark.parametrize(("digits", "ok"), [("6", True), ("1", True), ("8", False), ("0", False)])
def test_effort_keys(digits, ok):
    if ok:
        assert read_keys(EFFORT, digits) == int(digits)
    else:
        with pytest.raises(Invalid):
            read_keys(EFFORT, digits)


def test_a_keypad_call_stores_effort_and_several_choices(client, app, db):
    program = make_program()
    version = effort_and_ways(program)
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
    call = TwilioCall(client, app)
    call.start("program=passport&contact_type=call")

    first = call.press("1")  # English
    assert said(first)[-1] == (
        "How easy was it to get what you needed? Press a number from 1 to 7, 7 meaning very easy.",
        "en-CA",
    )
    assert (call.gather.get("numDigits"), call.gather.get("finishOnKey")) == ("1", "")

    second = call.press("6")
    assert said(second) == [
        (
            "How did you reach us? By phone: press 1. Online: press 2. In person: press 3. "
            "Press every key that applies, then the pound key.",
            "en-CA",
        )
    ]
    assert (call.gather.get("numDigits"), call.gather.get("finishOnKey")) == ("3", "#")

    last = call.press("13")
    assert hung_up(last)
    response = Response.query.one()
    assert response.is_complete and response.channel == "voice_twilio"
    assert stored(response) == {"effort": [(0, 6)], "ways": [(0, "phone"), (1, "office")]}
