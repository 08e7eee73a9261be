"""Rules for the phone: `feedback add-rule` with call-back mode and recorded answers, and how a
rule's mode becomes the invitation's."""

from __future__ import annotations

from feedback.distribution.models import DistributionRule
from feedback.invitations.models import InvitationMode
from tests.conversations.helpers import invite, sms_event
from tests.factories import make_setup
from tests.voice.helpers import voice_setup


def add_rule(app, *args: str):
    return app.test_cli_runner().invoke(
        args=["add-rule", "--program", "passport", "--questionnaire", "after-contact", *args]
    )


def test_a_call_back_rule_with_recorded_answers(app, db):
    make_setup()
    result = add_rule(
        app, "--channel", "voice_twilio", "--contact-type", "call", "--mode", "callback",
        "--option", "record_answers=true",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "'call' contacts get 'after-contact' by voice_twilio (callback mode)" in result.output
    rule = DistributionRule.query.filter_by(contact_type="call").one()
    assert (rule.mode, rule.channel_options) == (
        InvitationMode.CALLBACK,
        {"record_answers": True},
    )


def test_only_a_channel_that_places_calls_takes_call_back_mode(app, db):
    make_setup()
    for channel in ("voice_webhook", "email"):
        result = add_rule(app, "--channel", channel, "--mode", "callback")
        assert result.exit_code != 0
        assert f"channel {channel!r} cannot call clients back" in result.output
    assert DistributionRule.query.filter(DistributionRule.channel != "email").count() == 0


def test_recordings_are_off_unless_asked(app, db):
    make_setup()
    assert add_rule(app, "--channel", "voice_twilio", "--mode", "conversation").exit_code == 0
    rule = DistributionRule.query.filter_by(channel="voice_twilio").one()
    assert rule.channel_options == {"record_answers": False}


def test_a_call_back_falls_back_to_a_link_by_email(db):
    """The rule's fallback channel cannot call: it sends the survey link instead."""
    voice_setup(mode="callback", fallback_channel="email")
    by_email = invite(sms_event(phone=None, email="client1@example.org"))
    assert (by_email.channel, by_email.mode) == ("email", InvitationMode.LINK)
    by_phone = invite(sms_event(2))
    assert (by_phone.channel, by_phone.mode) == ("voice_twilio", InvitationMode.CALLBACK)
