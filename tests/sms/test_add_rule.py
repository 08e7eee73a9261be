"""`feedback add-rule`: rules for SMS until rules have a page."""

from __future__ import annotations

import pytest

from feedback.distribution.models import DistributionRule
from feedback.invitations.models import InvitationMode
from tests.factories import make_setup


def add_rule(app, *args: str):
    return app.test_cli_runner().invoke(args=["add-rule", *args])


def test_adds_a_conversation_rule_with_a_fallback(app, db):
    make_setup()
    result = add_rule(
        app,
        "--program",
        "passport",
        "--questionnaire",
        "after-contact",
        "--channel",
        "sms_twilio",
        "--contact-type",
        "text",
        "--mode",
        "conversation",
        "--fallback",
        "email",
        "--quiet-hours",
        "none",
    )
    assert result.exit_code == 0, result.output
    assert "'text' contacts get 'after-contact' by sms_twilio (conversation mode)" in result.output
    rule = DistributionRule.query.filter_by(contact_type="text").one()
    assert (rule.channel, rule.mode, rule.fallback_channel) == (
        "sms_twilio",
        InvitationMode.CONVERSATION,
        "email",
    )
    assert (rule.quiet_start_hour, rule.quiet_end_hour) == (0, 0)
    assert DistributionRule.query.filter_by(active=True).count() == 2  # the catch-all stays


def test_replaces_the_active_rule_for_the_same_contacts(app, db):
    _, _, old = make_setup()
    result = add_rule(
        app,
        "--program",
        "passport",
        "--questionnaire",
        "after-contact",
        "--channel",
        "sms_notify",
        "--quiet-hours",
        "20-9",
    )
    assert result.exit_code == 0, result.output
    new = DistributionRule.query.filter_by(active=True).one()
    assert new.id != old.id and (new.quiet_start_hour, new.quiet_end_hour) == (20, 9)
    assert new.mode is InvitationMode.LINK


@pytest.mark.parametrize(
    ("args", "problem"),
    [
        (["--channel", "sms_notify", "--mode", "conversation"], "cannot hold a conversation"),
        (["--channel", "pigeon"], "is not enabled"),
        (["--channel", "sms_twilio", "--fallback", "fax"], "fallback channel 'fax'"),
        (["--channel", "sms_twilio", "--quiet-hours", "late"], "START-END"),
        (["--channel", "sms_twilio", "--quiet-hours", "21-25"], "0 to 23"),
    ],
)
def test_refuses_rules_that_cannot_work(app, db, args, problem):
    make_setup()
    result = add_rule(app, "--program", "passport", "--questionnaire", "after-contact", *args)
    assert result.exit_code != 0 and problem in result.output
    assert DistributionRule.query.count() == 1
