"""The conversation engine with a stand-in SMS channel: answers, re-prompts, keywords."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from feedback.consent.models import OptOut
from feedback.conversations.models import Conversation
from feedback.db_types import utcnow
from feedback.distribution.models import DistributionRule
from feedback.invitations.lifecycle import expire_due
from feedback.invitations.models import Invitation, InvitationStatus
from feedback.plugin_api import receive_text, sms_invitation_text
from feedback.responses.models import Answer, Response
from feedback.security import address_hash
from tests.conversations.helpers import (
    OTHER_PHONE,
    PHONE,
    FakeSms,
    OtherSms,
    dispatch,
    invite,
    sms_event,
    sms_setup,
)
from tests.fakes import channel_replaced

S = InvitationStatus


@pytest.fixture()
def sms(app, db):
    with channel_replaced(app, FakeSms()) as channel, channel_replaced(app, OtherSms()):
        yield channel


def answers_of(invitation: Invitation) -> dict[str, object]:
    response = Response.query.filter_by(invitation_id=invitation.id).one()
    found = {}
    for answer in response.answers:
        found[answer.question.code] = (
            answer.value_int
            if answer.value_int is not None
            else answer.value_choice or answer.value_text
        )
    return found


def count(model) -> int:
    from feedback.extensions import db

    return db.session.scalar(select(func.count()).select_from(model))


def sent_invitation(db, language: str = "en", n: int = 1, phone: str = PHONE) -> Invitation:
    invitation = invite(sms_event(n, phone=phone, language=language))
    dispatch()
    db.session.refresh(invitation)
    assert invitation.status is S.SENT
    return invitation


def test_invitation_asks_the_first_question(sms, db):
    sms_setup("sms_fake")
    invitation = sent_invitation(db)
    [message] = sms.sent
    assert message.mode == "conversation" and message.phone == PHONE
    text = sms_invitation_text(message, replies=True)
    assert text.startswith("Passport services: how did we do?")
    assert "Reply STOP to opt out." in text
    assert text.endswith(
        "(1/5) Overall, how satisfied are you with the service you received?\n"
        "Reply with a number from 1 to 5 (5 = very good)."
    )
    assert invitation.mode.value == "conversation"
    assert Conversation.query.one().position == 0  # the next reply answers question 1


def test_a_complete_conversation(sms, db):
    sms_setup("sms_fake")
    invitation = sent_invitation(db)

    assert receive_text("sms_fake", PHONE, "4") == [
        "(2/5) How likely are you to recommend this service to a friend?\n"
        "Reply with a number from 0 to 10 (10 = extremely likely)."
    ]
    db.session.refresh(invitation)
    assert invitation.status is S.OPENED and invitation.opened_at is not None
    assert receive_text("sms_fake", PHONE, "9")[0].startswith("(3/5) Was your question resolved?")
    [choices] = receive_text("sms_fake", PHONE, "Yes")
    assert choices == (
        "(4/5) How did you contact us?\n1 By phone\n2 Online\n3 In person\n"
        "Reply with the number of your answer."
    )
    assert receive_text("sms_fake", PHONE, "2") == [
        "(5/5) What could we do better?\nReply in your own words."
    ]
    assert receive_text("sms_fake", PHONE, "Shorter waits on the phone, please.") == [
        "Thank you! Your answers will help us improve our services."
    ]

    db.session.refresh(invitation)
    assert invitation.status is S.COMPLETED and invitation.phone is None
    response = Response.query.filter_by(invitation_id=invitation.id).one()
    assert response.is_complete and response.channel == "sms_fake"
    assert answers_of(invitation) == {
        "overall": 4,
        "recommend": 9,
        "resolved": 1,
        "how": "online",
        "comment": "Shorter waits on the phone, please.",
    }
    # After the end, a reply gets nothing and changes nothing.
    assert receive_text("sms_fake", PHONE, "5") == []
    assert count(Answer) == 5


def test_a_client_who_stops_halfway_leaves_a_partial_response(sms, db):
    sms_setup("sms_fake")
    invitation = sent_invitation(db)
    receive_text("sms_fake", PHONE, "2")
    receive_text("sms_fake", PHONE, "3")

    response = Response.query.filter_by(invitation_id=invitation.id).one()
    assert not response.is_complete and response.completed_at is None
    assert answers_of(invitation) == {"overall": 2, "recommend": 3}

    expire_due(utcnow() + timedelta(days=15))
    db.session.refresh(invitation)
    assert invitation.status is S.EXPIRED
    assert answers_of(invitation) == {"overall": 2, "recommend": 3}  # still counted
    assert receive_text("sms_fake", PHONE, "yes") == []  # the survey is closed


def test_one_reprompt_then_the_survey_moves_on(sms, db):
    sms_setup("sms_fake")
    invitation = sent_invitation(db)

    assert receive_text("sms_fake", PHONE, "great") == [
        "Sorry, we did not understand. Reply with a number from 1 to 5 (5 = very good)."
    ]
    [next_question] = receive_text("sms_fake", PHONE, "really great")
    assert next_question.startswith("(2/5)")
    # The next question has its own re-prompt, and a valid reply after it is kept.
    assert receive_text("sms_fake", PHONE, "eleven")[0].startswith("Sorry, we did not understand.")
    assert receive_text("sms_fake", PHONE, "7")[0].startswith("(3/5)")
    assert answers_of(invitation) == {"recommend": 7}
    conversation = Conversation.query.filter_by(invitation_id=invitation.id).one()
    assert (conversation.position, conversation.reprompts) == (2, 0)


def test_french_replies(sms, db):
    sms_setup("sms_fake")
    invitation = sent_invitation(db, language="fr")
    # "êtes-vous ... reçu" makes the first question UCS-2: with the introduction it would take
    # three segments, so the invitation asks for a reply to start instead.
    [message] = sms.sent
    assert "(1/5)" not in sms_invitation_text(message, replies=True)
    assert Conversation.query.one().position == -1
    [first] = receive_text("sms_fake", PHONE, "OK")
    assert first.startswith("(1/5) Dans l'ensemble, êtes-vous satisfait du service reçu?")
    for reply in ("5", "10", "NON", "en ligne", "Très bon service, merci."):
        assert receive_text("sms_fake", PHONE, reply)
    assert answers_of(invitation) == {
        "overall": 5,
        "recommend": 10,
        "resolved": 0,
        "how": "online",
        "comment": "Très bon service, merci.",
    }
    assert Response.query.one().language == "fr"


def test_start_from_a_number_not_opted_out_is_an_ordinary_reply(sms, db):
    sms_setup("sms_fake")
    sent_invitation(db, language="fr")  # waits for a reply to start (see test_french_replies)
    [first] = receive_text("sms_fake", PHONE, "Start")
    assert first.startswith("(1/5) Dans l'ensemble")
    assert count(OptOut) == 0


def test_stop_mid_survey_opts_the_client_out_of_every_channel(sms, app, db):
    sms_setup("sms_fake")
    invitation = sent_invitation(db)
    receive_text("sms_fake", PHONE, "4")

    assert receive_text("sms_fake", PHONE, "STOP") == [
        "You will no longer receive our feedback surveys. Reply START to receive them again."
    ]
    db.session.refresh(invitation)
    assert invitation.status is S.OPTED_OUT and invitation.phone is None
    [opt_out] = OptOut.query.all()
    assert (opt_out.channel, opt_out.address_hash, opt_out.source) == (
        "all",
        address_hash(PHONE),
        "sms_keyword",
    )
    assert opt_out.client_hash == invitation.client_hash
    assert answers_of(invitation) == {"overall": 4}  # the partial response stays

    # One confirmation only; nothing else is ever answered, HELP included.
    assert receive_text("sms_fake", PHONE, "stop") == []
    assert receive_text("sms_fake", PHONE, "5") == []
    assert receive_text("sms_fake", PHONE, "HELP") == []

    # A later contact is not surveyed by text, whichever SMS provider its rule names.
    rule = DistributionRule.query.one()
    rule.channel, rule.fatigue_days = "sms_other", 0
    db.session.commit()
    other = invite(sms_event(2, phone=PHONE))
    assert (other.status, other.reason) == (S.SKIPPED, "opted_out")
    # Nor by email: STOP stops every channel for the client.
    rule.channel = "email"
    db.session.commit()
    by_email = invite(sms_event(3, phone=None, email="client@example.org", reference="client-1"))
    assert (by_email.status, by_email.reason) == (S.SKIPPED, "opted_out")


def test_start_lifts_the_opt_out(sms, db):
    sms_setup("sms_fake", fatigue_days=0)
    sent_invitation(db)
    receive_text("sms_fake", PHONE, "arrêt")
    assert receive_text("sms_fake", PHONE, "START") == [
        "You will receive our survey texts again. Reply STOP to opt out."
    ]
    assert count(OptOut) == 0
    again = invite(sms_event(2, phone=PHONE))
    assert again.status is S.SCHEDULED
    dispatch()
    assert len(sms.sent) == 2


def test_stop_also_stops_invitations_waiting_to_be_sent(sms, app, db):
    sms_setup("sms_fake", fatigue_days=0, delay_minutes=60)
    waiting = invite(sms_event(1))
    assert waiting.status is S.SCHEDULED
    receive_text("sms_fake", PHONE, "Désabonner")
    db.session.refresh(waiting)
    assert waiting.status is S.OPTED_OUT
    assert dispatch() == [] and sms.sent == []


def test_help_says_who_is_writing_and_how_to_stop(sms, db):
    sms_setup("sms_fake")
    invitation = sent_invitation(db)
    [reply] = receive_text("sms_fake", PHONE, "help")
    assert reply == (
        "Passport services client feedback survey. Reply STOP to opt out. "
        "More information: http://survey.test/privacy"
    )
    db.session.refresh(invitation)
    assert invitation.status is S.SENT  # HELP is not an answer
    assert Conversation.query.one().position == 0


def test_unknown_numbers_get_nothing_and_change_nothing(sms, db):
    sms_setup("sms_fake")
    sent_invitation(db)
    assert receive_text("sms_fake", OTHER_PHONE, "4") == []
    assert receive_text("sms_fake", "not a number", "hello") == []
    assert (count(Response), count(OptOut)) == (0, 0)
    assert Conversation.query.one().position == 0
    # HELP from a stranger is answered without a program name, in the keyword's language,
    # or in both when the word does not tell.
    assert receive_text("sms_fake", OTHER_PHONE, "HELP") == [
        "Client feedback survey. Reply STOP to opt out. "
        "More information: http://survey.test/privacy"
    ]
    [both] = receive_text("sms_fake", OTHER_PHONE, "INFO")
    assert both.count("\n") == 1 and both.startswith("Client feedback survey.")


def test_link_mode_invitations_do_not_take_answers(sms, db):
    sms_setup("sms_fake", mode="link")
    invitation = sent_invitation(db)
    [message] = sms.sent
    assert message.mode == "link"
    text = sms_invitation_text(message, replies=True)
    assert message.survey_url in text and "Reply STOP to opt out." in text
    assert receive_text("sms_fake", PHONE, "5") == []
    db.session.refresh(invitation)
    assert invitation.status is S.SENT


def test_a_channel_without_replies_sends_the_link_instead(sms, db):
    # A conversation-mode rule whose channel cannot converse (its plugin changed since the rule
    # was made: the rule service refuses to make one): planning sends the link.
    _, _, rule = sms_setup("sms_fake")
    rule.channel = "sms_other"
    db.session.commit()
    invitation = invite(sms_event())
    assert invitation.mode.value == "link"


def test_replies_after_expiry_are_ignored(sms, db):
    sms_setup("sms_fake")
    invitation = sent_invitation(db)
    invitation.expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    assert receive_text("sms_fake", PHONE, "5") == []
    assert count(Response) == 0
