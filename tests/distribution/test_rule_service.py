"""The rule service: every field a rule can get wrong is named, and a valid rule replaces the
active one for the same contacts only. `feedback add-rule` passes channel options through."""

from __future__ import annotations

from dataclasses import replace

import pytest
from flask import Flask
from sqlalchemy import func, select

from feedback.distribution.models import DistributionRule
from feedback.distribution.rules import RuleError, RuleSpec, create_rule, validate
from feedback.invitations.models import InvitationMode
from feedback.questionnaires import authoring
from tests.apps import migrated_app
from tests.factories import make_program, make_questionnaire

#: sms_notify is installed but left out: a real channel that is not enabled.
CHANNELS = ["email", "sms_twilio", "voice_twilio", "voice_webhook"]


@pytest.fixture(scope="module")
def app(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Flask:
    """This module's app enables the phone and SMS channels (no provider is called)."""
    return migrated_app(
        database_url,
        tmp_path_factory.mktemp("rules-instance"),
        {"FEEDBACK_CHANNELS": CHANNELS},
        keep_celery=True,
    )


@pytest.fixture()
def base(db) -> RuleSpec:
    """A valid rule: e-mail for every contact of the passport program."""
    program = make_program()
    version = make_questionnaire(program)
    db.session.commit()
    return RuleSpec(program=program, version=version, channel="email")


def rule_count(db, **where) -> int:
    query = select(func.count()).select_from(DistributionRule).filter_by(**where)
    return db.session.scalar(query)


def _draft_version(spec: RuleSpec):
    return {"version": authoring.create_questionnaire(spec.program, "draft", {"en": "T"})}


def _other_programs_version(spec: RuleSpec):
    return {"version": make_questionnaire(make_program("other"))}


INVALID = {
    "unpublished version": (_draft_version, "questionnaire", "not published"),
    "another program's questionnaire": (_other_programs_version, "questionnaire", "another"),
    "disabled channel": ({"channel": "sms_notify"}, "channel", "'sms_notify' is not enabled"),
    "unknown channel": ({"channel": "pigeon"}, "channel", "'pigeon' is not enabled"),
    "conversation on email": (
        {"mode": InvitationMode.CONVERSATION},
        "mode",
        "'email' cannot hold a conversation",
    ),
    "callback on email": ({"mode": InvitationMode.CALLBACK}, "mode", "cannot call clients back"),
    "callback on voice_webhook": (
        {"channel": "voice_webhook", "mode": InvitationMode.CALLBACK},
        "mode",
        "'voice_webhook' cannot call clients back",
    ),
    "fallback equal to channel": (
        {"fallback_channel": "email"},
        "fallback_channel",
        "another channel",
    ),
    "unknown fallback": ({"fallback_channel": "fax"}, "fallback_channel", "'fax' is not enabled"),
    "disabled fallback": (
        {"channel": "sms_twilio", "fallback_channel": "sms_notify"},
        "fallback_channel",
        "'sms_notify' is not enabled",
    ),
    "blank contact type": ({"contact_type": "  "}, "contact_type", "give a contact type"),
    "negative delay": ({"delay_minutes": -1}, "delay_minutes", "from 0 to 129600, not -1"),
    "delay over 90 days": ({"delay_minutes": 129601}, "delay_minutes", "not 129601"),
    "sampling 0": ({"sampling_rate": 0.0}, "sampling_rate", "above 0 and at most 1, not 0"),
    "sampling 1.5": ({"sampling_rate": 1.5}, "sampling_rate", "not 1.5"),
    "sampling below 0": ({"sampling_rate": -0.1}, "sampling_rate", "not -0.1"),
    "expiry 0": ({"expiry_days": 0}, "expiry_days", "from 1 to 365, not 0"),
    "expiry over a year": ({"expiry_days": 366}, "expiry_days", "not 366"),
    "fatigue -1": ({"fatigue_days": -1}, "fatigue_days", "from 0 to 3650, not -1"),
    "quiet start only": ({"quiet_start_hour": 21}, "quiet_hours", "both the start and the end"),
    "quiet end only": ({"quiet_end_hour": 8}, "quiet_hours", "both the start and the end"),
    "quiet hour 24": (
        {"quiet_start_hour": 21, "quiet_end_hour": 24},
        "quiet_hours",
        "from 0 to 23",
    ),
    "quiet hour -1": (
        {"quiet_start_hour": -1, "quiet_end_hour": 8},
        "quiet_hours",
        "from 0 to 23",
    ),
    "email takes no option": (
        {"channel_options": {"nope": 1}},
        "channel_options",
        "channel 'email' has no option 'nope' (its options: none)",
    ),
    "unknown voice option": (
        {"channel": "voice_twilio", "channel_options": {"record": True}},
        "channel_options",
        "has no option 'record' (its options: record_answers)",
    ),
    "option as text": (
        {"channel": "voice_twilio", "channel_options": {"record_answers": "yes"}},
        "channel_options",
        "option 'record_answers' must be a bool",
    ),
    "option as a number": (
        {"channel": "voice_twilio", "channel_options": {"record_answers": 1}},
        "channel_options",
        "option 'record_answers' must be a bool",
    ),
}


@pytest.mark.parametrize(("change", "field", "message"), INVALID.values(), ids=list(INVALID))
def test_each_invalid_field_is_named(db, base, change, field, message):
    spec = replace(base, **(change(base) if callable(change) else change))
    with pytest.raises(RuleError) as refused:
        create_rule(spec)
    assert list(refused.value.errors) == [field]
    assert message in refused.value.errors[field]
    db.session.commit()
    assert rule_count(db) == 0


def test_every_problem_is_listed_at_once(db, base):
    spec = replace(
        base,
        version=authoring.create_questionnaire(base.program, "draft", {"en": "T"}),
        mode=InvitationMode.CONVERSATION,
        fallback_channel="email",
        delay_minutes=-5,
        sampling_rate=0,
        expiry_days=0,
        fatigue_days=-1,
        quiet_start_hour=5,
    )
    with pytest.raises(RuleError) as refused:
        create_rule(spec)
    assert set(refused.value.errors) == {
        "questionnaire",
        "mode",
        "fallback_channel",
        "delay_minutes",
        "sampling_rate",
        "expiry_days",
        "fatigue_days",
        "quiet_hours",
    }
    assert "delay_minutes: must be from 0" in str(refused.value)
    # A disabled channel still lets the other fields, the fallback too, be checked.
    with pytest.raises(RuleError) as disabled:
        create_rule(
            replace(
                base,
                channel="sms_notify",
                fallback_channel="fax",
                expiry_days=0,
                channel_options={"x": 1},
            )
        )
    assert list(disabled.value.errors) == ["channel", "fallback_channel", "expiry_days"]


def test_the_edges_of_each_range_are_accepted(db, base):
    for change in (
        {"delay_minutes": 0, "sampling_rate": 1.0, "expiry_days": 1, "fatigue_days": 0},
        {"delay_minutes": 129600, "sampling_rate": 0.001, "expiry_days": 365},
        {"fatigue_days": 3650, "quiet_start_hour": 0, "quiet_end_hour": 23},
        {"quiet_start_hour": 0, "quiet_end_hour": 0},  # equal hours: no quiet hours
        {
            "channel": "voice_webhook",
            "mode": InvitationMode.CONVERSATION,
            "fallback_channel": "email",
        },
        {"channel": "voice_twilio", "mode": InvitationMode.CALLBACK},
        {"channel": "sms_twilio", "mode": InvitationMode.CONVERSATION},
    ):
        validate(replace(base, **change))


def test_a_valid_rule_replaces_the_active_one_for_the_same_contacts_only(db, base):
    catch_all = create_rule(base)
    for_calls = create_rule(
        replace(base, contact_type="call", channel="voice_twilio", mode=InvitationMode.CALLBACK)
    )
    other_version = make_questionnaire(make_program("other"))
    other_program = create_rule(
        RuleSpec(
            program=other_version.questionnaire.program, version=other_version, channel="email"
        )
    )
    db.session.commit()

    new_catch_all = create_rule(replace(base, delay_minutes=30, fallback_channel="sms_twilio"))
    db.session.commit()
    db.session.expire_all()
    assert (catch_all.active, for_calls.active, other_program.active, new_catch_all.active) == (
        False,
        True,
        True,
        True,
    )
    stored = db.session.get(DistributionRule, new_catch_all.id)
    assert (stored.contact_type, stored.channel, stored.fallback_channel, stored.delay_minutes) == (
        None,
        "email",
        "sms_twilio",
        30,
    )
    assert (stored.sampling_rate, stored.expiry_days, stored.fatigue_days) == (1.0, 14, 30)
    assert stored.questionnaire_version_id == base.version.id

    new_for_calls = create_rule(replace(base, contact_type="call", channel="voice_webhook"))
    db.session.commit()
    db.session.expire_all()
    active = set(db.session.scalars(select(DistributionRule.id).filter_by(active=True)))
    assert active == {new_catch_all.id, new_for_calls.id, other_program.id}
    assert rule_count(db) == 5  # replaced rules are kept, inactive, for their invitations


def test_a_refused_rule_leaves_the_active_one(db, base):
    active = create_rule(base)
    db.session.commit()
    with pytest.raises(RuleError):
        create_rule(replace(base, sampling_rate=2))
    db.session.commit()
    db.session.expire_all()
    assert active.active and rule_count(db) == 1


def test_channel_options_are_completed_and_stored(db, base):
    silent = create_rule(replace(base, channel="voice_twilio", contact_type="call"))
    recorded = create_rule(
        replace(
            base,
            channel="voice_twilio",
            contact_type="visit",
            channel_options={"record_answers": True},
        )
    )
    by_email = create_rule(base)
    db.session.commit()
    db.session.expire_all()
    assert db.session.get(DistributionRule, silent.id).channel_options == {"record_answers": False}
    assert db.session.get(DistributionRule, recorded.id).channel_options == {"record_answers": True}
    assert db.session.get(DistributionRule, by_email.id).channel_options == {}


# --- feedback add-rule ------------------------------------------------------------------------


def add_rule(app, *args: str):
    return app.test_cli_runner().invoke(
        args=["add-rule", "--program", "passport", "--questionnaire", "after-contact", *args]
    )


def test_cli_passes_channel_options(app, base):
    result = add_rule(app, "--channel", "voice_twilio", "--option", "record_answers=true")
    assert result.exit_code == 0, result.output
    assert "every contact get 'after-contact' by voice_twilio (link mode)" in result.output
    rule = DistributionRule.query.filter_by(active=True).one()
    assert (rule.channel, rule.channel_options) == ("voice_twilio", {"record_answers": True})


@pytest.mark.parametrize(
    ("args", "problem"),
    [
        (["--channel", "email", "--option", "nope=1"], "channel 'email' has no option 'nope'"),
        (
            ["--channel", "voice_twilio", "--option", "record_answers=yes"],
            "option 'record_answers' must be a bool",
        ),
    ],
)
def test_cli_refuses_bad_channel_options(app, db, base, args, problem):
    result = add_rule(app, *args)
    assert result.exit_code != 0
    assert "the rule was not added:" in result.output
    assert f"  channel_options: {problem}" in result.output
    assert rule_count(db) == 0


def test_cli_refuses_an_option_without_a_value(app, db, base):
    result = add_rule(app, "--channel", "email", "--option", "record_answers")
    assert result.exit_code == 2 and "use NAME=VALUE" in result.output
    assert rule_count(db) == 0
