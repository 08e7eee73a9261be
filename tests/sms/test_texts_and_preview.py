"""Every invitation fits in two segments in both languages; `feedback preview-sms` shows each
text with its count and warns about the ones that do not fit."""

from __future__ import annotations

import pytest

from feedback.channels import Invitation
from feedback.conversations.texts import asks_first_question
from feedback.extensions import db as _db
from feedback.invitations.messages import as_channel_question
from feedback.invitations.models import InvitationMode
from feedback.plugin_api import sms_invitation_text
from feedback.questionnaires.models import (
    Question,
    Questionnaire,
    QuestionnaireVersion,
)
from feedback.sms.segments import count_segments
from tests.conversations.helpers import dispatch, invite, sms_event
from tests.factories import make_program, make_questionnaire, make_rule

PROGRAMS = [
    ("Passport Program", "Programme de passeport"),
    ("Immigration, Refugees and Citizenship Canada", "Immigration, Réfugiés et Citoyenneté Canada"),
    ("Service Canada – Passports", "Service Canada – Passeports"),  # the dash is not GSM-7
    ("Employment Insurance", "Assurance-emploi"),
    ("Canada Pension Plan", "Régime de pensions du Canada"),
    (
        "Old Age Security and the Guaranteed Income Supplement",
        "Sécurité de la vieillesse et Supplément de revenu garanti",
    ),
    ("Canada’s Citizenship Program", "Programme de citoyenneté du Canada"),
]
SURVEY_URL = (
    "https://retroaction.ircc-irsc.gc.ca/s/" + "A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8S9t0U1v"
)


def invitation(version: QuestionnaireVersion, names: tuple[str, str], lang: str, mode: str):
    return Invitation(
        id="i",
        language=lang,
        email=None,
        phone="+16135550123",
        timezone=None,
        survey_url=SURVEY_URL,
        unsubscribe_url="",
        expires_at=None,
        program_name={"en": names[0], "fr": names[1]},
        questionnaire_title={"en": "How did we do?", "fr": "Comment avons-nous fait?"},
        questions=tuple(as_channel_question(q, "sms_twilio") for q in version.questions),
        mode=mode,
    )


@pytest.mark.parametrize("names", PROGRAMS, ids=[en for en, _ in PROGRAMS])
@pytest.mark.parametrize("lang", ["en", "fr"])
@pytest.mark.parametrize("mode", ["link", "conversation"])
@pytest.mark.parametrize("replies", [True, False])
def test_every_invitation_fits_in_two_segments(db, names, lang, mode, replies):
    version = make_questionnaire(make_program())
    text = sms_invitation_text(invitation(version, names, lang, mode), replies=replies)
    assert count_segments(text).segments <= 2, text
    message = invitation(version, names, lang, mode)
    if mode == "link":
        assert SURVEY_URL in text
    elif asks_first_question(message):
        assert "(1/5)" in text
    else:
        assert ("OK pour commencer" if lang == "fr" else "Reply OK to start") in text
    if replies or mode == "conversation":
        assert ("ARRET" if lang == "fr" else "STOP") in text


def test_the_program_is_named_when_it_fits(db):
    version = make_questionnaire(make_program())
    english = sms_invitation_text(invitation(version, PROGRAMS[0], "en", "link"), replies=True)
    assert english == (
        f"Passport Program: how did we do? Take our short survey: {SURVEY_URL} "
        "Reply STOP to opt out."
    )
    french = sms_invitation_text(invitation(version, PROGRAMS[0], "fr", "link"), replies=True)
    assert french == (
        f"Programme de passeport : votre avis compte. Répondez à notre court "
        f"sondage : {SURVEY_URL} Répondez ARRET pour vous désabonner."
    )
    assert count_segments(french).encoding.value == "GSM-7"


def test_a_long_non_gsm_program_name_is_left_out_rather_than_a_third_segment(db):
    version = make_questionnaire(make_program())
    names = (
        "Old Age Security – Guaranteed Income Supplement – Allowance for the Survivor",
        "Sécurité de la vieillesse – Supplément de revenu garanti – Allocation au survivant",
    )
    for lang in ("en", "fr"):
        text = sms_invitation_text(invitation(version, names, lang, "link"), replies=True)
        assert names[0] not in text and names[1] not in text
        assert count_segments(text).segments <= 2


def add_long_questionnaire() -> QuestionnaireVersion:
    program = make_program("citizenship")
    questionnaire = Questionnaire(
        program_id=program.id, code="long", title_en="Long", title_fr="Long"
    )
    version = QuestionnaireVersion(
        questionnaire=questionnaire, number=1, title_en="Long", title_fr="Long"
    )
    version.questions = [
        Question(
            position=1,
            code="wait",
            kind="rating",
            required=True,
            text_en="How satisfied are you with the time you waited?",
            text_fr="Êtes-vous satisfait du temps d’attente au téléphone, au comptoir ou en "
            "ligne avant qu’un agent ou une agente ne réponde à votre demande?",
            wordings={"sms": {"en": "Happy with the wait?"}},
        ),
    ]
    _db.session.add(questionnaire)
    _db.session.flush()
    version.published_at = version.created_at
    _db.session.commit()
    return version


def test_preview_prints_each_text_with_its_segments(app, db):
    add_long_questionnaire()
    result = app.test_cli_runner().invoke(args=["preview-sms", "long"])
    assert result.exit_code == 0, result.output
    out = result.output
    assert "[en] question 1 (wait): 1 segment (GSM-7, " in out
    assert "(1/1) Happy with the wait?" in out  # the SMS wording, not the web text
    assert "WARNING [fr] question 1 (wait): 3 segments (UCS-2, " in out
    assert "UCS-2 because of 'Ê’'" in out
    assert "[en] invitation, link mode: 1 segment" in out
    assert out.rstrip().endswith("texts take more than 2 segments.")


def test_preview_of_an_unknown_questionnaire(app, db):
    result = app.test_cli_runner().invoke(args=["preview-sms", "nope"])
    assert result.exit_code != 0 and "no questionnaire 'nope'" in result.output


def test_the_sms_wording_is_what_the_client_receives(db, twilio_standin):
    version = add_long_questionnaire()
    make_rule(
        version.questionnaire.program,
        version,
        channel="sms_twilio",
        mode=InvitationMode.CONVERSATION,
        quiet_start_hour=0,
        quiet_end_hour=0,
    )
    _db.session.commit()
    invite(sms_event(program="citizenship"))
    dispatch()
    assert "(1/1) Happy with the wait?" in twilio_standin.messages[0]["Body"]


@pytest.mark.parametrize("language", ["en", "fr"])
def test_every_keyword_reply_fits_one_segment_with_the_longest_public_url(app, language):
    """STOP, START and HELP answers, in each language, with PUBLIC_BASE_URL as long as the
    configuration allows and a program name as long as a program's may be."""
    from feedback.config import MAX_PUBLIC_BASE_URL
    from feedback.conversations import texts

    longest = "https://" + "x" * (MAX_PUBLIC_BASE_URL - len("https://.gc.ca")) + ".gc.ca"
    assert len(longest) == MAX_PUBLIC_BASE_URL
    names = [
        {"en": "Passport services", "fr": "Services de passeport"},
        {"en": "x" * 200, "fr": "é" * 200},
        None,
    ]
    original = app.config["PUBLIC_BASE_URL"]
    app.config["PUBLIC_BASE_URL"] = longest
    try:
        with app.test_request_context():
            replies = [texts.opted_out(language), texts.opted_in(language)]
            replies += [texts.help_text(language, name) for name in names]
    finally:
        app.config["PUBLIC_BASE_URL"] = original
    for reply in replies:
        count = count_segments(reply)
        assert count.segments == 1, (reply, count)
    named = replies[2]  # the program's usual name fits with the longest address
    assert longest in named and ("Passport services" in named or "Services de passeport" in named)


def test_a_public_url_too_long_for_one_segment_is_refused_at_start():
    from feedback.config import MAX_PUBLIC_BASE_URL, ConfigError, from_environment

    with pytest.raises(ConfigError, match=f"at most {MAX_PUBLIC_BASE_URL} characters"):
        from_environment("/tmp", {"PUBLIC_BASE_URL": "https://" + "x" * MAX_PUBLIC_BASE_URL})
